package dev.storagelab.grader.grade;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.storagelab.grader.sandbox.Confinement;
import dev.storagelab.grader.workspace.Lab;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A workspace cloned readable by every user would let a confined test JVM read the hidden tests:
 * the first grading makes their folders private itself and says so in one line, not one warning
 * per lab.
 */
class HiddenTestsPrivacyTest {

    @TempDir
    Path tmp;

    @Test
    void readableHiddenTestsAreMadePrivateWithOneLine() throws IOException {
        assumeTrue(
                Confinement.current().on(),
                "test JVMs are not confined here: " + Confinement.current().describe());
        Path root = Files.createDirectories(tmp.resolve("ws"));
        List<Lab> labs = List.of(
                new Lab("lab-01", "lab-01-a", List.of()),
                new Lab("lab-02", "lab-02-b", List.of()),
                new Lab("lab-03", "lab-03-c", List.of()));
        for (Lab lab : labs) {
            Path file = root.resolve(lab.directory()).resolve("src/hidden/java/p/SecretHiddenTest.java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, "class SecretHiddenTest {}");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
        try (var walk = Files.walk(tmp)) {
            for (Path d : walk.filter(Files::isDirectory).toList()) {
                Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        for (Lab lab : labs) {
            assertThat(
                    "as cloned, readable by all",
                    Confinement.current()
                            .readableByOthers(root.resolve(lab.directory()).resolve("src/hidden"))
                            .isPresent(),
                    is(true));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Grader.hideHiddenTests(root, labs, new PrintStream(out, true, StandardCharsets.UTF_8));
        String log = out.toString(StandardCharsets.UTF_8);
        assertThat(log, log.lines().count(), is(1L));
        assertThat(log, containsString("made the hidden tests private"));
        for (Lab lab : labs) {
            assertThat(
                    lab.id(),
                    Confinement.current()
                            .readableByOthers(root.resolve(lab.directory()).resolve("src/hidden"))
                            .isPresent(),
                    is(false));
        }
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        Grader.hideHiddenTests(root, labs, new PrintStream(again, true, StandardCharsets.UTF_8));
        assertThat("the next grading says nothing", again.toString(StandardCharsets.UTF_8), is(""));
    }
}
