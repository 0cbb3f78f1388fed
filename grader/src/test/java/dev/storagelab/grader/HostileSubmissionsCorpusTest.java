package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.storagelab.grader.GradeReport.LabResult;
import dev.storagelab.grader.TestSupervisor.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24, item 5: a corpus of hostile submissions, each written from the fixture's student
 * release (or its solved code) the way a student would, graded in one {@code grade-all} run. Each
 * proof asserts that the submission earns no point its honest code would not, that its reports
 * were written, and what the instructor's report says. The two submissions that forge or replay
 * event lines, and the supervisor's own defences, are in {@link HostileSubmissionsTest}.
 */
class HostileSubmissionsCorpusTest {

    @TempDir
    static Path tmp;
    private static Path out;
    private static Map<String, GradeReport> reports;
    /** What the fixture's solved code earns: every test of lab-01-calc. */
    private static final double HONEST = 8.0;

    /** Where the hostile code goes: the top of {@code Calc.add}, which the first hidden test calls. */
    private static final String ADD = "public static int add(int a, int b) {\n";

    @BeforeAll
    static void gradeTheCorpus() throws Exception {
        Path workspace = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws")));
        Path release = tmp.resolve("release");
        new Exporter(Workspace.at(workspace)).export(release);
        String calc = "lab-01-calc/src/main/java/fixture/calc/Calc.java";
        String released = Files.readString(release.resolve(calc));
        String solved = Files.readString(workspace.resolve(calc)).replaceAll("(?m)^\\s*// (BEGIN|END) SOLUTION.*\\n", "");

        Map<String, Map<String, String>> corpus = new LinkedHashMap<>();
        corpus.put("honest", Map.of(calc, solved));
        corpus.put("release", Map.of(calc, released));
        // the given class changed: NotImplementedException forges its message and halts on load
        String nie = "lab-01-calc/src/main/java/dev/storagelab/lab/NotImplementedException.java";
        corpus.put("given-class-changed", Map.of(calc, released, nie, Files.readString(release.resolve(nie))
                .replace("super(lab + \" \" + task + \" \" + method + \" is not implemented yet (\" + handout + \")\");",
                        "super(\"FORGED by a given class\");")));
        corpus.put("forge-from-task", Map.of(calc, inject(released, """
                try {
                    String[] cmd = System.getProperty("sun.java.command").split(" ");
                    java.nio.file.Files.writeString(java.nio.file.Path.of(cmd[1]), "D\\n",
                            java.nio.file.StandardOpenOption.APPEND);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                Runtime.getRuntime().halt(0);
                """)));
        corpus.put("parent-kill", Map.of(calc, inject(solved, "ProcessHandle.current().parent().ifPresent(ProcessHandle::destroyForcibly);\n")));
        corpus.put("exit", Map.of(calc, inject(solved, "System.exit(0);\n")));
        corpus.put("shutdown-hook", Map.of(calc, inject(solved, """
                Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("F fixture.calc.CalcHiddenTest#multiplies PASS")));
                """)));
        corpus.put("daemon-writer", Map.of(calc, inject(solved, """
                Thread late = new Thread(() -> {
                    for (int i = 0; i < 5; i++) {
                        System.out.println("F fixture.calc.CalcHiddenTest#minimum PASS");
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                late.setDaemon(true);
                late.start();
                """)));
        corpus.put("set-out", Map.of(calc, inject(solved, "System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));\n")));
        corpus.put("read-hidden-tests", Map.of(calc, inject(solved, """
                try (java.io.InputStream in = Calc.class.getResourceAsStream("/fixture/calc/CalcHiddenTest.class")) {
                    System.out.println(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                """)));
        corpus.put("reflection", Map.of(calc, inject(solved, """
                try {
                    java.lang.reflect.Method[] tests = Class.forName("fixture.calc.CalcHiddenTest").getDeclaredMethods();
                    System.out.println(java.util.Arrays.toString(tests));
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException(e);
                }
                """)));
        corpus.put("fork-bomb", Map.of(calc, inject(solved, """
                try {
                    for (int i = 0; i < 3; i++) { // bounded: were the scan to miss it, this machine survives
                        new ProcessBuilder("sleep", "1").start();
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                """)));
        corpus.put("fill-disk", Map.of(calc, inject(solved, """
                try {
                    java.nio.file.Files.write(java.nio.file.Path.of("fill-" + a), new byte[1 << 20]);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                """)));
        corpus.put("native-code", Map.of(calc, solved.replace(ADD, "static native int magic();\n\n    " + ADD)));
        // JUnit's Assertions, shadowed by a class that never fails, with wrong answers everywhere
        corpus.put("junit-shadow", Map.of(
                calc, solved.replaceAll("return [^;]+;", "return 0;"),
                "lab-01-calc/src/main/java/fixture/calc/Assertions.java", """
                        package org.junit.jupiter.api;

                        public final class Assertions {
                            public static void assertEquals(int expected, int actual) {
                            }
                        }
                        """));
        // the pom, the hidden tests and a testkit file changed: none of it is taken
        corpus.put("pom-and-tests-changed", Map.of(
                calc, released,
                "lab-01-calc/pom.xml", "<project>this pom does not parse</project>\n",
                "lab-01-calc/src/hidden/java/fixture/calc/CalcHiddenTest.java", """
                        package fixture.calc;
                        class CalcHiddenTest {
                        }
                        """,
                "lab-01-calc/src/test/java/fixture/calc/AddTest.java", "package fixture.calc;\nclass AddTest {\n}\n",
                "testkit/src/main/java/dev/storagelab/testkit/Oracle.java", "this is not Java\n"));

        Path folder = Files.createDirectories(tmp.resolve("class"));
        for (Map.Entry<String, Map<String, String>> submission : corpus.entrySet()) {
            for (Map.Entry<String, String> file : submission.getValue().entrySet()) {
                Path p = folder.resolve(submission.getKey()).resolve(file.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, file.getValue(), StandardCharsets.UTF_8);
            }
        }
        out = tmp.resolve("out");
        long start = System.nanoTime();
        reports = new Gradebook(Workspace.at(workspace), true, new PrintStream(new ByteArrayOutputStream(), true))
                .perf(false).gradeAll(folder, List.of("01"), out, 2);
        System.out.printf("graded %d hostile submissions in %.1f s%n", corpus.size(), (System.nanoTime() - start) / 1e9);
        assertThat("a report for every submission", reports.keySet(), equalTo(corpus.keySet()));
    }

