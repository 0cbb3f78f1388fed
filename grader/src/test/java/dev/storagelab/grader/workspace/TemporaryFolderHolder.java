package dev.storagelab.grader.workspace;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes a temporary folder with a file in it, as a grading's scratch space, prints its path, and
 * waits to be stopped: for {@link GraderStopTest}, which stops it with SIGTERM. With the argument
 * {@code copying TREE} it does not wait: it makes a tree at {@code TREE} and copies it into the folder
 * again and again, as a grading seeds a lab's build, and goes on copying while it is being stopped.
 */
public final class TemporaryFolderHolder {

    private TemporaryFolderHolder() {}

    public static void main(String[] args) throws Exception {
        Path dir = FileTrees.temporaryFolder("storagelab-holder");
        Files.writeString(Files.createDirectories(dir.resolve("work")).resolve("file"), "a grading's scratch");
        if (args.length > 0 && args[0].equals("copying")) {
            // the tree copied lies outside the folder, as a shared reference build does: the
            // shutdown does not take it away from under the copy (the test deletes it)
            Path tree = Path.of(args[1]);
            for (int i = 0; i < 300; i++) {
                Files.writeString(
                        Files.createDirectories(tree.resolve("d" + i % 10)).resolve("f" + i), "a class");
            }
            System.out.println(dir);
            System.out.flush();
            for (int i = 0; ; i++) {
                try {
                    FileTrees.copy(tree, dir.resolve("seed-" + i), p -> true);
                } catch (java.io.IOException e) {
                    // the grader is stopping: a grading would fail here, and try the next thing
                }
            }
        }
        System.out.println(dir);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
