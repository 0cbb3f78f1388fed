package dev.storagelab.grader.sandbox;

import dev.storagelab.grader.runner.HiddenTestRunner;
import dev.storagelab.grader.workspace.FileTrees;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * What a JVM that runs lab code needs of the grader, and nothing more: the runner's package (the
 * test runner, and the CPU-time profiler a benchmark run loads into JMH). Never the
 * whole grader: its policy classes on a test JVM's class path would come before the policy agent's
 * own jar (which the JVM appends to the class path), so the agent would start from the grader's
 * copy of itself and not find its jar; and lab code has no business with the grader's other classes.
 */
public final class RunnerClasses {

    /** The runner's package as a resource folder: every class a JVM that runs lab code loads of the grader. */
    static final String PACKAGE = HiddenTestRunner.class.getPackageName().replace('.', '/') + "/";

    private static Path shared; // guarded by RunnerClasses.class

    private RunnerClasses() {}

    /**
     * The runner's classes for the JVMs this grader starts as its own user: copied once, into a
     * temporary folder of this grader's, deleted as it ends.
     */
    public static synchronized Path shared() throws IOException {
        if (shared == null || !Files.isDirectory(shared)) {
            shared = copy(FileTrees.temporaryFolder("storagelab-runner").resolve("classes"));
        }
        return shared;
    }

    /** Where the grader's classes are: its jar, or its classes folder in a build. */
    public static Path graderLocation() {
        try {
            return Path.of(HiddenTestRunner.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot find where the grader's runner classes were loaded from", e);
        }
    }

    /**
     * Copies the runner's classes into {@code to}, a class folder that does not exist yet, and
     * returns it. Only regular files are copied, never what a link points at.
     */
    public static Path copy(Path to) throws IOException {
        Path from = graderLocation();
        Files.createDirectory(to);
        if (Files.isDirectory(from)) {
            try (Stream<Path> files = Files.walk(from)) {
                for (Path p : (Iterable<Path>)
                        files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))::iterator) {
                    String name = from.relativize(p).toString().replace(File.separatorChar, '/');
                    if (wanted(name)) {
                        Path target = to.resolve(name);
                        Files.createDirectories(target.getParent());
                        Files.copy(p, target);
                    }
                }
            }
            return to;
        }
        try (InputStream in = Files.newInputStream(from);
                ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (!e.isDirectory() && wanted(e.getName()) && !e.getName().contains("..")) {
                    Path target = to.resolve(e.getName());
                    Files.createDirectories(target.getParent());
                    Files.copy(zip, target);
                }
            }
        }
        return to;
    }

    private static boolean wanted(String name) {
        return name.startsWith(PACKAGE);
    }
}
