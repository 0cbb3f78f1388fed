package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
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
 * The hostile corpus: submissions written from the fixture's student release (or its solved code)
 * the way a student who wants the points would, graded in one {@code grade-all} run beside two
 * honest ones. Each proof asserts that the submission earns no point its honest code would not,
 * leaks nothing, leaves nothing, and that every report was written. The attacks, by what they try:
 * <ol>
 *   <li>powers no deny-list named, and a class that takes a given class's name ({@link
 *       HostileCorpus#unnamedPowers}, {@link HostileCorpus#NAME_TAKEOVER}): the allow-list;</li>
 *   <li>the test JVM's insides: its command line, memory, file descriptors, the verdict channel,
 *       ending it at once ({@link HostileCorpus#jvmInsides}): its policy ({@link SandboxPolicy});</li>
 *   <li>performance scoring: {@link HostilePerformanceTest};</li>
 *   <li>the hidden tests' bytes and an encoded payload in feedback ({@code leak}, {@code
 *       unnamed-powers}, {@code leftovers}): the walls, and bounded feedback;</li>
 *   <li>hostile output and submissions that break the grader ({@code leftovers}, {@code bad-bytes},
 *       {@code not-a-file}): bounded buffers, one row per student whatever happens;</li>
 *   <li>leftovers in folders anyone may write to, a tree deeper than the path limit, the disk
 *       ({@code leftovers}): the policy, the sweep, the quota;</li>
 *   <li>forged reports and hidden-test compile errors ({@code leftovers}, {@code changed-signature},
 *       a student named like a formula): escaping and translated errors;</li>
 *   <li>two graders on one machine: {@link TestUserLeaseTest};</li>
 *   <li>solution and instructor material in the release: {@link ReleaseLeakCheckTest}.</li>
 * </ol>
 * The supervisor's own defences, with the allow-list off, are in {@link HostileSubmissionsTest}.
 * Attacks that would reach other runs as the grader's own user run only where the test JVM is
 * confined (a grader running as root, as CI and Gradescope do).
 */
class HostileSubmissionsCorpusTest {

    @TempDir
    static Path tmp;

    private static Path out;
    private static Map<String, GradeReport> reports;
    /** What the fixture's solved code earns: every test of lab-01-calc. */
    private static final double HONEST = 8.0;

    /** Where the hostile code goes: the top of {@code Calc.add}, which the first hidden test calls. */
    private static final String ADD = HostileCorpus.ADD;

