package dev.storagelab.grader.platform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.storagelab.grader.grade.Fixtures;
import dev.storagelab.grader.report.GradeReport;
import dev.storagelab.grader.report.GradeReport.LabResult;
import dev.storagelab.grader.report.GradeReport.TestResult;
import dev.storagelab.grader.report.ReportWriter;
import dev.storagelab.grader.run.TestSupervisor;
import dev.storagelab.grader.run.TestSupervisor.Outcome;
import dev.storagelab.grader.run.TestSupervisor.Status;
import dev.storagelab.grader.workspace.ContainerLimits;
import dev.storagelab.grader.workspace.GradedTest;
import dev.storagelab.grader.workspace.Rubric;
import dev.storagelab.grader.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One results model, one writer per platform: PrairieLearn's results beside Gradescope's, the
 * line that says which limit of the grading container a grading hit (and that a student's own
 * words cannot fake it), what a grading stopped from outside leaves, and the container's limits
 * as the grader reads them from its cgroup.
 */
class PlatformResultsTest {

    @TempDir
    Path tmp;

    private static TestResult test(String method, Status status, String message, double max) {
        GradedTest t = new GradedTest(
                "lab-05",
                "dev.storagelab.lsm.hidden.LsmStoreHiddenTest#" + method,
                (int) max,
                "the concept of " + method);
        return new TestResult(t, new Outcome(status, message, 1), status == Status.PASSED ? max : 0, max);
    }

    private static GradeReport report(TestResult... tests) {
        return new GradeReport(
                "sub",
                List.of(new LabResult("lab-05", "lab-05-lsm", "isolated", null, List.of(tests), List.of())),
                List.of(),
                12,
                null);
    }

    private JsonObject written(GradeReport r, String file) throws IOException {
        Path dir = tmp.resolve("out-" + System.nanoTime());
        ReportWriter.writeAll(r, dir);
        return JsonParser.parseString(Files.readString(dir.resolve(file))).getAsJsonObject();
    }

    @Test
    void prairieLearnGetsAScoreFromZeroToOneAndATestPerGradedTest() throws IOException {
        JsonObject pl = written(
                report(
                        test("putsAndGets", Status.PASSED, "", 3),
                        test("compacts", Status.FAILED, "expected 2 but was 3", 1)),
                ReportWriter.PRAIRIELEARN);
        assertThat(pl.get("gradable").getAsBoolean(), is(true));
        assertThat(pl.get("score").getAsDouble(), closeTo(0.75, 1e-9));
        assertThat(pl.getAsJsonArray("tests").size(), is(2));
        JsonObject failed = pl.getAsJsonArray("tests").get(1).getAsJsonObject();
        assertThat(failed.get("points").getAsDouble(), closeTo(0, 1e-9));
        assertThat(failed.get("max_points").getAsDouble(), closeTo(1, 1e-9));
        assertThat(failed.get("description").getAsString(), is("the concept of compacts"));
        assertThat(failed.get("message").getAsString(), containsString("expected 2 but was 3"));
    }

    @Test
    void aSubmissionThatCannotBeReadIsNotGradableOnPrairieLearnAndOneLineOnGradescope() throws IOException {
        GradeReport failed = GradeReport.failed(
                "sub",
                "the submission holds a zip (lab.zip) but no workspace: submit the workspace"
                        + " folder, or one zip of it, not a zip inside a zip",
                1);
        JsonObject pl = written(failed, ReportWriter.PRAIRIELEARN);
        assertThat(pl.get("gradable").getAsBoolean(), is(false));
        assertThat(pl.get("message").getAsString(), not(containsString("\n")));
        assertThat(pl.get("message").getAsString(), containsString("not a zip inside a zip"));
        JsonObject gs = written(failed, "results.json");
        assertThat(gs.get("output").getAsString(), not(containsString("\n")));
        assertThat(gs.get("score").getAsDouble(), closeTo(0, 1e-9));
    }

    @Test
    void aTestTheContainersMemoryStoppedLeadsTheResultsAndThePointsEarnedStay() throws IOException {
        GradeReport r = report(
                test("putsAndGets", Status.PASSED, "", 3),
                test("compacts", Status.CRASHED, TestSupervisor.containerOutOfMemory(), 1));
        JsonObject gs = written(r, "results.json");
        assertThat(
                gs.get("output").getAsString(),
                startsWith("Grading hit a limit: lab-05 LsmStoreHiddenTest.compacts: stopped: the"
                        + " grading container ran out of memory"));
        assertThat(gs.get("output").getAsString(), not(containsString("\n")));
        assertThat("the points earned before it stay", gs.get("score").getAsDouble(), closeTo(3, 1e-9));
        JsonObject pl = written(r, ReportWriter.PRAIRIELEARN);
        assertThat(pl.get("message").getAsString(), startsWith("Grading hit a limit:"));
        assertThat(pl.get("score").getAsDouble(), closeTo(0.75, 1e-9));
    }

