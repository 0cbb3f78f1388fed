package dev.storagelab.grader;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes a temporary folder with a file in it, as a grading's scratch space, prints its path, and
 * waits to be stopped: for {@link GraderStopTest}, which stops it with SIGTERM.
 */
public final class TemporaryFolderHolder {

    private TemporaryFolderHolder() {}

    public static void main(String[] args) throws Exception {
        Path dir = FileTrees.temporaryFolder("storagelab-holder");
        Files.writeString(Files.createDirectories(dir.resolve("work")).resolve("file"), "a grading's scratch");
        System.out.println(dir);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
