package dev.storagelab.grader.sandbox;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.storagelab.grader.grade.Fixtures;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Class 8 of the hostile corpus ({@link HostileSubmissionsCorpusTest}): two graders on one machine
 * never share a test user, whatever their temp folders, environments or working directories, so
 * one grader's end of a run (which kills every process of its user id) never kills the other's.
 * Only where test JVMs are confined (a grader running as root).
 */
class TestUserLeaseTest {

    @TempDir
    Path tmp;

    @BeforeEach
    void onlyWhereConfined() {
        Fixtures.assumeConfined();
    }

    /** Starts a second grader that holds a lease, with {@code flags}, {@code env} and working folder {@code dir}. */
    private Process otherGrader(List<String> flags, Map<String, String> env, Path dir) throws IOException {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(flags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LeaseHolder.class.getName()));
        ProcessBuilder b =
                new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        b.environment().putAll(env);
        return b.start();
    }

    /** Leases here while {@code other} holds its lease: different ids, and ending this run leaves the other alive. */
    private void neverShared(Process other) throws Exception {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8))) {
            String line = in.readLine();
            assertThat("the other grader leased a user", line != null && line.matches("\\d+"), is(true));
            int theirs = Integer.parseInt(line);
            int mine;
            try (Confinement.Run run = Confinement.current().open(List.of())) {
                mine = run.uid();
            } // closing kills every process of this run's id
            assertThat(mine, not(theirs));
            assertThat("the other grader's run outlived ours", other.isAlive(), is(true));
        } finally {
            other.getOutputStream().close();
            other.waitFor(30, TimeUnit.SECONDS);
            other.destroyForcibly();
        }
    }

    @Test
    void aGraderWithAnotherTempFolderLeasesAnotherUser() throws Exception {
        Path otherTmp = Files.createDirectories(tmp.resolve("other-tmp"));
        neverShared(otherGrader(List.of("-Djava.io.tmpdir=" + otherTmp), Map.of(), tmp));
    }

    @Test
    void aGraderWithAnotherEnvironmentLeasesAnotherUser() throws Exception {
        Path otherTmp = Files.createDirectories(tmp.resolve("env-tmp"));
        neverShared(otherGrader(List.of(), Map.of("TMPDIR", otherTmp.toString(), "HOME", otherTmp.toString()), tmp));
    }

    @Test
    void aGraderInAnotherWorkingFolderLeasesAnotherUser() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        neverShared(otherGrader(List.of(), Map.of(), elsewhere));
    }

    @Test
    void theLeasesAreRootsAloneAtOnePlaceOfTheMachine() throws Exception {
        try (Confinement.Run run = Confinement.current().open(List.of())) {
            assertThat(Files.isDirectory(Confinement.LEASES), is(true));
            assertThat(
                    "no test user can take or block a lease",
                    Files.getPosixFilePermissions(Confinement.LEASES),
                    is(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            assertThat(Files.exists(Confinement.LEASES.resolve(run.uid() + ".lock")), is(true));
        }
    }
}