    @Test
    void aStudentsFailureMessageCannotPassForALimit() {
        GradeReport r = report(
                test("compacts", Status.FAILED, "stopped: the grading container ran out of memory", 1),
                test("flushes", Status.FAILED, "x not run: the grading's time limit of 540 s", 1));
        assertThat(r.limitHit(), is((String) null));
    }

    @Test
    void aGradingStoppedFromOutsideKeepsItsPointsAndSaysWhyOnTheFirstLine() throws IOException {
        Path out = tmp.resolve("stopped");
        ReportWriter.writeAll(
                report(
                        test("putsAndGets", Status.PASSED, "", 3),
                        test(
                                "compacts",
                                Status.NOT_RUN,
                                "not run: lab-05 not graded: the grading stopped before this lab",
                                1)),
                out);
        StoppedGrading.note(out, StoppedGrading.reason(124, 540L, ContainerLimits.read(tmp.resolve("none"), tmp)));
        JsonObject gs = JsonParser.parseString(Files.readString(out.resolve("results.json")))
                .getAsJsonObject();
        assertThat(
                gs.get("output").getAsString(),
                startsWith("Grading stopped: the grading's time limit of 540 s was reached"));
        assertThat(gs.get("score").getAsDouble(), closeTo(3, 1e-9));
        JsonObject pl = JsonParser.parseString(Files.readString(out.resolve(ReportWriter.PRAIRIELEARN)))
                .getAsJsonObject();
        assertThat(pl.get("message").getAsString(), startsWith("Grading stopped: the grading's time limit of 540 s"));
        assertThat(pl.get("score").getAsDouble(), closeTo(0.75, 1e-9));
    }

