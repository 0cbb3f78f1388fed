package dev.storagelab.grader.check;

import com.google.gson.GsonBuilder;
import dev.storagelab.grader.release.Exporter;
import dev.storagelab.grader.workspace.ChildProcesses;
import dev.storagelab.grader.workspace.FileTrees;
import dev.storagelab.grader.workspace.HandoutTasks;
import dev.storagelab.grader.workspace.HiddenTests;
import dev.storagelab.grader.workspace.Lab;
import dev.storagelab.grader.workspace.LabBuild;
import dev.storagelab.grader.workspace.Regions;
import dev.storagelab.grader.workspace.Workspace;
import dev.storagelab.grader.workspace.WorkspaceCopies;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * {@code ./storagelab audit}: how good are a lab's tests at catching wrong student code? PIT
 * (mutation testing) plants small bugs, one at a time, in the classes that hold the lab's
 * solution regions, and runs the tests against each; a mutant the tests fail on is killed. Only
 * mutants on lines inside a solution region count (given code is not the students' to get wrong).
 * The score is run twice, with the hidden tests and with the public tests alone, on a scratch copy
 * of the workspace. Per task: mutants, killed (a timeout counts as killed, as PIT counts it),
 * survived, the score, and every surviving mutant with its file, line and mutator. The timeouts
 * are shown apart: on a loaded machine a slow test can pass PIT's time limit, so a score that
 * rests on them is checked by hand (or rerun with a longer {@code timeoutConstant}).
 */
public final class Audit {

    /** One mutant PIT made on a line of a solution region. */
    public record Mutant(
            String file, int line, String task, String mutator, String description, String status, boolean detected) {}

    /** One suite's result on the lab: the mutants in its regions, by task. */
    public record SuiteResult(String suite, List<Mutant> mutants, double seconds) {

        public long killed(String task) {
            return of(task).stream().filter(Mutant::detected).count();
        }

        /** The mutants of {@code task} ({@code null}: all) that PIT stopped at its time limit, counted as killed. */
        public long timedOut(String task) {
            return of(task).stream().filter(m -> m.status().equals("TIMED_OUT")).count();
        }

        public List<Mutant> of(String task) {
            return task == null
                    ? mutants
                    : mutants.stream().filter(m -> m.task().equals(task)).toList();
        }

        /** Killed over all, in percent; NaN with no mutant. */
        public double score(String task) {
            List<Mutant> in = of(task);
            return in.isEmpty() ? Double.NaN : 100.0 * killed(task) / in.size();
        }
    }

    /** The audit of one lab: both suites. */
    public record Report(String lab, List<String> tasks, SuiteResult hidden, SuiteResult publicTests) {}

    private static final Duration DEADLINE = Duration.ofHours(3);

    private final Workspace workspace;
    private final PrintStream log;
    private final boolean offline;
    private final long timeoutConstantMillis;

    public Audit(Workspace workspace, PrintStream log, boolean offline) {
        this(workspace, log, offline, 0);
    }

    /**
     * @param timeoutConstantMillis PIT's {@code timeoutConstant}, the milliseconds a mutant's test
     *        run may take beyond 1.25 times the unmutated run before it counts as timed out; 0 keeps
     *        PIT's default (4,000). A longer one keeps a slow test on a loaded machine from passing
     *        for a killing timeout, at the cost of a longer wait on every mutant that really loops.
     */
    public Audit(Workspace workspace, PrintStream log, boolean offline, long timeoutConstantMillis) {
        if (timeoutConstantMillis < 0) {
            throw new IllegalArgumentException(
                    "PIT's timeout constant must not be negative: " + timeoutConstantMillis + " ms");
        }
        this.workspace = workspace;
        this.log = log;
        this.offline = offline;
        this.timeoutConstantMillis = timeoutConstantMillis;
    }

    /** Audits {@code lab} ({@code task}: only that task's regions), writing PIT's reports and a summary under {@code out}. */
    public Report run(Lab lab, String task, Path out) throws IOException {
        Map<String, List<Regions.Region>> regions = regions(lab, task);
        if (regions.isEmpty()) {
            throw new IllegalArgumentException(
                    lab.id() + (task == null ? "" : " " + task) + " has no solution regions to audit");
        }
        List<String> tasks = regions.values().stream()
                .flatMap(List::stream)
                .map(Regions.Region::task)
                .distinct()
                .sorted(Exporter.TASK_ORDER)
                .toList();
        Path scratch = FileTrees.temporaryFolder("storagelab-audit");
        try {
            Path root = scratch.resolve("workspace");
            WorkspaceCopies.copy(workspace, root);
            List<String> hiddenTests = withoutLincheck(root, lab, HiddenTests.classNames(root, lab, "src/hidden/java"));
            List<String> publicTests = withoutLincheck(root, lab, HandoutTasks.testClasses(workspace, lab));
            if (hiddenTests.isEmpty()) {
                throw new IllegalArgumentException(lab.directory() + " has no hidden tests (src/hidden/java) to audit");
            }
            Files.createDirectories(out);
            Set<String> excluded = givenOnlyMethods(lab, root, regions, out.resolve("compile.log"));
            log.println("audit " + lab.id() + ": " + excluded.size()
                    + " method names hold no solution line and are not mutated");
            SuiteResult hidden = suite("hidden", lab, root, regions, excluded, hiddenTests, out.resolve("pit-hidden"));
            SuiteResult pub = publicTests.isEmpty()
                    ? new SuiteResult("public", List.of(), 0)
                    : suite("public", lab, root, regions, excluded, publicTests, out.resolve("pit-public"));
            Report report = new Report(lab.id(), tasks, hidden, pub);
            Files.writeString(
                    out.resolve("audit.json"),
                    new GsonBuilder()
                            .setPrettyPrinting()
                            .serializeSpecialFloatingPointValues()
                            .create()
                            .toJson(report),
                    StandardCharsets.UTF_8);
            Files.writeString(out.resolve("audit.txt"), text(report), StandardCharsets.UTF_8);
            return report;
        } finally {
            FileTrees.deleteRecursively(scratch);
        }
    }

    /**
     * {@code tests} less the Lincheck tests: Lincheck rewrites the bytecode of the classes it
     * checks, and under PIT's own instrumentation they fail without any mutant (PIT then refuses
     * to run). The races they catch are proven by the planted race fixtures instead
     * ({@code notes/figures/race_mutants.sh}).
     */
    private List<String> withoutLincheck(Path root, Lab lab, List<String> tests) throws IOException {
        List<String> kept = new ArrayList<>();
        for (String test : tests) {
            String rel = test.replace('.', '/') + ".java";
            boolean lincheck = false;
            for (String dir : List.of("src/hidden/java", "src/test/java")) {
                Path source = root.resolve(lab.directory()).resolve(dir).resolve(rel);
                if (Files.isRegularFile(source)
                        && Files.readString(source, StandardCharsets.UTF_8).contains("lincheck")) {
                    lincheck = true;
                }
            }
            if (lincheck) {
                log.println("audit " + lab.id() + ": " + test
                        + " left out (a Lincheck test cannot run under PIT's instrumentation)");
            } else {
                kept.add(test);
            }
        }
        return kept;
    }

    /** The solution regions of {@code lab} ({@code task}: only its), by source path relative to the lab's sources. */
    private Map<String, List<Regions.Region>> regions(Lab lab, String task) throws IOException {
        Path sources = workspace.root().resolve(lab.studentSources());
        Map<String, List<Regions.Region>> found = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path p :
                    files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String rel = sources.relativize(p).toString();
                List<Regions.Region> in = Regions.find(Files.readString(p, StandardCharsets.UTF_8), rel, lab).stream()
                        .filter(r -> task == null || r.task().equalsIgnoreCase(task))
                        .toList();
                if (!in.isEmpty()) {
                    found.put(rel, in);
                }
            }
        }
        return found;
    }

    /**
     * The names of the methods (of the classes compiled from files with regions) that hold no line
     * of a solution region, less every name that some such method does hold: PIT's
     * {@code excludedMethods} matches names in every class, so a name is left out only when no
     * method of that name has a mutant that could count. Most of a class is given code, and its
     * mutants would cost a test run each for nothing. Compiles the lab first (PIT's own
     * {@code test-compile} then finds it up to date).
     */
    private Set<String> givenOnlyMethods(Lab lab, Path root, Map<String, List<Regions.Region>> regions, Path compileLog)
            throws IOException {
        LabBuild.Result build = LabBuild.build(root, List.of(lab), Duration.ofMinutes(30), offline);
        Files.writeString(compileLog, build.log(), StandardCharsets.UTF_8);
        if (!build.finished() || build.exitCode() != 0) {
            throw new IOException("could not compile " + lab.directory() + " for the audit; see " + compileLog);
        }
        Path classes = root.resolve(lab.directory()).resolve("target/classes");
        Set<String> given = new TreeSet<>();
        Set<String> solution = new TreeSet<>();
        for (Map.Entry<String, List<Regions.Region>> e : regions.entrySet()) {
            String rel = e.getKey();
            int slash = rel.lastIndexOf('/');
            Path pkg = classes.resolve(slash < 0 ? "" : rel.substring(0, slash));
            String source = rel.substring(slash + 1);
            String outer = source.substring(0, source.length() - ".java".length());
            List<Path> files;
            try (Stream<Path> list = Files.list(pkg)) {
                files = list.filter(f -> {
                            String n = f.getFileName().toString();
                            return n.equals(outer + ".class") || (n.startsWith(outer + "$") && n.endsWith(".class"));
                        })
                        .toList();
            }
            for (Path f : files) {
                for (Map.Entry<String, Set<Integer>> m : MethodLines.of(f).entrySet()) {
                    boolean inRegion = m.getValue().stream()
                            .anyMatch(line -> e.getValue().stream().anyMatch(r -> r.contains(line)));
                    (inRegion ? solution : given).add(m.getKey());
                }
            }
        }
        given.removeAll(solution);
        given.removeIf(
                n -> n.startsWith("<")); // constructors and static initialisers: kept, to be safe with PIT's globs
        return given;
    }

    /** The source lines of each method of a compiled class, by method name (ASM). */
    private static final class MethodLines extends org.objectweb.asm.ClassVisitor {
        private final Map<String, Set<Integer>> lines = new TreeMap<>();

        private MethodLines() {
            super(org.objectweb.asm.Opcodes.ASM9);
        }

        static Map<String, Set<Integer>> of(Path classFile) throws IOException {
            MethodLines v = new MethodLines();
            try (java.io.InputStream in = Files.newInputStream(classFile)) {
                new org.objectweb.asm.ClassReader(in).accept(v, org.objectweb.asm.ClassReader.SKIP_FRAMES);
            }
            return v.lines;
        }

        @Override
        public org.objectweb.asm.MethodVisitor visitMethod(
                int access, String name, String descriptor, String signature, String[] exceptions) {
            Set<Integer> mine = lines.computeIfAbsent(name, k -> new java.util.TreeSet<>());
            return new org.objectweb.asm.MethodVisitor(org.objectweb.asm.Opcodes.ASM9) {
                @Override
                public void visitLineNumber(int line, org.objectweb.asm.Label start) {
                    mine.add(line);
                }
            };
        }
    }

    private SuiteResult suite(
            String name,
            Lab lab,
            Path root,
            Map<String, List<Regions.Region>> regions,
            Set<String> excluded,
            List<String> tests,
            Path reports)
            throws IOException {
        Set<String> classes = new LinkedHashSet<>();
        for (String rel : regions.keySet()) {
            String cls = rel.substring(0, rel.length() - ".java".length()).replace('/', '.');
            classes.add(cls);
            classes.add(cls + "$*"); // a region's code may sit in a lambda or an inner class
        }
        List<String> cmd = LabBuild.maven();
        cmd.addAll(List.of(
                "-B",
                "-q",
                "-Dstyle.color=never",
                "-Denforcer.skip=true",
                "-pl",
                lab.directory(),
                "-am",
                "test-compile",
                "org.pitest:pitest-maven:mutationCoverage",
                "-DtargetClasses=" + String.join(",", classes),
                "-DtargetTests=" + String.join(",", tests),
                "-DoutputFormats=XML,HTML",
                "-DtimestampedReports=false",
                "-DfailWhenNoMutations=false",
                "-Dthreads=" + Math.max(1, Runtime.getRuntime().availableProcessors()),
                // PIT's coverage run keeps every test's coverage in one JVM: lab-03's conformance
                // suites (thousands of generated tests) outgrow the tests' own 1 GiB heap there.
                // PIT appends surefire's argLine after its own jvmArgs, so the heap is set there.
                "-Dstoragelab.surefire.argLine=-Xmx3g",
                // PIT reads surefire's <excludes> as tests to leave out, and the labs' surefire
                // leaves out the hidden tests (the grader runs them): the audit needs them all.
                "-Dstoragelab.surefire.excludes=none",
                "-DreportsDirectory=" + reports.toAbsolutePath()));
        if (!excluded.isEmpty()) {
            cmd.add("-DexcludedMethods=" + String.join(",", excluded));
        }
        if (timeoutConstantMillis > 0) {
            cmd.add("-DtimeoutConstant=" + timeoutConstantMillis);
        }
        if (offline) {
            cmd.add("-o");
        }
        Path mavenLog = reports.resolveSibling(reports.getFileName() + ".log");
        Files.createDirectories(reports);
        log.println("audit " + lab.id() + ": PIT with the " + name + " tests (" + tests.size() + " classes) ...");
        long start = System.nanoTime();
        Process p = ChildProcesses.start(new ProcessBuilder(cmd)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(mavenLog.toFile()));
        try {
            if (!ChildProcesses.awaitOrKill(p, DEADLINE)) {
                throw new IllegalStateException(
                        "PIT did not finish within " + DEADLINE.toHours() + " hours; see " + mavenLog);
            }
        } catch (InterruptedException e) {
            ChildProcesses.kill(p);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while PIT ran", e);
        }
        Path xml = reports.resolve("mutations.xml");
        if (p.exitValue() != 0 || !Files.isRegularFile(xml)) {
            List<String> lines = Files.readAllLines(mavenLog, StandardCharsets.UTF_8);
            String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
            throw new IllegalStateException(pitFailure(lab.directory(), name, p.exitValue(), offline, mavenLog, tail));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new SuiteResult(name, inRegions(xml, regions), seconds);
    }

    /**
     * What to tell the instructor when PIT's Maven run failed: the lab, the suite, how it ended (a
     * status above 128 is a signal), what to do where the cause is known, and the log's last lines.
     */
    static String pitFailure(String lab, String suite, int exit, boolean offline, Path log, String tail) {
        String how = exit > 128 ? "killed by signal " + (exit - 128) : "exit " + exit;
        String advice = "";
        if (offline && (tail.contains("could not be resolved") || tail.contains("Could not resolve"))) {
            advice = "; PIT's Maven plugin is not in the local Maven repository: run the audit once without"
                    + " --offline, which downloads it";
        } else if (exit > 128) {
            advice = "; something stopped PIT's JVM (a kill, or the machine out of memory): run the audit again";
        }
        return "PIT failed on " + lab + " with the " + suite + " tests (" + how + ")" + advice + "; see " + log
                + "; it ends:\n" + tail;
    }

    /** The mutants of PIT's {@code mutations.xml} that sit on a line inside a solution region. */
    static List<Mutant> inRegions(Path mutationsXml, Map<String, List<Regions.Region>> regions) throws IOException {
        List<Mutant> result = new ArrayList<>();
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            NodeList mutations =
                    factory.newDocumentBuilder().parse(mutationsXml.toFile()).getElementsByTagName("mutation");
            for (int i = 0; i < mutations.getLength(); i++) {
                Element m = (Element) mutations.item(i);
                String mutatedClass = text(m, "mutatedClass");
                int dollar = mutatedClass.indexOf('$');
                String outer = dollar < 0 ? mutatedClass : mutatedClass.substring(0, dollar);
                String pkg = outer.contains(".")
                        ? outer.substring(0, outer.lastIndexOf('.')).replace('.', '/') + "/"
                        : "";
                String file = pkg + text(m, "sourceFile");
                int line = Integer.parseInt(text(m, "lineNumber"));
                for (Regions.Region r : regions.getOrDefault(file, List.of())) {
                    if (r.contains(line)) {
                        String mutator = text(m, "mutator");
                        result.add(new Mutant(
                                file,
                                line,
                                r.task(),
                                mutator.substring(mutator.lastIndexOf('.') + 1),
                                text(m, "description"),
                                m.getAttribute("status"),
                                Boolean.parseBoolean(m.getAttribute("detected"))));
                        break;
                    }
                }
            }
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("cannot read PIT's " + mutationsXml + ": " + e.getMessage(), e);
        }
        return result;
    }

    private static String text(Element e, String tag) {
        NodeList n = e.getElementsByTagName(tag);
        return n.getLength() == 0 ? "" : n.item(0).getTextContent().trim();
    }

    /** The summary people read: a row per task, both suites, then the surviving mutants of the hidden tests. */
    public static String text(Report r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "%-6s %8s %8s %10s %9s %10s %10s%n",
                r.lab(),
                "mutants",
                "killed",
                "timed out",
                "survived",
                "hidden %",
                "public %"));
        List<String> rows = new ArrayList<>(r.tasks());
        rows.add(null);
        for (String task : rows) {
            List<Mutant> in = r.hidden().of(task);
            b.append(String.format(
                    Locale.ROOT,
                    "%-6s %8d %8d %10d %9d %10s %10s%n",
                    task == null ? "total" : task,
                    in.size(),
                    r.hidden().killed(task),
                    r.hidden().timedOut(task),
                    in.size() - r.hidden().killed(task),
                    percent(r.hidden().score(task)),
                    percent(r.publicTests().score(task))));
        }
        b.append(String.format(
                Locale.ROOT,
                "PIT ran %.0f s with the hidden tests, %.0f s with the public tests%n",
                r.hidden().seconds(),
                r.publicTests().seconds()));
        b.append("killed counts the timed out (PIT's verdict); the public tests' timeouts: "
                + r.publicTests().timedOut(null) + "\n");
        List<Mutant> survivors =
                r.hidden().mutants().stream().filter(m -> !m.detected()).toList();
        if (!survivors.isEmpty()) {
            b.append("surviving mutants (the hidden tests pass with these bugs):\n");
            Map<String, List<Mutant>> byTask = new LinkedHashMap<>();
            survivors.forEach(m ->
                    byTask.computeIfAbsent(m.task(), k -> new ArrayList<>()).add(m));
            byTask.forEach((task, list) -> list.forEach(m -> b.append(String.format(
                    Locale.ROOT,
                    "  %-4s %s:%d %s: %s (%s)%n",
                    task,
                    m.file(),
                    m.line(),
                    m.mutator(),
                    m.description(),
                    m.status()))));
        }
        return b.toString();
    }

    private static String percent(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }
}
