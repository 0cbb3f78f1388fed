package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 * event lines, and the supervisor's own defences, are in {@link HostileSubmissionsTest}. The
 * attacks that get past the scan through a given class are stopped by the test JVM's own user
 * ({@link Confinement}), which needs a grader running as root, as CI and Gradescope do; elsewhere
 * the proof that needs it is skipped, and the submission is left out so it harms no real run.
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
        // A given class that opens files by name, as the labs' storage layer (dev.storagelab.io) does:
        // given code is trusted, so the scan does not read it, and student code may call it. The
        // attacks below that go through it are stopped by the test JVM's own user, not by the scan.
        Files.writeString(workspace.resolve("lab-01-calc/src/main/java/fixture/calc/ScratchFiles.java"), SCRATCH_FILES);
        Path release = tmp.resolve("release");
        new Exporter(Workspace.at(workspace)).export(release);
        String calc = "lab-01-calc/src/main/java/fixture/calc/Calc.java";
        String released = Files.readString(release.resolve(calc));
        String solved = Files.readString(workspace.resolve(calc)).replaceAll("(?m)^\\s*// (BEGIN|END) SOLUTION.*\\n", "");

        Map<String, Map<String, String>> corpus = new LinkedHashMap<>();
        corpus.put("honest", Map.of(calc, solved));
        // the release, with a given class, the pom, the hidden and public tests and a testkit file
        // changed: NotImplementedException forges its message; none of it may be taken
        String nie = "lab-01-calc/src/main/java/dev/storagelab/lab/NotImplementedException.java";
        corpus.put("given-and-build-files-changed", Map.of(
                calc, released,
                nie, Files.readString(release.resolve(nie)).replace(
                        "super(lab + \" \" + task + \" \" + method + \" is not implemented yet (\" + handout + \")\");",
                        "super(\"FORGED by a given class\");"),
                "lab-01-calc/pom.xml", "<project>this pom does not parse</project>\n",
                "lab-01-calc/src/hidden/java/fixture/calc/CalcHiddenTest.java", "package fixture.calc;\nclass CalcHiddenTest {\n}\n",
                "lab-01-calc/src/test/java/fixture/calc/AddTest.java", "package fixture.calc;\nclass AddTest {\n}\n",
                "testkit/src/main/java/dev/storagelab/testkit/Oracle.java", "this is not Java\n"));
        // issue 24's forge, from a task method: appends to the runner's events file, then halts
        corpus.put("forge-from-task", Map.of(calc, inject(released, ADD, """
                try {
                    String[] cmd = System.getProperty("sun.java.command").split(" ");
                    java.nio.file.Files.writeString(java.nio.file.Path.of(cmd[1]), "D\\n",
                            java.nio.file.StandardOpenOption.APPEND);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                Runtime.getRuntime().halt(0);
                """)));
        // issue 24's one line that killed the grader
        corpus.put("parent-kill", Map.of(calc, inject(solved, ADD,
                "ProcessHandle.current().parent().ifPresent(ProcessHandle::destroyForcibly);\n")));
        // not forbidden: a daemon thread that prints verdict-like lines after its test
        corpus.put("daemon-writer", Map.of(calc, inject(solved, ADD, """
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
        // one attack per method: the scan names each (one build for them all keeps the corpus cheap;
        // the scan judges each use on its own, so each would be stopped alone too)
        String rules = solved;
        rules = inject(rules, "public static int multiply(int a, int b) {\n", "System.exit(0);\n");
        rules = inject(rules, "public static int negate(int a) {\n", """
                Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("F fixture.calc.CalcHiddenTest#negates PASS")));
                """);
        rules = inject(rules, "public static int square(int a) {\n",
                "System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));\n");
        rules = inject(rules, "public static int max(int a, int b) {\n", """
                try (java.io.InputStream in = Calc.class.getResourceAsStream("/fixture/calc/CalcHiddenTest.class")) {
                    System.out.println(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                """);
        rules = inject(rules, "public static int abs(int a) {\n", """
                try {
                    java.lang.reflect.Method[] tests = Class.forName("fixture.calc.CalcHiddenTest").getDeclaredMethods();
                    System.out.println(java.util.Arrays.toString(tests));
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException(e);
                }
                """);
        rules = inject(rules, "public static int min(int a, int b) {\n", """
                try {
                    for (int i = 0; i < 3; i++) { // bounded: were the scan to miss it, this machine survives
                        new ProcessBuilder("sleep", "1").start();
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                """);
        rules = inject(rules, ADD, """
                try {
                    java.nio.file.Files.write(java.nio.file.Path.of("fill-" + a), new byte[1 << 20]);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                """);
        rules = rules.replace(ADD, "static native int magic();\n\n    " + ADD);
        corpus.put("scan-rules", Map.of(calc, rules,
                // JUnit's Assertions, shadowed by a class that never fails
                "lab-01-calc/src/main/java/fixture/calc/Assertions.java", """
                        package org.junit.jupiter.api;

                        public final class Assertions {
                            public static void assertEquals(int expected, int actual) {
                            }
                        }
                        """));

        // reads and changes whatever it finds of other students' runs while its own test runs. Only
        // where the test JVM is confined: as the grader's own user it would reach (and change) the
        // runs of every grader of that user on the machine.
        if (Confinement.current().on()) {
            corpus.put("snoop", Map.of(calc, inject(solved, ADD, SNOOP)));
        }
        // a test-id list guessed from the feedback (results.json names every test), written as
        // passing verdicts into its own run's events file with the next sequence numbers
        corpus.put("guessed-ids", Map.of(calc, inject(solved, ADD, GUESSED_IDS)));
        // reads the hidden test's class (and source, where it can reach it) and carries it out in an
        // exception message, and in the last lines a test JVM prints before it runs out of memory
        corpus.put("leak", Map.of(calc, inject(inject(solved, "public static int multiply(int a, int b) {\n",
                STEAL + "if (stolen != null) {\n    throw new IllegalStateException(\"stolen: \" + stolen);\n}\n"),
                "public static int negate(int a) {\n", STEAL + """
                        System.out.println(stolen.toString().replace('\\n', ' '));
                        java.util.List<long[]> hog = new java.util.ArrayList<>();
                        while (hog != null) {
                            hog.add(new long[1 << 20]);
                        }
                        """)));

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
        assertThat("a gradebook row for every submission", Files.readAllLines(out.resolve("gradebook.csv")).size(),
                is(corpus.size() + 1));
    }

    /** The given file helper the attacks below call (see where it is written). */
    private static final String SCRATCH_FILES = """
            package fixture.calc;

            import java.io.IOException;
            import java.nio.charset.StandardCharsets;
            import java.nio.file.Files;
            import java.nio.file.Path;
            import java.nio.file.StandardOpenOption;
            import java.util.List;
            import java.util.stream.Stream;

            /** Files by name, as the labs' storage layer opens them. */
            public final class ScratchFiles {

                private ScratchFiles() {
                }

                public static String here() {
                    return Path.of("").toAbsolutePath().toString();
                }

                public static List<String> list(String dir) throws IOException {
                    try (Stream<Path> s = Files.list(Path.of(dir))) {
                        return s.map(Path::toString).sorted().toList();
                    }
                }

                public static boolean isDirectory(String path) {
                    return Files.isDirectory(Path.of(path));
                }

                public static String read(String file) throws IOException {
                    return new String(Files.readAllBytes(Path.of(file)), StandardCharsets.ISO_8859_1);
                }

                public static void append(String file, String text) throws IOException {
                    Files.writeString(Path.of(file), text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
            }
            """;

    /**
     * For two seconds, walks every {@code /tmp/storagelab-*} folder it can, reads other runs' test
     * lists and events and leaves a file in their working folders, and one in {@code /tmp} for the
     * next run with its user id; says what it managed.
     */
    private static final String SNOOP = """
            String mine = ScratchFiles.here();
            mine = mine.substring(0, mine.lastIndexOf('/'));
            java.util.Set<String> denied = new java.util.TreeSet<>();
            java.util.Set<String> read = new java.util.TreeSet<>();
            java.util.Set<String> wrote = new java.util.TreeSet<>();
            long end = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < end) {
                java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(java.util.List.of("/tmp"));
                int budget = 3000;
                while (!todo.isEmpty() && budget-- > 0) {
                    String dir = todo.poll();
                    java.util.List<String> entries;
                    try {
                        entries = ScratchFiles.list(dir);
                    } catch (java.io.IOException e) {
                        denied.add(dir);
                        continue;
                    }
                    for (String e : entries) {
                        String name = e.substring(e.lastIndexOf('/') + 1);
                        if (e.startsWith(mine) || (dir.equals("/tmp") && !name.startsWith("storagelab-"))) {
                            continue;
                        }
                        if (ScratchFiles.isDirectory(e)) {
                            todo.add(e);
                            if (name.equals("work")) {
                                try {
                                    ScratchFiles.append(e + "/snooped", "was here\\n");
                                    wrote.add(e);
                                } catch (java.io.IOException x) {
                                    denied.add(e);
                                }
                            }
                        } else if (name.startsWith("tests-") || name.startsWith("events-")) {
                            try {
                                ScratchFiles.read(e);
                                read.add(e);
                            } catch (java.io.IOException x) {
                                denied.add(e);
                            }
                        }
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    break;
                }
            }
            String left = "/tmp/storagelab-left-by-snoop-" + Math.abs(mine.hashCode());
            try {
                ScratchFiles.append(left, "for the next run with this user id\\n");
            } catch (java.io.IOException e) {
                left = "none";
            }
            if (mine != null) {
                throw new IllegalStateException("snoop: left " + left + "; denied " + denied.size() + " folders and files, "
                        + denied.stream().filter(d -> d.contains("/storagelab-confined")).count()
                        + " of them of confined runs; read of other runs: " + read
                        + "; wrote into other runs: " + wrote);
            }
            """;

    /** Appends a passing verdict for every test id the feedback names, numbered after the runner's lines so far. */
    private static final String GUESSED_IDS = """
            String[] ids = {"absolute", "adds", "maximum", "minimum", "multiplies", "negates", "squares"};
            String run = ScratchFiles.here();
            run = run.substring(0, run.lastIndexOf('/'));
            try {
                for (String f : ScratchFiles.list(run)) {
                    if (f.substring(f.lastIndexOf('/') + 1).startsWith("events-")) {
                        long seq = ScratchFiles.read(f).lines().count();
                        StringBuilder forged = new StringBuilder();
                        for (String id : ids) {
                            forged.append(seq++).append(" S fixture.calc.CalcHiddenTest#").append(id).append(" AAAA\\n");
                            forged.append(seq++).append(" F fixture.calc.CalcHiddenTest#").append(id).append(" PASS  AAAA\\n");
                        }
                        forged.append(seq).append(" D AAAA\\n");
                        ScratchFiles.append(f, forged.toString());
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            """;

    /** Collects the hidden test's class and source files from its run's folder and the folders above it. */
    private static final String STEAL = """
            StringBuilder stolen = new StringBuilder();
            String here = ScratchFiles.here();
            java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(java.util.List.of(here + "/..", here + "/../.."));
            java.util.Set<String> seen = new java.util.HashSet<>();
            int budget = 5000;
            while (!todo.isEmpty() && budget-- > 0) {
                String dir = todo.poll();
                try {
                    for (String e : ScratchFiles.list(dir)) {
                        if (ScratchFiles.isDirectory(e)) {
                            todo.add(e);
                        } else if ((e.endsWith("/CalcHiddenTest.class") || e.endsWith("/CalcHiddenTest.java"))
                                && seen.add(e.substring(e.lastIndexOf('/')))) {
                            stolen.append(ScratchFiles.read(e));
                        }
                    }
                } catch (java.io.IOException e) {
                    // not readable from here
                }
            }
            """;

    /** {@code calc} with {@code code} at the top of the method that {@code header} opens. */
    private static String inject(String calc, String header, String code) {
        assertThat(calc, containsString(header));
        return calc.replace(header, header + code.indent(8));
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
    void theHonestCodeEarnsEveryPoint() {
        assertThat(lab01("honest").problem(), nullValue());
        assertThat(lab01("honest").earned(), closeTo(HONEST, 1e-9));
    }

    @Test
    void changedGivenClassesPomsAndTestsAreNotTaken() throws IOException {
        LabResult lab = lab01("given-and-build-files-changed");
        assertThat("built with the reference's pom, and graded by its hidden tests", lab.problem(), nullValue());
        assertThat(lab.tests().size(), is(7));
        assertThat(lab.earned(), closeTo(0.0, 1e-9));
        for (GradeReport.TestResult t : lab.tests()) {
            assertThat("the reference's NotImplementedException ran", t.outcome().message(), containsString("is not implemented yet"));
        }
        assertThat(feedback("given-and-build-files-changed"), not(containsString("FORGED")));
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
    void aDaemonThreadPrintingVerdictsAfterItsTestEarnsNothingExtra() {
        // not forbidden (threads are a lab's business), and harmless: verdicts are signed events, not output
        LabResult lab = lab01("daemon-writer");
        assertThat(lab.earned(), lessThanOrEqualTo(HONEST));
        assertThat(lab.problem(), nullValue());
    }

    @Test
    void readingOrChangingAnotherStudentsRunIsDeniedByTheTestJvmsOwnUser() {
        assumeTrue(Confinement.current().on(), "the test JVM runs as the grader's user: " + Confinement.current().describe());
        LabResult lab = lab01("snoop");
        assertThat("not forbidden by the scan: it goes through a given class", lab.problem(), nullValue());
        assertThat(lab.earned(), lessThanOrEqualTo(HONEST));
        String said = lab.tests().stream().filter(t -> t.test().methodName().equals("adds")).findFirst().orElseThrow()
                .outcome().message();
        assertThat(said, containsString("; denied "));
        assertThat("it found the confined runs' folder and could not look inside", said,
                matchesPattern("(?s).* [1-9][0-9]* of them of confined runs;.*"));
        assertThat(said, containsString("read of other runs: []"));
        assertThat(said, containsString("wrote into other runs: []"));
        java.util.regex.Matcher left = java.util.regex.Pattern.compile("snoop: left (/tmp/\\S+);").matcher(said);
        assertThat("it could leave a file in /tmp, as anyone can", left.find(), is(true));
        assertThat("removed when its run ended", Files.exists(Path.of(left.group(1))), is(false));
        // and harmed no one: the honest submission ran beside it with every point, every report written
        assertThat(lab01("honest").earned(), closeTo(HONEST, 1e-9));
    }

    @Test
    void verdictsForTestIdsGuessedFromTheFeedbackAreTampering() throws IOException {
        LabResult lab = lab01("guessed-ids");
        assertThat(lab.earned(), closeTo(0.0, 1e-9));
        assertThat(lab.problem(), containsString("tampering detected: an event line with a forged MAC"));
        assertThat(instructorLab("guessed-ids").get("problem").getAsString(), containsString("tampering detected"));
        assertThat(feedback("guessed-ids"), containsString("the test run was invalid"));
        assertThat(feedback("guessed-ids"), not(containsString("tampering")));
    }

    @Test
    void theHiddenTestsCarriedOutInMessagesAreWithheld() throws IOException {
        LabResult lab = lab01("leak");
        assertThat(lab.problem(), nullValue());
        for (String test : List.of("multiplies", "negates")) {
            GradeReport.TestResult t = lab.tests().stream().filter(x -> x.test().methodName().equals(test)).findFirst()
                    .orElseThrow();
            assertThat(test + " failed", t.outcome().passed(), is(false));
            assertThat(test, t.outcome().message(), containsString(FeedbackFilter.WITHHELD));
        }
        assertThat("the crash message names the crash", lab.tests().stream().filter(x -> x.test().methodName().equals("negates"))
                .findFirst().orElseThrow().outcome().message(), containsString("ran out of memory"));
        for (String quote : List.of("Calc.multiply(2, 3)", "LineNumberTable", "RuntimeVisibleAnnotations", "Lfixture/calc/Calc")) {
            assertThat(feedback("leak"), not(containsString(quote)));
            assertThat(Files.readString(out.resolve("leak").resolve("grade.json")), not(containsString(quote)));
        }
        assertThat("its honest methods still count", lab.earned(), closeTo(HONEST - 2, 1e-9));
    }

    @Test
    void exitIsStoppedByTheScan() throws IOException {
        rejected("scan-rules", "forbidden API: fixture.calc.Calc.multiply calls java.lang.System.exit (process control)");
    }

    @Test
    void aShutdownHookIsStoppedByTheScan() throws IOException {
        rejected("scan-rules", "forbidden API: fixture.calc.Calc.negate calls java.lang.Runtime.addShutdownHook (shutdown hooks)");
    }

    @Test
    void replacingTheStandardStreamsIsStoppedByTheScan() throws IOException {
        rejected("scan-rules", "forbidden API: fixture.calc.Calc.square calls java.lang.System.setOut (replacing the standard streams)");
    }

    @Test
    void readingTheHiddenTestsIsStoppedByTheScan() throws IOException {
        rejected("scan-rules", "forbidden API: fixture.calc.Calc.max calls java.lang.Class.getResourceAsStream (class path resources");
        rejected("scan-rules", "forbidden API: fixture.calc.Calc.abs calls java.lang.Class.forName (reflection and method handles)");
    }

    @Test
    void aForkBombIsStoppedByTheScan() throws IOException {
        rejected("scan-rules", "forbidden API: fixture.calc.Calc.min calls java.lang.ProcessBuilder constructor (process control)");
    }

    @Test
    void fillingTheDiskIsStoppedByTheScan() throws IOException {
        rejected("scan-rules", "forbidden API: fixture.calc.Calc.add calls java.nio.file.Path.of (direct file access");
    }

    @Test
    void nativeCodeIsStoppedByTheScan() throws IOException {
        rejected("scan-rules", "forbidden API: fixture.calc.Calc.magic is a native method (JNI native code)");
    }

    @Test
    void aClassStandingInForJUnitIsStoppedByTheScan() throws IOException {
        rejected("scan-rules", "forbidden API: org.junit.jupiter.api.Assertions is in package org.junit.jupiter.api");
    }
}
