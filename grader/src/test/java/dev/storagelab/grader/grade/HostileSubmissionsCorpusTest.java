package dev.storagelab.grader.grade;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
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
import dev.storagelab.grader.feedback.FeedbackFilter;
import dev.storagelab.grader.release.Exporter;
import dev.storagelab.grader.report.GradeReport;
import dev.storagelab.grader.report.GradeReport.LabResult;
import dev.storagelab.grader.report.ReportWriter;
import dev.storagelab.grader.run.TestSupervisor.Status;
import dev.storagelab.grader.sandbox.Confinement;
import dev.storagelab.grader.sandbox.HostileCorpus;
import dev.storagelab.grader.sandbox.SandboxPolicy;
import dev.storagelab.grader.sandbox.TestJvmLimits;
import dev.storagelab.grader.sandbox.Walls;
import dev.storagelab.grader.workspace.Workspace;
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
 *   <li>solution and instructor material in the release: {@link ReleaseLeakCheckTest};</li>
 *   <li>a submission that is no text: links to the instructor's own files, a linked lab or workspace
 *       folder, FIFOs, a link to a FIFO, links to a huge file, a marker that is not UTF-8, a task's
 *       file left out, escape sequences in names ({@code links} ... {@code escapes}): a submission is
 *       bytes, copied without following a link, and every string from it is escaped where it is
 *       shown;</li>
 *   <li>the test JVM as a whole: direct buffers and a thread stack of 8 GiB beside the heap, its
 *       limits read while it runs ({@code beside-the-heap}): {@link TestJvmLimits};</li>
 *   <li>a test that interrupts its own thread ({@code interrupts}): the verdict channel;</li>
 *   <li>what a message carries, measured: {@link FeedbackCapacityTest}; deadlines a test's own threads
 *       cannot stretch: {@link TestClockTest}.</li>
 * </ol>
 * Each wall alone: the wall-by-wall cases ({@link HostileCorpus#WALL_CASES}: the attacks above on
 * the two walls, and what got through one of them before it held alone: a reflective {@code
 * getenv}, a property through a method handle, the policy switched off by a reflective {@code
 * setAccessible} on its state, a class loader through {@code Constructor.newInstance}, a library's
 * handler that ends the JVM, a static that a listed class inherits) are judged once by the allow-list
 * alone and run once under the policy alone, and the proof says which wall stops each.
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
        // where a wall stands between it and them: as the grader's own user with no policy it would
        // reach (and change) the runs of every grader of that user on the machine. As the grader's
        // user, the policy alone must stop it, as on an instructor's laptop.
        if (Confinement.current().on() || SandboxPolicy.available()) {
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
        corpus.put("beside-the-heap", Map.of(calc, HostileCorpus.besideTheHeap(solved)));
        corpus.put("interrupts", Map.of(calc, HostileCorpus.interruptsItsThread(solved)));
        // the task's file left out, a helper of its own instead: the task is as the release gave it
        corpus.put(
                "left-out",
                Map.of(
                        "lab-01-calc/src/main/java/fixture/calc/Helper.java",
                        "package fixture.calc;\n\nfinal class Helper {\n}\n"));

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
        linksAndSpecialFiles(workspace, folder, solved, corpus);
        out = tmp.resolve("out");
        long start = System.nanoTime();
        TestJvmWatch watch = new TestJvmWatch();
        watch.start();
        try {
            reports = new Gradebook(Workspace.at(workspace), true, new PrintStream(new ByteArrayOutputStream(), true))
                    .perf(false)
                    .sharedReference(Fixtures.sharedReference(workspace))
                    .gradeAll(folder, List.of("01"), out, 2);
        } finally {
            watch.interrupt();
            watch.join();
        }
        dataLimits = watch.limits;
        System.out.printf(
                "graded %d hostile submissions in %.1f s%n", corpus.size(), (System.nanoTime() - start) / 1e9);
        assertThat("a report for every submission", reports.keySet(), equalTo(corpus.keySet()));
        assertThat(
                "a gradebook row for every submission",
                Files.readAllLines(out.resolve("gradebook.csv")).size(),
                is(corpus.size() + 1));
    }

    /** Where the submission made of links and special files point, and what they are called. */
    private static final String CALC_DIR = "lab-01-calc/src/main/java/fixture/calc";

    /** A student whose folder's name, and whose file's name, hold a terminal's escape sequences. */
    private static final String ESCAPES = "escapes\u001b]0;all tests passed\u0007\u001b[2K\u001b[1A";

    /**
     * The submissions that are not files of text: links to the instructor's own solved files, a lab
     * folder and a workspace folder that are links, FIFOs (whose read never ends) among the sources
     * and as the release marker, forty links to a file of 128 MiB, a release marker that is not
     * UTF-8, and file and folder names with escape sequences in them.
     */
    private static void linksAndSpecialFiles(
            Path workspace, Path folder, String solved, Map<String, Map<String, String>> corpus) throws Exception {
        Path links = Files.createDirectories(folder.resolve("links").resolve(CALC_DIR));
        Files.createSymbolicLink(
                links.resolve("Calc.java"), workspace.resolve(CALC_DIR).resolve("Calc.java"));
        Files.createSymbolicLink(
                links.resolve("ScratchFiles.java"), workspace.resolve(CALC_DIR).resolve("ScratchFiles.java"));
        Path linkedLab = Files.createDirectories(folder.resolve("linked-lab"));
        Files.createSymbolicLink(linkedLab.resolve("lab-01-calc"), workspace.resolve("lab-01-calc"));
        Path wrapped = Files.createDirectories(folder.resolve("wrapped-link"));
        Files.createSymbolicLink(wrapped.resolve("storagelab"), workspace);
        Path fifo = Files.createDirectories(folder.resolve("fifo").resolve(CALC_DIR));
        Files.writeString(fifo.resolve("Calc.java"), solved);
        mkfifo(fifo.resolve("Helper.java"));
        mkfifo(folder.resolve("fifo").resolve(Exporter.RELEASE_MARKER));
        // a source that is a link to a FIFO outside the submission: whoever follows it waits for ever
        Path blocking = Files.createDirectories(folder.resolve("blocking-link").resolve(CALC_DIR));
        Files.writeString(blocking.resolve("Calc.java"), solved);
        mkfifo(tmp.resolve("blocking.fifo"));
        Files.createSymbolicLink(blocking.resolve("Helper.java"), tmp.resolve("blocking.fifo"));
        Path huge = tmp.resolve("huge.bin");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(128L << 20); // sparse: 128 MiB to whoever reads it, no disk
        }
        Path hugeLinks = Files.createDirectories(folder.resolve("huge-links").resolve(CALC_DIR));
        Files.writeString(hugeLinks.resolve("Calc.java"), solved);
        for (int i = 0; i < 40; i++) {
            Files.createSymbolicLink(hugeLinks.resolve("Big" + i + ".java"), huge);
        }
        Path badMarker = Files.createDirectories(folder.resolve("bad-marker").resolve(CALC_DIR));
        Files.writeString(badMarker.resolve("Calc.java"), solved);
        Files.write(
                folder.resolve("bad-marker").resolve(Exporter.RELEASE_MARKER),
                new byte[] {'g', 'i', 'v', 'e', 'n', '=', (byte) 0xC3, 0x28, (byte) 0xFF, '\n'});
        // a class the allow-list refuses, in a file whose name moves the cursor and retitles the window
        Path escapes = Files.createDirectories(folder.resolve(ESCAPES).resolve(CALC_DIR));
        Files.writeString(escapes.resolve("Calc.java"), solved);
        Files.writeString(
                escapes.resolve(
                        "Evil\u001b[2K\u001b[1A\r| lab-01   7 of 7  8 of 8  100.0%\u001b]0;all tests passed\u0007.java"),
                "package fixture.calc;\n\nfinal class Evil {\n    static void f() {\n        System.exit(0);\n    }\n}\n");
        for (String student : List.of(
                "links", "linked-lab", "wrapped-link", "fifo", "blocking-link", "huge-links", "bad-marker", ESCAPES)) {
            corpus.put(student, Map.of());
        }
    }

    private static void mkfifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertThat("mkfifo " + p, mk.waitFor(), is(0));
    }

    /** The data limit ({@code RLIMIT_DATA}, bytes; -1 for none) of every test JVM seen running during the grading. */
    private static List<Long> dataLimits;

    /** Reads, while the corpus is graded, the limits of every test JVM the grader starts. */
    private static final class TestJvmWatch extends Thread {
        final List<Long> limits = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.Set<Long> seen = new java.util.HashSet<>();

        TestJvmWatch() {
            super("test-jvm-watch");
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!isInterrupted()) {
                ProcessHandle.current().descendants().forEach(p -> {
                    boolean runner = p.info()
                            .arguments()
                            .map(a -> java.util.Arrays.asList(a)
                                    .contains(dev.storagelab.grader.runner.HiddenTestRunner.class.getName()))
                            .orElse(false);
                    if (runner && p.info().command().orElse("").endsWith("/java") && seen.add(p.pid())) {
                        try {
                            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "limits"))) {
                                if (line.startsWith("Max data size")) {
                                    String soft = line.substring("Max data size".length())
                                            .trim()
                                            .split("\\s+")[0];
                                    limits.add(soft.equals("unlimited") ? -1L : Long.parseLong(soft));
                                }
                            }
                        } catch (IOException | RuntimeException e) {
                            seen.remove(p.pid()); // gone, or not yet java: try again
                        }
                    }
                });
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
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
                Confinement.current().on() || SandboxPolicy.available(),
                "the test JVM runs as the grader's user with no policy: "
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

    // --- each wall alone --------------------------------------------------------------------------

    private static HostileCorpus.WallByWall wallByWall() throws Exception {
        return HostileCorpus.wallByWall(tmp.resolve("wall-by-wall"));
    }

    /** The allow-list alone refuses exactly the cases it must, each in the method that holds it. */
    @Test
    void withTheScanAloneEveryCaseItMustStopIsRefused() throws Exception {
        HostileCorpus.WallByWall walls = wallByWall();
        for (HostileCorpus.WallCase c : HostileCorpus.WALL_CASES) {
            assertThat(
                    c.name() + (c.scan() ? " is refused by the scan" : " passes the scan (another wall stops it)")
                            + ": " + walls.scan().get(c.name()),
                    walls.scan().containsKey(c.name()),
                    is(c.scan()));
        }
    }

    /**
     * The policy alone (the scan off) stops exactly the cases it must, directly, through {@code
     * Method.invoke} or a method handle, and through a library's handler or task; what it does
     * not stop it lets run (the scan's alone, and so said in {@link SandboxPolicy}'s Javadoc).
     */
    @Test
    void withThePolicyAloneEveryCaseItMustStopIsStopped() throws Exception {
        assumeTrue(SandboxPolicy.available(), "no in-JVM policy here: " + SandboxPolicy.describe());
        HostileCorpus.WallByWall walls = wallByWall();
        for (HostileCorpus.WallCase c : HostileCorpus.WALL_CASES) {
            String result = walls.policy().get(c.name());
            assertThat(c.name() + " was run under the policy", result, org.hamcrest.Matchers.notNullValue());
            if (c.policy()) {
                assertThat(
                        c.name() + " is stopped by the policy",
                        result,
                        allOf(
                                org.hamcrest.Matchers.startsWith("stopped: "),
                                anyOf(java.util.Arrays.stream(c.stoppedBy().split("\\|"))
                                        .<org.hamcrest.Matcher<? super String>>map(
                                                org.hamcrest.Matchers::containsString)
                                        .toList())));
            } else {
                assertThat(c.name() + " gets past the policy alone: the scan is its wall", result, equalTo("reached"));
            }
        }
    }

    /** Every case is stopped by a wall alone, and the table says which. */
    @Test
    void everyHostileCaseIsStoppedByAWallAloneAndSaysWhich() throws Exception {
        HostileCorpus.WallByWall walls = wallByWall();
        StringBuilder table = new StringBuilder();
        for (HostileCorpus.WallCase c : HostileCorpus.WALL_CASES) {
            List<String> stoppedBy = new java.util.ArrayList<>();
            if (walls.scan().containsKey(c.name())) {
                stoppedBy.add(Walls.ALLOW_LIST);
            }
            String ran = walls.policy().get(c.name());
            if (ran != null && ran.startsWith("stopped: ")) {
                stoppedBy.add(Walls.POLICY);
            }
            table.append(String.format("%-80s %s%n", c.name(), String.join(", ", stoppedBy)));
            assertThat(c.name() + " is stopped by a wall alone", stoppedBy, not(org.hamcrest.Matchers.empty()));
        }
        System.out.print(table);
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
    void anEncodedPayloadCutIntoShortWordsDoesNotComeThrough() throws IOException {
        String shown = said("leftovers", "minimum");
        assertThat(shown, containsString("payload: "));
        byte[] payload = new byte[3000];
        new java.util.Random(7).nextBytes(payload);
        String encoded = java.util.Base64.getEncoder().encodeToString(payload);
        for (int i = 0; i + 12 <= encoded.length(); i += 12) {
            assertThat("no piece of the payload is shown", shown, not(containsString(encoded.substring(i, i + 12))));
        }
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

    // --- a submission is bytes, never a path to follow --------------------------------------------

    /** A submission refused before any build: no point, its report written, the reason in both readers' views. */
    private static String refused(String student) throws IOException {
        GradeReport r = reports.get(student);
        assertThat(student + " is refused", r.error(), org.hamcrest.Matchers.notNullValue());
        assertThat(student + " earns nothing", r.earned(), closeTo(0.0, 1e-9));
        assertThat(feedback(student), containsString("Grading could not run"));
        String row = Files.readAllLines(out.resolve("gradebook.csv")).stream()
                .filter(l -> l.startsWith(student + ",") || l.startsWith("\"" + student))
                .findFirst()
                .orElse("");
        assertThat(student + "'s gradebook row says why", row, containsString(",0.0,"));
        return r.error();
    }

    @Test
    void aSubmissionOfLinksToTheReferenceScoresNothingAndItsReportNamesTheLinks() throws IOException {
        String error = refused("links");
        assertThat(error, containsString("links, which the grader never follows"));
        assertThat(error, containsString(CALC_DIR + "/Calc.java"));
        assertThat(error, containsString(CALC_DIR + "/ScratchFiles.java"));
        assertThat(
                Files.readString(out.resolve("links").resolve("report.md")), containsString(CALC_DIR + "/Calc.java"));
    }

    @Test
    void aLabFolderOrAWorkspaceFolderThatIsALinkIsRefusedByName() throws IOException {
        assertThat(refused("linked-lab"), containsString("never follows: lab-01-calc;"));
        assertThat(refused("wrapped-link"), containsString("never follows: storagelab;"));
    }

    @Test
    void specialFilesAreRefusedByNameAndNeverRead() throws IOException {
        // were the FIFO read, the grading would have waited for ever for a writer
        String error = refused("fifo");
        assertThat(error, containsString("special files"));
        assertThat(error, containsString(CALC_DIR + "/Helper.java"));
        assertThat(error, containsString(Exporter.RELEASE_MARKER));
    }

    @Test
    void aLinkToAFileWhoseReadNeverEndsIsRefusedByNameWithoutBeingRead() throws IOException {
        // were the link followed, by the copy or by the check for the reference's own sources, the
        // grading would have waited for ever for a writer, and the batch would have no gradebook
        String error = refused("blocking-link");
        assertThat(error, containsString("links, which the grader never follows: " + CALC_DIR + "/Helper.java"));
        assertThat(lab01("honest").earned(), closeTo(HONEST, 1e-9));
    }

    @Test
    void linksToAHugeFileAreRefusedWithoutBeingRead() throws IOException {
        String error = refused("huge-links");
        assertThat(error, containsString(CALC_DIR + "/Big0.java, " + CALC_DIR + "/Big1.java, "));
        assertThat("five are named, and the rest counted", error, containsString(" and 35 more"));
    }

    @Test
    void aReleaseMarkerThatIsNotUtf8IsThatStudentsRowNotTheGradersError() throws IOException {
        String error = refused("bad-marker");
        assertThat(error, containsString(Exporter.RELEASE_MARKER + " is not UTF-8 text"));
        assertThat(error, not(containsString("internal grader error")));
    }

    @Test
    void aTaskFileLeftOutIsAsTheReleaseGaveItNeverTheReferencesSolution() {
        LabResult lab = lab01("left-out");
        assertThat(lab.problem(), nullValue());
        assertThat(lab.earned(), closeTo(0.0, 1e-9));
        assertThat(said("left-out", "adds"), containsString("is not implemented yet"));
    }

    @Test
    void escapeSequencesInNamesShowAsVisibleCodesInEveryReport() throws IOException {
        GradeReport r = reports.get(ESCAPES);
        assertThat(r.error(), containsString("holds control or invisible characters"));
        java.io.StringWriter table = new java.io.StringWriter();
        ReportWriter.printTable(r, new java.io.PrintWriter(table));
        String folder = out.resolve(ESCAPES).toString();
        for (String shown : List.of(
                table.toString(),
                Files.readString(out.resolve(ESCAPES).resolve("report.md")),
                Files.readString(out.resolve(ESCAPES).resolve("results.json")),
                Files.readString(out.resolve(ESCAPES).resolve("grade.json")),
                Files.readString(out.resolve("gradebook.csv")))) {
            assertThat("no escape character reaches a terminal", shown.indexOf('\u001b'), is(-1));
            assertThat("nor a bell, a carriage return", shown.matches("(?s).*[\u0007\r].*"), is(false));
        }
        assertThat(table.toString(), containsString("\\x1B[2K\\x1B[1A\\x0D| lab-01"));
        assertThat(
                Files.readString(out.resolve(ESCAPES).resolve("report.md")),
                containsString("\\x1B]0;all tests passed\\x07"));
        assertThat(
                Files.readString(out.resolve("gradebook.csv")),
                containsString("\"escapes\\x1B]0;all tests passed\\x07\\x1B[2K\\x1B[1A\","));
        assertThat(folder, Files.isDirectory(Path.of(folder)), is(true));
    }

    // --- the test JVM as a whole, and its verdict channel ------------------------------------------

    @Test
    void everyTestJvmIsBoundedBesideItsHeapByTheOsWhileItRuns() {
        assumeTrue(TestJvmLimits.available(), "no prlimit here: only the JVM's flags bound it");
        assertThat("test JVMs were seen running", dataLimits.size(), org.hamcrest.Matchers.greaterThan(3));
        long bound = (96L + 512) << 20; // the fixture's heap, and the memory beside it
        for (long limit : dataLimits) {
            assertThat(
                    "RLIMIT_DATA of a running test JVM",
                    limit,
                    allOf(org.hamcrest.Matchers.greaterThan(0L), lessThanOrEqualTo(bound)));
        }
    }

    @Test
    void directBuffersAreCappedBesideTheHeap() {
        // (the runner's own buffers take the first few)
        assertThat(said("beside-the-heap", "adds"), matchesPattern(".*refused after 6[0-4] MiB.*limit: 67108864.*"));
    }

    @Test
    void aThreadThatAsksForAHugeStackIsRefusedAtItsStartAndCostsOnlyItsTest() {
        assumeTrue(TestJvmLimits.available(), "no prlimit here: only the JVM's flags bound it");
        // the OutOfMemoryError of a thread the OS refused ends the test JVM (JUnit rethrows it)
        assertThat(
                said("beside-the-heap", "multiplies"),
                containsString("crashed: ran out of memory beside the heap (a new thread's stack: the OS refused"
                        + " to start another thread: the test JVM may use 608 MiB in all, its heap 96 MiB of it)"));
        assertThat("the tests after it ran in a new JVM", said("beside-the-heap", "squares"), equalTo(""));
        assertThat(lab01("beside-the-heap").earned(), closeTo(HONEST - 2, 1e-9));
    }

    @Test
    void aTestThatInterruptsItsOwnThreadKeepsTheVerdictChannelOpen() {
        LabResult lab = lab01("interrupts");
        assertThat(
                lab.tests().stream()
                        .filter(t -> !t.outcome().passed())
                        .map(t -> t.test().methodName() + ": " + t.outcome().message())
                        .toList(),
                is(List.of()));
        assertThat(lab.earned(), closeTo(HONEST, 1e-9));
    }
}