    private static String inject(String calc, String code) {
        assertThat(calc, containsString(ADD));
        return calc.replace(ADD, ADD + code.indent(8));
    }

    private static LabResult lab01(String student) {
        GradeReport report = reports.get(student);
        assertThat(student + " was graded", report.error(), nullValue());
        return report.isolated().get(0);
    }

    /** What the student reads: the results.json Gradescope shows. */
    private static String feedback(String student) throws IOException {
        return Files.readString(out.resolve(student).resolve("results.json"));
    }

    /** The instructor's report. */
    private static JsonObject instructorLab(String student) throws IOException {
        JsonObject grade = JsonParser.parseString(Files.readString(out.resolve(student).resolve("grade.json"))).getAsJsonObject();
        return grade.getAsJsonArray("isolated").get(0).getAsJsonObject();
    }

    /** A submission the scan stops: no point, every report written, the rule and place named to both readers. */
    private static void rejected(String student, String finding) throws IOException {
        LabResult lab = lab01(student);
        assertThat(student + " earns nothing", lab.earned(), closeTo(0.0, 1e-9));
        assertThat(lab.tests().stream().map(t -> t.outcome().status()).toList(), everyItem(equalTo(Status.NOT_RUN)));
        assertThat(lab.problem(), containsString(finding));
        assertThat(instructorLab(student).get("problem").getAsString(), containsString(finding));
        assertThat("the student is told the same rule and place", feedback(student), containsString(finding));
        assertThat(Files.exists(out.resolve(student).resolve("report.md")), is(true));
    }

    @Test
    void theHonestCodeEarnsEveryPointAndTheReleaseNone() {
        assertThat(lab01("honest").problem(), nullValue());
        assertThat(lab01("honest").earned(), closeTo(HONEST, 1e-9));
        assertThat(lab01("release").earned(), closeTo(0.0, 1e-9));
    }