    @BeforeAll
    static void gradeTheCorpus() throws Exception {
        Path workspace = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws")));
        Files.writeString(
                workspace.resolve("lab-01-calc/src/main/java/fixture/calc/ScratchFiles.java"),
                HostileCorpus.SCRATCH_FILES);
        Path release = tmp.resolve("release");
        new Exporter(Workspace.at(workspace)).export(release);
        String calc = "lab-01-calc/src/main/java/fixture/calc/Calc.java";
        String released = Files.readString(release.resolve(calc));
        String solved =
                Files.readString(workspace.resolve(calc)).replaceAll("(?m)^\\s*// (BEGIN|END) SOLUTION.*\\n", "");

        Map<String, Map<String, String>> corpus = new LinkedHashMap<>();
        corpus.put("honest", Map.of(calc, solved));
        corpus.put("honest-2", Map.of(calc, solved));
        // the release, with a given class, the pom, the hidden and public tests and a testkit file
        // changed: NotImplementedException forges its message; none of it may be taken
        String nie = "lab-01-calc/src/main/java/dev/storagelab/lab/NotImplementedException.java";
        corpus.put(
                "given-and-build-files-changed",
                Map.of(
                        calc,
                        released,
                        nie,
                        Files.readString(release.resolve(nie))
                                .replace(
                                        "super(lab + \" \" + task + \" \" + method + \" is not implemented yet (\" + handout + \")\");",
                                        "super(\"FORGED by a given class\");"),
                        "lab-01-calc/pom.xml",
                        "<project>this pom does not parse</project>\n",
                        "lab-01-calc/src/hidden/java/fixture/calc/CalcHiddenTest.java",
                        "package fixture.calc;\nclass CalcHiddenTest {\n}\n",
                        "lab-01-calc/src/test/java/fixture/calc/AddTest.java",
                        "package fixture.calc;\nclass AddTest {\n}\n",
                        "testkit/src/main/java/dev/storagelab/testkit/Oracle.java",
                        "this is not Java\n"));
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
        corpus.put(
                "parent-kill",
                Map.of(
                        calc,
                        inject(
                                solved,
                                ADD,
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
        rules = inject(
                rules,
                "public static int square(int a) {\n",
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
        corpus.put(
                "scan-rules",
                Map.of(
                        calc,
                        rules,
                        // JUnit's Assertions, shadowed by a class that never fails
                        "lab-01-calc/src/main/java/fixture/calc/Assertions.java",
                        """
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
        corpus.put(
                "leak",
                Map.of(
                        calc,
                        inject(
                                inject(
                                        solved,
                                        "public static int multiply(int a, int b) {\n",
                                        STEAL
                                                + "if (stolen != null) {\n    throw new IllegalStateException(\"stolen: \" + stolen);\n}\n"),
                                "public static int negate(int a) {\n",
                                STEAL + """
                        System.out.println(stolen.toString().replace('\\n', ' '));
                        java.util.List<long[]> hog = new java.util.ArrayList<>();
                        while (hog != null) {
                            hog.add(new long[1 << 20]);
                        }
                        """)));

        corpus.put("unnamed-powers", Map.of(calc, HostileCorpus.unnamedPowers(released)));
        corpus.put(
                "name-takeover",
                Map.of(
                        calc,
                        released,
                        "lab-01-calc/src/main/java/fixture/calc/Sneaky.java",
                        HostileCorpus.NAME_TAKEOVER));
        corpus.put("jvm-insides", Map.of(calc, HostileCorpus.jvmInsides(released)));
        corpus.put("leftovers", Map.of(calc, HostileCorpus.leftoversAndOutputs(solved)));
        corpus.put("changed-signature", Map.of(calc, HostileCorpus.changedSignature(solved)));
        corpus.put("not-a-file", Map.of(calc + "/Calc.java", solved));
        corpus.put(FORMULA, Map.of(calc, solved));

        Path folder = Files.createDirectories(tmp.resolve("class"));
        for (Map.Entry<String, Map<String, String>> submission : corpus.entrySet()) {
            for (Map.Entry<String, String> file : submission.getValue().entrySet()) {
                Path p = folder.resolve(submission.getKey()).resolve(file.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, file.getValue(), StandardCharsets.UTF_8);
            }
        }
        // bytes that are no UTF-8: the grader must still write this student's row, and everyone else's
        Path badBytes = folder.resolve("bad-bytes").resolve(calc);
        Files.createDirectories(badBytes.getParent());
        byte[] bytes = solved.getBytes(StandardCharsets.UTF_8);
        byte[] broken = new byte[bytes.length + 4];
        System.arraycopy(bytes, 0, broken, 0, bytes.length);
        broken[bytes.length] = (byte) 0xC3;
        broken[bytes.length + 1] = (byte) 0x28;
        broken[bytes.length + 2] = (byte) 0xFF;
        broken[bytes.length + 3] = '\n';
        Files.write(badBytes, broken);
        corpus.put("bad-bytes", Map.of());
        out = tmp.resolve("out");
        long start = System.nanoTime();
        reports = new Gradebook(Workspace.at(workspace), true, new PrintStream(new ByteArrayOutputStream(), true))
                .perf(false)
                .gradeAll(folder, List.of("01"), out, 2);
        System.out.printf(
                "graded %d hostile submissions in %.1f s%n", corpus.size(), (System.nanoTime() - start) / 1e9);
        assertThat("a report for every submission", reports.keySet(), equalTo(corpus.keySet()));
        assertThat(
                "a gradebook row for every submission",
                Files.readAllLines(out.resolve("gradebook.csv")).size(),
                is(corpus.size() + 1));
    }

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

    private static String inject(String calc, String header, String code) {
        return HostileCorpus.inject(calc, header, code);
    }

    /** A student whose folder is named like a spreadsheet formula, with Markdown in it. */
    private static final String FORMULA = "=HYPERLINK(`x`) | ## y";

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
        JsonObject grade = JsonParser.parseString(
                        Files.readString(out.resolve(student).resolve("grade.json")))
                .getAsJsonObject();
        return grade.getAsJsonArray("isolated").get(0).getAsJsonObject();
    }

    /** A submission the allow-list stops: no point, every report written, the place and the call named to both readers. */
    private static void rejectedFor(String student, String method, String call) throws IOException {
        LabResult lab = lab01(student);
        assertThat(student + " earns nothing", lab.earned(), closeTo(0.0, 1e-9));
        assertThat(lab.tests().stream().map(t -> t.outcome().status()).toList(), everyItem(equalTo(Status.NOT_RUN)));
        String where = "forbidden API: fixture.calc.Calc." + method + " (Calc.java:";
        assertThat(lab.problem(), containsString(where));
        assertThat(
                lab.problem(),
                matchesPattern("(?s).*" + java.util.regex.Pattern.quote(where) + "\\d+\\) calls "
                        + java.util.regex.Pattern.quote(call) + ".*"));
        assertThat(instructorLab(student).get("problem").getAsString(), containsString(where));
        assertThat("the student is told the same place", feedback(student), containsString(where));
        assertThat(Files.exists(out.resolve(student).resolve("report.md")), is(true));
    }

    /** The message the test of {@code method} failed with. */
    private static String said(String student, String test) {
        return lab01(student).tests().stream()
                .filter(t -> t.test().methodName().equals(test))
                .findFirst()
                .orElseThrow()
                .outcome()
                .message();
    }

    /** Markdown outside fenced code blocks. */
    private static String outsideFences(String markdown) {
        StringBuilder sb = new StringBuilder();
        String fence = null;
        for (String line : markdown.lines().toList()) {
            String t = line.strip();
            if (fence == null && t.startsWith("```")) {
                fence = t.replaceAll("[^`].*", "");
            } else if (fence != null && t.equals(fence)) {
                fence = null;
            } else if (fence == null) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void theHonestCodeEarnsEveryPoint() {
        assertThat(lab01("honest").problem(), nullValue());
        assertThat(lab01("honest").earned(), closeTo(HONEST, 1e-9));
    }

    @Test
    void theGradebookHasEveryRowAndTheHonestStudentsAtFullMarks() throws IOException {
        List<String> rows = Files.readAllLines(out.resolve("gradebook.csv"));
        for (String honest : List.of("honest", "honest-2")) {
            String row = rows.stream()
                    .filter(r -> r.startsWith(honest + ","))
                    .findFirst()
                    .orElseThrow();
            assertThat(row, containsString(",100.0,"));
        }
        assertThat(
                "a name a spreadsheet would run as a formula is quoted and defused",
                rows.stream().anyMatch(r -> r.startsWith("\"'=HYPERLINK(`x`) | ## y\"")),
                is(true));
    }

    @Test
    void changedGivenClassesPomsAndTestsAreNotTaken() throws IOException {
        LabResult lab = lab01("given-and-build-files-changed");
        assertThat("built with the reference's pom, and graded by its hidden tests", lab.problem(), nullValue());
        assertThat(lab.tests().size(), is(7));
        assertThat(lab.earned(), closeTo(0.0, 1e-9));
        for (GradeReport.TestResult t : lab.tests()) {
            assertThat(
                    "the reference's NotImplementedException ran",
                    t.outcome().message(),
                    containsString("is not implemented yet"));
        }
        assertThat(feedback("given-and-build-files-changed"), not(containsString("FORGED")));
    }

    @Test
    void aForgeFromATaskMethodIsStoppedByTheAllowList() throws IOException {
        rejectedFor("forge-from-task", "add", "java.lang.System.getProperty");
        assertThat(lab01("forge-from-task").problem(), containsString("calls java.lang.Runtime.halt"));
        assertThat(lab01("forge-from-task").problem(), containsString("calls java.nio.file.Files.writeString"));
    }

    @Test
    void killingTheGraderIsStoppedByTheAllowList() throws IOException {
        // were it not, the grader (this test's JVM) would have died and no report would exist
        rejectedFor("parent-kill", "add", "java.lang.ProcessHandle.current");
        assertThat(lab01("parent-kill").problem(), containsString("refers to java.lang.ProcessHandle.destroyForcibly"));
    }

    @Test
    void aDaemonThreadPrintingVerdictsAfterItsTestEarnsNothingExtra() {
        // not refused (threads are a lab's business), and harmless: verdicts are not output
        LabResult lab = lab01("daemon-writer");
        assertThat(lab.earned(), lessThanOrEqualTo(HONEST));
        assertThat(lab.problem(), nullValue());
    }

    @Test
    void readingOrChangingAnotherStudentsRunIsDenied() {
        assumeTrue(
                Confinement.current().on(),
                "the test JVM runs as the grader's user: "
                        + Confinement.current().describe());
        LabResult lab = lab01("snoop");
        assertThat("not refused by the allow-list: it goes through a given class", lab.problem(), nullValue());
        assertThat(lab.earned(), lessThanOrEqualTo(HONEST));
        assertThat(
                "the policy stops it at its first step: /tmp is not the run's",
                said("snoop", "adds"),
                containsString("access denied (\"java.io.FilePermission\" \"/tmp\" \"read\")"));
        // and harmed no one: the honest submission ran beside it with every point, every report written
        assertThat(lab01("honest").earned(), closeTo(HONEST, 1e-9));
    }

    @Test
    void verdictsForTestIdsGuessedFromTheFeedbackEarnNothing() throws IOException {
        LabResult lab = lab01("guessed-ids");
        assertThat(
                "the run's folder, where the old events file was, is out of reach",
                said("guessed-ids", "adds"),
                containsString("access denied"));
        assertThat(lab.earned(), closeTo(HONEST - 1, 1e-9));
        assertThat(lab.problem(), nullValue());
    }

    @Test
    void theHiddenTestsCannotBeReadSoNoneIsCarriedOut() throws IOException {
        LabResult lab = lab01("leak");
        assertThat(lab.problem(), nullValue());
        assertThat(
                "it found nothing to carry out: the run's folders are out of reach",
                said("leak", "multiplies"),
                containsString("access denied (\"java.io.FilePermission\""));
        assertThat(said("leak", "multiplies"), not(containsString("CalcHiddenTest")));
        assertThat(said("leak", "negates"), containsString("access denied (\"java.io.FilePermission\""));
        for (String quote :
                List.of("Calc.multiply(2, 3)", "LineNumberTable", "RuntimeVisibleAnnotations", "Lfixture/calc/Calc")) {
            assertThat(feedback("leak"), not(containsString(quote)));
            assertThat(Files.readString(out.resolve("leak").resolve("grade.json")), not(containsString(quote)));
        }
        assertThat("its honest methods still count", lab.earned(), closeTo(HONEST - 2, 1e-9));
    }

    @Test
    void whatTheOldDenyListNamedIsRefusedToo() throws IOException {
        rejectedFor("scan-rules", "multiply", "java.lang.System.exit");
        rejectedFor("scan-rules", "negate", "java.lang.Runtime.getRuntime");
        rejectedFor("scan-rules", "square", "java.lang.System.setOut");
        rejectedFor("scan-rules", "max", "java.lang.Class.getResourceAsStream");
        rejectedFor("scan-rules", "abs", "java.lang.Class.forName");
        rejectedFor("scan-rules", "min", "java.lang.ProcessBuilder constructor");
        rejectedFor("scan-rules", "add", "java.nio.file.Path.of");
        assertThat(
                lab01("scan-rules").problem(),
                containsString("fixture.calc.Calc.magic (Calc.java) is a native method"));
        assertThat(
                lab01("scan-rules").problem(),
                containsString(
                        "org.junit.jupiter.api.Assertions (Assertions.java) is in package" + " org.junit.jupiter.api"));
    }

    // --- class 1: powers nobody named, and a given class's name ------------------------------------

    @Test
    void powersNoDenyListNamedAreRefusedBeforeAnyTest() throws IOException {
        rejectedFor("unnamed-powers", "add", "jdk.jshell.JShell.create");
        rejectedFor("unnamed-powers", "multiply", "javax.xml.parsers.DocumentBuilderFactory.newInstance");
        rejectedFor("unnamed-powers", "negate", "javax.tools.ToolProvider.getSystemJavaCompiler");
        rejectedFor("unnamed-powers", "square", "java.lang.Thread.getStackTrace");
    }

    @Test
    void aClassThatTakesAGivenClassesNameIsJudgedAsTheStudents() throws IOException {
        LabResult lab = lab01("name-takeover");
        assertThat(lab.earned(), closeTo(0.0, 1e-9));
        assertThat(
                "refused by the allow-list, or not compiled at all",
                lab.problem(),
                anyOf(
                        containsString("fixture.calc.ScratchFiles$1.run (Sneaky.java:"),
                        containsString("does not compile")));
    }

    // --- class 2: the test JVM's insides --------------------------------------------------------

    @Test
    void theTestJvmsCommandLineMemoryAndDescriptorsAreOutOfReach() throws IOException {
        LabResult lab = lab01("jvm-insides");
        assertThat("it passed the allow-list: it goes through a given class", lab.problem(), nullValue());
        assertThat("a release that forges earns nothing", lab.earned(), closeTo(0.0, 1e-9));
        assertThat(
                said("jvm-insides", "adds"),
                containsString("access denied (\"java.io.FilePermission\" \"/proc/self/cmdline\""));
        assertThat(
                said("jvm-insides", "multiplies"),
                containsString("access denied (\"java.io.FilePermission\" \"/proc/self/maps\""));
        assertThat(said("jvm-insides", "negates"), containsString("forged into file descriptors: denied 64 of 64"));
        assertThat(
                "verdicts printed on standard output are only output",
                said("jvm-insides", "squares"),
                containsString("is not implemented yet"));
        assertThat(said("jvm-insides", "maximum"), matchesPattern("(?s).*stolen 0 bytes; denied [1-9].*"));
        assertThat(
                "ending the JVM at once costs only that test",
                said("jvm-insides", "absolute"),
                containsString("ran out of memory"));
        assertThat(said("jvm-insides", "minimum"), containsString("access denied"));
        assertThat(
                "no line of it was taken for a verdict",
                lab.tests().stream().noneMatch(t -> t.outcome().passed()),
                is(true));
    }

    // --- classes 4 to 7: feedback, output, leftovers, reports ------------------------------------

    @Test
    void nothingIsLeftInFoldersAnyoneMayWriteTo() {
        assertThat(
                said("leftovers", "adds"),
                containsString("left nothing in /run/lock: java.lang.SecurityException: access denied"
                        + " (\"java.io.FilePermission\" \"/run/lock/storagelab-left-by-a-test\" \"write\")"));
        assertThat(said("leftovers", "multiplies"), containsString("left nothing in /var/tmp or /dev/shm"));
        for (String left : List.of(
                "/run/lock/storagelab-left-by-a-test",
                "/var/tmp/storagelab-left-by-a-test",
                "/dev/shm/storagelab-left-by-a-test")) {
            assertThat(left, Files.exists(Path.of(left)), is(false));
        }
    }

    @Test
    void aRunThatFillsTheDiskIsStoppedAtItsQuota() {
        assertThat(
                said("leftovers", "negates"),
                anyOf(
                        containsString("the run wrote more than its disk quota of 64 MiB"),
                        containsString("File too large")));
    }

    @Test
    void aTreeDeeperThanThePathLimitIsDeletedAndTheRestStillGraded() throws IOException {
        assertThat("it made its tree and answered", said("leftovers", "squares"), equalTo(""));
        assertThat(lab01("leftovers").earned(), closeTo(1.0, 1e-9));
        List<Path> left = new java.util.ArrayList<>();
        Files.walkFileTree(
                Path.of(System.getProperty("java.io.tmpdir")),
                java.util.Set.of(),
                6,
                new java.nio.file.SimpleFileVisitor<>() {
                    @Override
                    public java.nio.file.FileVisitResult preVisitDirectory(
                            Path dir, java.nio.file.attribute.BasicFileAttributes a) {
                        if (dir.getFileName() != null
                                && dir.getFileName().toString().startsWith(HostileCorpus.DEEP_TREE)) {
                            left.add(dir);
                            return java.nio.file.FileVisitResult.SKIP_SUBTREE;
                        }
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }

                    @Override
                    public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }
                });
        assertThat("the tree is gone with its run", left, is(List.of()));
    }

    @Test
    void aFloodWithoutLineBreaksCostsOnlyItsTest() {
        assertThat(said("leftovers", "maximum"), containsString("flooded its output"));
    }

    @Test
    void aMessageCannotForgeTheReport() throws IOException {
        String report = Files.readString(out.resolve("leftovers").resolve("report.md"));
        String markup = outsideFences(report);
        assertThat(markup, not(containsString("Score: 100%")));
        assertThat(markup, not(containsString("Score 8/8")));
        assertThat(markup, not(containsString("![pixel]")));
        assertThat(markup, not(containsString("<script")));
        assertThat(markup, not(containsString("<img")));
        assertThat("the message is there, as text", report, containsString("<script>alert('x')</script>"));
        JsonObject results = JsonParser.parseString(feedback("leftovers")).getAsJsonObject();
        assertThat(
                "Gradescope shows messages as text",
                results.get("output_format").getAsString(),
                equalTo("text"));
        String junit =
                Files.readString(out.resolve("leftovers").resolve("junit").resolve("TEST-lab-01.xml"));
        assertThat(junit, not(containsString("<script")));
    }

    @Test
    void anEncodedPayloadInAMessageIsCutToAFewCharacters() throws IOException {
        String payload = said("leftovers", "minimum");
        assertThat(payload, containsString("payload: "));
        assertThat(
                "no word longer than the filter allows",
                java.util.Arrays.stream(payload.split("\\s+"))
                        .mapToInt(String::length)
                        .max()
                        .orElse(0),
                lessThanOrEqualTo(FeedbackFilter.MAX_WORD));
        JsonObject results = JsonParser.parseString(feedback("leftovers")).getAsJsonObject();
        for (var t : results.getAsJsonArray("tests")) {
            String output = t.getAsJsonObject().get("output").getAsString();
            assertThat(output.length(), lessThanOrEqualTo(FeedbackFilter.MAX + 400));
        }
    }

    @Test
    void readingTheHiddenTestsAsResourcesIsRefused() throws IOException {
        rejectedFor("unnamed-powers", "max", "java.lang.ClassLoader.getSystemResourceAsStream");
        rejectedFor("unnamed-powers", "min", "java.util.ResourceBundle.getBundle");
        rejectedFor("unnamed-powers", "abs", "java.net.Socket constructor");
    }

    @Test
    void aCompileErrorAgainstTheHiddenTestsNamesOnlyWhatTheyNeed() throws IOException {
        LabResult lab = lab01("changed-signature");
        assertThat(lab.earned(), closeTo(0.0, 1e-9));
        assertThat(lab.problem(), containsString("does not compile"));
        assertThat(lab.problem(), containsString("the graded tests use method add(int,int) of fixture.calc.Calc"));
        for (String reader : List.of(
                feedback("changed-signature"),
                Files.readString(out.resolve("changed-signature").resolve("grade.json")))) {
            assertThat(reader, not(containsString("src/hidden")));
            assertThat(reader, not(containsString("CalcHiddenTest.java")));
            assertThat(reader, not(containsString("Calc.add(2, 3)")));
        }
    }

    @Test
    void submissionsThatBreakTheGraderAreTheirOwnRows() throws IOException {
        for (String student : List.of("bad-bytes", "not-a-file")) {
            GradeReport r = reports.get(student);
            assertThat(student + " has a report", r, is(org.hamcrest.Matchers.notNullValue()));
            assertThat(student + " earns nothing", r.earned(), closeTo(0.0, 1e-9));
            assertThat(Files.exists(out.resolve(student).resolve("results.json")), is(true));
        }
        assertThat(lab01("honest-2").earned(), closeTo(HONEST, 1e-9));
    }

    @Test
    void aStudentsNameCannotForgeTheReport() throws IOException {
        String report = Files.readString(out.resolve(FORMULA).resolve("report.md"));
        assertThat(outsideFences(report), not(containsString("\n## y")));
        assertThat(lab01(FORMULA).earned(), closeTo(HONEST, 1e-9));
    }
}
