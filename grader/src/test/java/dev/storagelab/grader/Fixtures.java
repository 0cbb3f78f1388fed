package dev.storagelab.grader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths to the real workspace and builders for the fixture workspace the grader's tests grade. */
final class Fixtures {

    private Fixtures() {
    }

    /** The real workspace: the grader module's parent directory. */
    static Path realWorkspace() {
        Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        return module.getParent();
    }

    static Path resources() {
        return realWorkspace().resolve("grader/src/test/resources/fixtures");
    }

    /** A submission from {@code fixtures/submissions/NAME}. */
    static Path submission(String name) {
        return resources().resolve("submissions").resolve(name);
    }

    /**
     * Builds the two-lab fixture workspace in {@code dir}: the fixture labs, the real parent pom
     * with its modules replaced, the real {@code dev.storagelab.lab} classes, and the fixture's
     * short-deadline rubric.
     */
    static Path fixtureWorkspace(Path dir) throws IOException {
        FileTrees.copy(resources().resolve("workspace"), dir, p -> !p.toString().equals("rubric.properties"));
        String pom = Files.readString(realWorkspace().resolve("pom.xml"), StandardCharsets.UTF_8)
                .replaceAll("(?s)<modules>.*?</modules>",
                        "<modules>\n    <module>lab-01-calc</module>\n    <module>lab-02-twice</module>\n  </modules>");
        Files.writeString(dir.resolve("pom.xml"), pom, StandardCharsets.UTF_8);
        Path labPackage = realWorkspace().resolve("lab-01-binary-search/src/main/java/dev/storagelab/lab");
        FileTrees.copy(labPackage, dir.resolve("lab-01-calc/src/main/java/dev/storagelab/lab"), p -> true);
        Files.createDirectories(dir.resolve("grader"));
        Files.copy(resources().resolve("workspace/rubric.properties"), dir.resolve(Rubric.PATH));
        return dir;
    }

    /** A digest of every file under {@code root} except build output: to prove nothing changed. */
    static String treeDigest(Path root) {
        try {
            return WorkspaceCopies.digest(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