    @Test
    void aChangedGivenClassIsNotTaken() throws IOException {
        LabResult lab = lab01("given-class-changed");
        assertThat(lab.earned(), closeTo(0.0, 1e-9));
        assertThat(lab.problem(), nullValue());
        for (GradeReport.TestResult t : lab.tests()) {
            assertThat("the reference's NotImplementedException ran", t.outcome().message(), containsString("is not implemented yet"));
        }
        assertThat(feedback("given-class-changed"), not(containsString("FORGED")));
    }

    @Test
    void aForgeFromATaskMethodIsStoppedByTheScan() throws IOException {
        rejected("forge-from-task",
                "forbidden API: fixture.calc.Calc.add calls java.lang.System.getProperty (system properties and the environment)");
        assertThat(lab01("forge-from-task").problem(), containsString("calls java.lang.Runtime.halt (process control)"));
        assertThat(lab01("forge-from-task").problem(), containsString("calls java.nio.file.Files.writeString (direct file access"));
    }

    @Test
    void killingTheGraderIsStoppedByTheScan() throws IOException {
        // were it not, the grader (this test's JVM) would have died and no report would exist
        rejected("parent-kill", "forbidden API: fixture.calc.Calc.add calls java.lang.ProcessHandle.current (process control)");
        assertThat(lab01("parent-kill").problem(), containsString("refers to java.lang.ProcessHandle.destroyForcibly"));
    }

    @Test
    void exitIsStoppedByTheScan() throws IOException {
        rejected("exit", "forbidden API: fixture.calc.Calc.add calls java.lang.System.exit (process control)");
    }

    @Test
    void aShutdownHookIsStoppedByTheScan() throws IOException {
        rejected("shutdown-hook", "forbidden API: fixture.calc.Calc.add calls java.lang.Runtime.addShutdownHook (shutdown hooks)");
    }

    @Test
    void aDaemonThreadPrintingVerdictsAfterItsTestEarnsNothingExtra() {
        // not forbidden (threads are a lab's business), and harmless: verdicts are signed events, not output
        LabResult lab = lab01("daemon-writer");
        assertThat(lab.earned(), lessThanOrEqualTo(HONEST));
        assertThat(lab.problem(), nullValue());
    }

    @Test
    void replacingTheStandardStreamsIsStoppedByTheScan() throws IOException {
        rejected("set-out", "forbidden API: fixture.calc.Calc.add calls java.lang.System.setOut (replacing the standard streams)");
    }

    @Test
    void readingTheHiddenTestsIsStoppedByTheScan() throws IOException {
        rejected("read-hidden-tests", "forbidden API: fixture.calc.Calc.add calls java.lang.Class.getResourceAsStream (class path resources");
        rejected("reflection", "forbidden API: fixture.calc.Calc.add calls java.lang.Class.forName (reflection and method handles)");
    }

    @Test
    void aForkBombIsStoppedByTheScan() throws IOException {
        rejected("fork-bomb", "forbidden API: fixture.calc.Calc.add calls java.lang.ProcessBuilder constructor (process control)");
    }

    @Test
    void fillingTheDiskIsStoppedByTheScan() throws IOException {
        rejected("fill-disk", "forbidden API: fixture.calc.Calc.add calls java.nio.file.Path.of (direct file access");
    }

    @Test
    void nativeCodeIsStoppedByTheScan() throws IOException {
        rejected("native-code", "forbidden API: fixture.calc.Calc.magic is a native method (JNI native code)");
    }

    @Test
    void aClassStandingInForJUnitIsStoppedByTheScan() throws IOException {
        rejected("junit-shadow", "forbidden API: org.junit.jupiter.api.Assertions is in package org.junit.jupiter.api");
    }

    @Test
    void pomTestAndTestkitChangesAreIgnored() {
        LabResult lab = lab01("pom-and-tests-changed");
        assertThat("graded as the release it is, with the reference's pom and hidden tests", lab.problem(), nullValue());
        assertThat(lab.earned(), closeTo(0.0, 1e-9));
        assertThat(lab.tests().size(), is(7));
    }
}