    /**
     * The platforms' grading step ({@link GradescopePackage#gradeStep}) with a grader that writes
     * one lab's results and is then killed, as the kernel kills a process for a container's memory:
     * the step runs grade-stopped (the real CLI), and the results keep their points under the reason.
     */
    @Test
    void theScriptsGradingStepNotesAGraderKilledFromOutside() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("script"));
        Path partial = tmp.resolve("partial");
        ReportWriter.writeAll(
                report(
                        test("putsAndGets", Status.PASSED, "", 3),
                        test(
                                "compacts",
                                Status.NOT_RUN,
                                "not run: lab-05 not graded: the grading stopped before this lab",
                                1)),
                partial);
        Path fake = dir.resolve("storagelab");
        Files.writeString(fake, """
                #!/usr/bin/env bash
                # a grader that leaves one lab's results, then is killed; every other verb is the real CLI
                if [ "$1" = grade ]; then
                  mkdir -p "$OUT" && cp -r "$PARTIAL"/. "$OUT"/ && kill -9 $$
                fi
                exec java -cp "$CP" dev.storagelab.grader.cli.Main "$@"
                """);
        fake.toFile().setExecutable(true);
        String step = GradescopePackage.gradeStep(
                "\"$OUT/../submission\"", List.of("05"), "\"$OUT/../reference\"", "\"$OUT\"");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "cd \"$DIR\"\n" + step + "\necho \"status=$status\"")
                .redirectErrorStream(true);
        pb.environment().put("DIR", dir.toString());
        pb.environment().put("OUT", tmp.resolve("killed").toString());
        pb.environment().put("PARTIAL", partial.toString());
        pb.environment().put("CP", System.getProperty("java.class.path"));
        Process p = pb.start();
        String printed = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(printed, p.waitFor(), is(0));
        assertThat(printed, containsString("status=137"));
        JsonObject gs = JsonParser.parseString(Files.readString(tmp.resolve("killed/results.json")))
                .getAsJsonObject();
        assertThat(printed, gs.get("output").getAsString(), startsWith("Grading stopped: "));
        assertThat(gs.get("output").getAsString(), not(containsString("\n")));
        assertThat("the finished lab's points stay", gs.get("score").getAsDouble(), closeTo(3, 1e-9));
        JsonObject pl = JsonParser.parseString(Files.readString(tmp.resolve("killed/" + ReportWriter.PRAIRIELEARN)))
                .getAsJsonObject();
        assertThat(pl.get("message").getAsString(), startsWith("Grading stopped: "));
        assertThat(pl.get("score").getAsDouble(), closeTo(0.75, 1e-9));
    }

    @Test
    void aGradingStoppedBeforeAnyResultLeavesResultsThatSayWhy() throws IOException {
        Path root = fakeCgroupV1(805306368L, 1);
        ContainerLimits container = ContainerLimits.read(root.resolve("proc-self-cgroup"), root.resolve("fs"));
        Path out = tmp.resolve("nothing");
        StoppedGrading.note(out, StoppedGrading.reason(137, null, container));
        JsonObject gs = JsonParser.parseString(Files.readString(out.resolve("results.json")))
                .getAsJsonObject();
        assertThat(
                gs.get("output").getAsString(),
                startsWith("Grading stopped: the grading container ran out of memory (its limit,"
                        + " 768 MiB, holds the grader, Maven and the tests together)"));
        assertThat(gs.get("score").getAsDouble(), closeTo(0, 1e-9));
        assertThat(GradescopeLayoutTest.schemaProblems(gs), is(List.of()));
        JsonObject pl = JsonParser.parseString(Files.readString(out.resolve(ReportWriter.PRAIRIELEARN)))
                .getAsJsonObject();
        assertThat(
                "no attempt is spent on a grading that graded nothing",
                pl.get("gradable").getAsBoolean(),
                is(false));
    }

    @Test
    void theContainerLimitIsTheTightestOfTheGradersCgroupAndItsAncestors() throws IOException {
        Path root = fakeCgroupV1(805306368L, 2);
        ContainerLimits v1 = ContainerLimits.read(root.resolve("proc-self-cgroup"), root.resolve("fs"));
        assertThat(v1.memoryLimitMegabytes(), is(768L));
        assertThat(v1.oomKills(), is(2L));

        Path v2root = tmp.resolve("v2");
        Path fs = Files.createDirectories(v2root.resolve("fs/grading/job"));
        Files.writeString(v2root.resolve("fs/cgroup.controllers"), "cpu memory\n");
        Files.writeString(v2root.resolve("fs/grading/memory.max"), "1073741824\n");
        Files.writeString(fs.resolve("memory.max"), "max\n");
        Files.writeString(fs.resolve("memory.events"), "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n");
        Files.writeString(v2root.resolve("proc-self-cgroup"), "0::/grading/job\n");
        ContainerLimits v2 = ContainerLimits.read(v2root.resolve("proc-self-cgroup"), v2root.resolve("fs"));
        assertThat("the parent's limit holds the child", v2.memoryLimitMegabytes(), is(1024L));
        assertThat(v2.oomKills(), is(1L));

        assertThat(
                "no cgroup file: no limit",
                ContainerLimits.read(tmp.resolve("absent"), tmp)
                        .memoryLimitBytes()
                        .isPresent(),
                is(false));
    }

    @Test
    void theTestHeapLeavesRoomForTheGraderInAContainer() {
        Rubric rubric = Rubric.of(Workspace.at(Fixtures.realWorkspace()));
        assertThat(rubric.testHeapMegabytes(768), is(384));
        assertThat("no container: the rubric's heap", rubric.testHeapMegabytes(0), is(rubric.heapMegabytes()));
        assertThat("a large container: the rubric's heap", rubric.testHeapMegabytes(8192), is(rubric.heapMegabytes()));
    }

    @Test
    void inAContainerEveryGrowthOfTheTestJvmAndOfTheJvmsItStartsIsCapped() {
        Rubric rubric = Rubric.of(Workspace.at(Fixtures.realWorkspace()));
        List<String> flags = rubric.testJvmMemoryFlags(768);
        assertThat(
                flags,
                hasItems(
                        "-Xmx384m",
                        "-XX:MaxDirectMemorySize=64m",
                        "-XX:MaxMetaspaceSize=128m",
                        "-D" + Rubric.CHILD_HEAP_PROPERTY + "=64"));
        assertThat(
                "the testkit's KilledChild reads this property (its HEAP_PROPERTY)",
                Rubric.CHILD_HEAP_PROPERTY,
                is("storagelab.child.heap.mb"));
        assertThat(
                "no container: the rubric's heap, and what grows beside it capped all the same",
                rubric.testJvmMemoryFlags(0),
                is(List.of(
                        "-Xmx" + rubric.heapMegabytes() + "m",
                        "-XX:MaxDirectMemorySize=64m",
                        "-Djdk.nio.maxCachedBufferSize=262144",
                        "-XX:MaxMetaspaceSize=128m")));
        assertThat(
                "the OS bounds the whole JVM: its heap and 768 MiB beside it (rubric.properties: at 512, a"
                        + " reference JVM's data segment reached 1,002 of the 1,280 MiB allowed)",
                rubric.testJvmMemoryMegabytes(),
                is(rubric.testHeapMegabytes() + 768L));
    }

    /** A cgroup v1 tree whose memory cgroup {@code /grading/job} has {@code limit} bytes and {@code kills} OOM kills. */
    private Path fakeCgroupV1(long limit, int kills) throws IOException {
        Path root = tmp.resolve("v1-" + System.nanoTime());
        Path job = Files.createDirectories(root.resolve("fs/memory/grading/job"));
        Files.writeString(root.resolve("fs/memory/memory.limit_in_bytes"), "9223372036854771712\n");
        Files.writeString(root.resolve("fs/memory/grading/memory.limit_in_bytes"), "9223372036854771712\n");
        Files.writeString(job.resolve("memory.limit_in_bytes"), limit + "\n");
        Files.writeString(
                job.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill " + kills + "\n");
        Files.writeString(root.resolve("proc-self-cgroup"), "5:cpu,cpuacct:/\n4:memory:/grading/job\n0::/\n");
        return root;
    }
}
