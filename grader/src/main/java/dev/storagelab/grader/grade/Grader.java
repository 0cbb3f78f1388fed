package dev.storagelab.grader.grade;

import dev.storagelab.grader.feedback.FeedbackFilter;
import dev.storagelab.grader.feedback.LibraryNoise;
import dev.storagelab.grader.perf.PerfResult;
import dev.storagelab.grader.perf.Performance;
import dev.storagelab.grader.release.Exporter;
import dev.storagelab.grader.report.GradeReport;
import dev.storagelab.grader.report.GradeReport.LabResult;
import dev.storagelab.grader.report.GradeReport.TestResult;
import dev.storagelab.grader.run.GradingClock;
import dev.storagelab.grader.run.TestSupervisor;
import dev.storagelab.grader.sandbox.ClassScan;
import dev.storagelab.grader.sandbox.Confinement;
import dev.storagelab.grader.sandbox.Walls;
import dev.storagelab.grader.submission.Submission;
import dev.storagelab.grader.workspace.GradedTest;
import dev.storagelab.grader.workspace.HiddenTests;
import dev.storagelab.grader.workspace.Lab;
import dev.storagelab.grader.workspace.LabBuild;
import dev.storagelab.grader.workspace.Rubric;
import dev.storagelab.grader.workspace.Workspace;
import dev.storagelab.grader.workspace.WorkspaceCopies;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Grades a submission against the instructor's workspace.
 *
 * <ol>
 *   <li>The instructor's workspace is copied to scratch space and built: that build is the
 *       reference, and its hidden tests (with their points and concepts) are the only ones the
 *       grader believes in.</li>
 *   <li><b>Isolated</b>: for each lab N, a fresh copy of the reference gets the submission's
 *       {@code lab-N/src/main/java} and nothing else, so lab N builds on the reference of the labs
 *       before it and one broken lab does not sink the next.</li>
 *   <li><b>Integrated</b>: one copy gets every lab the submission has, as the student would run
 *       it. A lab that builds on no submitted lab has the same result both ways, so it is not run
 *       twice.</li>
 * </ol>
 * The workspace itself is only ever read.
 */
public final class Grader {

    /** Which results to compute. */
    public enum Mode {
        ISOLATED,
        INTEGRATED,
        BOTH
    }

    private final Workspace workspace;
    private final Rubric rubric;
    private final PrintStream log;
    private final boolean offline;

    private java.util.regex.Pattern only;
    private boolean perf = true;
    private boolean scan = true;
    private GradingClock clock = GradingClock.UNLIMITED;
    private java.util.function.Consumer<GradeReport> partial = r -> {};

    public Grader(Workspace workspace, PrintStream log, boolean offline) {
        this.workspace = workspace;
        this.rubric = Rubric.of(workspace);
        this.log = log;
        this.offline = offline;
    }

    /** Restricts grading to hidden tests whose {@code class#method} id matches {@code regex} (null: all). */
    public Grader only(String regex) {
        this.only = regex == null ? null : java.util.regex.Pattern.compile(regex);
        return this;
    }

    /**
     * Whether to measure the rubric's performance benchmarks ({@code perf.*}); on by default. Off,
     * a lab is graded on its tests alone and its performance points are left out of the total.
     */
    public Grader perf(boolean measure) {
        this.perf = measure;
        return this;
    }

    /**
     * Stops grading when {@code limit} has passed since this call, as a platform's timeout would,
     * but keeping what was graded: every test and benchmark not reached says so, and earns 0.
     */
    public Grader timeLimit(java.time.Duration limit) {
        this.clock = GradingClock.startingNow(limit);
        return this;
    }

    /**
     * Hands {@code listener} the report as it stands after each lab (the labs not yet graded at 0,
     * saying so), so that the results on disk keep the points earned if the grading is stopped.
     */
    public Grader partialResults(java.util.function.Consumer<GradeReport> listener) {
        this.partial = listener;
        return this;
    }

    /**
     * Whether to scan a submission's classes for forbidden APIs before its tests run
     * ({@link ClassScan}); on by default. Off only in the proofs of the test supervisor's own
     * defences (a forged event, a JVM that exits), which the scan would otherwise stop first.
     */
    Grader scanClasses(boolean on) {
        this.scan = on;
        return this;
    }

    /**
     * Makes the hidden tests' folders of {@code labs} private when a confined test JVM could read
     * them (their folder is the instructor's, and the workspace was cloned readable by all), and
     * says so in one line; if it cannot, one line says what to run.
     */
    static void hideHiddenTests(Path root, List<Lab> labs, PrintStream log) throws IOException {
        List<Path> exposed = new ArrayList<>();
        for (Lab lab : labs) {
            Path hidden = root.resolve(lab.directory()).resolve("src/hidden");
            if (Confinement.current().readableByOthers(hidden).isPresent()) {
                exposed.add(hidden);
            }
        }
        if (exposed.isEmpty()) {
            return;
        }
        List<String> names =
                exposed.stream().map(p -> root.relativize(p).toString()).toList();
        try {
            for (Path dir : exposed) {
                Files.setPosixFilePermissions(
                        dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            }
            log.println("made the hidden tests private, so that no test JVM can read them (chmod go-rwx "
                    + String.join(" ", names) + ")");
        } catch (IOException | UnsupportedOperationException e) {
            log.println("warning: the hidden tests are readable by every user, so a test JVM could read them; make them"
                    + " private: cd " + root + " && chmod -R go-rwx " + String.join(" ", names));
        }
    }

    /**
     * Grades {@code submissionPath} (null: the workspace itself) on {@code labs} (empty: all),
     * working in {@code scratch}. Throws only for problems of the grader or the workspace; a
     * submission's problems become results. {@code submissionPath} goes to {@link Submission#open}
     * alone (its name aside): every step after asks the sealed copy that returns.
     */
    public GradeReport grade(Path submissionPath, List<String> labIds, Mode mode, Path scratch) throws IOException {
        long start = System.nanoTime();
        List<Lab> labs = labs(labIds);
        String name = submissionPath == null
                ? (isRelease() ? "your submission (" : "reference (") + workspace.root() + ")"
                : submissionPath.toString();
        if (submissionPath == null) {
            // A release that gives labs out solved grades only the others. (Only the workspace's own
            // marker counts: a submission's could be edited to leave a lab out of its grade.)
            java.util.Set<String> solved = Exporter.solvedLabs(workspace.root());
            if (labs.stream().anyMatch(l -> solved.contains(l.id()))) {
                log.println("not graded, given out solved in this release: " + solved);
                labs = labs.stream().filter(l -> !solved.contains(l.id())).toList();
            }
            if (labs.isEmpty()) {
                return GradeReport.failed(
                        name, "every lab asked for was given out solved in this release: " + solved, seconds(start));
            }
        }
        Confinement.current().keepPrivate(scratch); // --work DIR may have made it readable by all
        hideHiddenTests(workspace.root(), labs, log);
        Submission submission;
        try {
            submission =
                    Submission.open(submissionPath == null ? workspace.root() : submissionPath, workspace, scratch);
        } catch (IllegalArgumentException e) {
            return GradeReport.failed(name, e.getMessage(), seconds(start));
        }

        if (submissionPath != null) {
            java.util.Optional<String> recorded = submission.recordedGivenDigest();
            if (recorded.isPresent()
                    && !recorded.get()
                            .equals(Exporter.givenDigest(workspace.root(), workspace, submission.solvedLabs()))) {
                log.println("warning: " + name
                        + " was exported from another version of the workspace (the code it was given"
                        + " has changed since); it is graded with today's given code, and if it does not compile, the student"
                        + " should move their code into a fresh release");
            }
        }

        // 1. The reference build, and the tests it defines.
        Path reference = referenceFor(labs, scratch);
        Map<String, List<GradedTest>> tests = new LinkedHashMap<>();
        for (Lab lab : labs) {
            List<GradedTest> found = referenceTests.get(lab.id());
            if (only != null) {
                found = found.stream().filter(t -> only.matcher(t.id()).find()).toList();
            }
            tests.put(lab.id(), found);
        }
        Map<String, Path> builtWorkspaces = new HashMap<>();

        // 2. Isolated: each lab over the reference of the others. A release's own grade has no
        // reference: each lab runs over the release's code of the labs before it, the student's.
        boolean ownLabs = submissionPath == null && isRelease();
        String isolatedMode = ownLabs ? GradeReport.OWN_LABS : GradeReport.ISOLATED;
        List<LabResult> isolated = new ArrayList<>();
        Map<String, LabResult> isolatedById = new HashMap<>();
        if (mode != Mode.INTEGRATED) {
            for (Lab lab : labs) {
                LabResult r = clock.lessThan(GradingClock.LAB_MARGIN)
                        ? zero(
                                lab,
                                tests.get(lab.id()),
                                isolatedMode,
                                "not graded: " + clock.limitWords() + " was reached before this lab")
                        : gradeLab(
                                lab,
                                tests.get(lab.id()),
                                submission,
                                List.of(lab),
                                reference,
                                scratch,
                                isolatedMode,
                                builtWorkspaces,
                                true);
                isolated.add(r);
                isolatedById.put(lab.id(), r);
                List<LabResult> sofar = new ArrayList<>(isolated);
                for (Lab later : labs.subList(labs.indexOf(lab) + 1, labs.size())) {
                    sofar.add(zero(
                            later,
                            tests.get(later.id()),
                            isolatedMode,
                            "not graded: the grading stopped before this lab"));
                }
                partial.accept(new GradeReport(name, sofar, List.of(), seconds(start), null, Walls.current(scan)));
            }
        }

        // 3. Integrated: every submitted lab at once, for labs that build on submitted labs.
        List<LabResult> integrated = new ArrayList<>();
        if (mode != Mode.ISOLATED && !ownLabs) { // in a release, the same code as its own grade
            List<Lab> submitted =
                    workspace.labs().stream().filter(submission::has).toList();
            // The reference graded as a submission: every lab's isolated build already ran the same
            // code as the integrated one would (the reference's own labs), so it is not run twice.
            boolean sameCode = submissionPath == null;
            for (Lab lab : labs) {
                boolean dependsOnSubmitted =
                        workspace.withDependencies(lab).stream().anyMatch(d -> !d.equals(lab) && submission.has(d));
                if ((!dependsOnSubmitted || sameCode) && isolatedById.containsKey(lab.id())) {
                    LabResult same = isolatedById.get(lab.id());
                    integrated.add(new LabResult(
                            same.lab(), same.directory(), "integrated", same.problem(), same.tests(), same.perf()));
                    continue;
                }
                if (clock.lessThan(GradingClock.LAB_MARGIN)) {
                    integrated.add(zero(
                            lab,
                            tests.get(lab.id()),
                            "integrated",
                            "not graded: " + clock.limitWords() + " was reached before this lab"));
                    continue;
                }
                // Performance is measured in isolation; integrated results repeat it, unless only they were asked for.
                LabResult r = gradeLab(
                        lab,
                        tests.get(lab.id()),
                        submission,
                        submitted,
                        reference,
                        scratch,
                        "integrated",
                        builtWorkspaces,
                        mode == Mode.INTEGRATED);
                LabResult alone = isolatedById.get(lab.id());
                integrated.add(new LabResult(
                        r.lab(),
                        r.directory(),
                        r.mode(),
                        r.problem(),
                        r.tests(),
                        alone == null ? r.perf() : alone.perf()));
            }
        }
        List<LabResult> headline = mode == Mode.INTEGRATED ? integrated : isolated;
        return new GradeReport(
                name,
                headline,
                mode == Mode.INTEGRATED ? List.of() : integrated,
                seconds(start),
                null,
                Walls.current(scan));
    }

    /**
     * Whether the workspace is a student release: its own code is then the student's, which the
     * grader's messages call "your submission", not "the reference".
     */
    private boolean isRelease() {
        return Exporter.isRelease(workspace.root());
    }

    /** Where the shared reference build lives (null: in each grading's scratch space). */
    private Path referenceDir;

    private Path referenceRoot; // guarded by this
    private final java.util.Set<String> referenceLabs = new java.util.HashSet<>(); // guarded by this
    private final Map<String, List<GradedTest>> referenceTests = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Builds the reference once into {@code dir} and reuses it for every later grading by this
     * grader: a class of N submissions then costs one reference build, not N.
     */
    public Grader sharedReference(Path dir) {
        this.referenceDir = dir;
        return this;
    }

    /**
     * Builds the reference of {@code labs} (empty: all) into the shared reference directory and
     * scans its tests, grading nothing: a Gradescope image's setup, so that every submission after
     * it builds only its own labs.
     */
    public void prepareReference(List<String> labIds) throws IOException {
        if (referenceDir == null) {
            throw new IllegalStateException(
                    "preparing the reference needs a directory to keep it in (--reference-build)");
        }
        referenceFor(labs(labIds), referenceDir);
    }

    /** The labs named by {@code labIds}, or every lab when none is named. */
    private List<Lab> labs(List<String> labIds) {
        return labIds.isEmpty()
                ? workspace.labs()
                : labIds.stream().map(workspace::lab).distinct().toList();
    }

    /** The reference workspace, built for {@code labs} (for proofs that need the reference's build). */
    public Path builtReference(List<Lab> labs, Path scratch) throws IOException {
        return referenceFor(labs, scratch);
    }

    /** The file in a shared reference directory that names the workspace it was built from. */
    static final String REFERENCE_STAMP = ".storagelab-reference";

    /**
     * The reference workspace with {@code labs} built and their tests scanned. A shared reference
     * directory ({@link #sharedReference}) built earlier from the same workspace (its stamp holds
     * the workspace's digest) is reused as it is, so a Gradescope container builds the reference
     * once, at setup, and each submission only its own labs.
     */
    private synchronized Path referenceFor(List<Lab> labs, Path scratch) throws IOException {
        if (referenceRoot == null) {
            referenceRoot = referenceDir != null ? referenceDir : scratch.resolve("reference");
            // Only a shared directory can hold an earlier build; a scratch reference is always new.
            String digest = referenceDir != null ? WorkspaceCopies.digest(workspace.root()) : null;
            Path stamp = referenceRoot.resolve(REFERENCE_STAMP);
            if (digest != null
                    && Files.isRegularFile(stamp)
                    && Files.readString(stamp).trim().equals(digest)) {
                log.println("reusing the reference built in " + referenceRoot);
                Confinement.current().keepPrivate(referenceRoot);
            } else {
                WorkspaceCopies.copy(workspace, referenceRoot);
                Confinement.current().keepPrivate(referenceRoot); // it holds the hidden tests' sources
                if (digest != null) {
                    Files.writeString(stamp, digest + "\n");
                }
            }
        }
        List<Lab> missing =
                labs.stream().filter(l -> !referenceLabs.contains(l.id())).toList();
        if (!missing.isEmpty() && missing.stream().allMatch(l -> LabBuild.built(referenceRoot, l))) {
            for (Lab lab : missing) { // built by an earlier grader from the same workspace
                referenceTests.put(lab.id(), HiddenTests.scan(referenceRoot, lab, rubric));
                referenceLabs.add(lab.id());
            }
            missing = List.of();
        }
        if (!missing.isEmpty()) {
            log.println((isRelease() ? "building your submission's " : "building the reference of ")
                    + missing.stream().map(Lab::id).toList() + " ...");
            LabBuild.Result build = LabBuild.build(referenceRoot, closure(missing), rubric.buildDeadline(), offline);
            for (Lab lab : missing) {
                if (!LabBuild.built(referenceRoot, lab)) {
                    throw new IOException((isRelease()
                                    ? "your submission does not build "
                                    : "the reference workspace does not build ")
                            + lab.directory() + ":\n"
                            + LabBuild.errorsFor(build.log(), referenceRoot, lab));
                }
                referenceTests.put(lab.id(), HiddenTests.scan(referenceRoot, lab, rubric));
                referenceLabs.add(lab.id());
            }
        }
        return referenceRoot;
    }

    /** Grades one lab in a copy of the reference overlaid with {@code overlay} labs from the submission. */
    private LabResult gradeLab(
            Lab lab,
            List<GradedTest> labTests,
            Submission submission,
            List<Lab> overlay,
            Path reference,
            Path scratch,
            String mode,
            Map<String, Path> builtWorkspaces,
            boolean measurePerf)
            throws IOException {
        if (!submission.has(lab)) {
            return zero(lab, labTests, mode, "not submitted: the submission has no " + lab.studentSources());
        }
        List<Lab> applied = overlay.stream().filter(submission::has).toList();
        Path root;
        if (applied.stream().allMatch(l -> submission.sameSources(reference, l))) {
            root = reference; // identical to the reference: reuse its build
        } else {
            String key = mode + ":" + applied.stream().map(Lab::id).toList();
            root = builtWorkspaces.get(key);
            if (root == null) {
                root = scratch.resolve(mode + "-"
                        + String.join("-", applied.stream().map(Lab::id).toList()));
                // The reference's classes for every lab not overlaid: only the overlaid labs compile.
                synchronized (this) { // not while referenceFor builds more of the reference
                    WorkspaceCopies.seed(workspace, reference, root, applied);
                }
                for (Lab l : applied) {
                    submission.overlay(l, root);
                }
                log.println("building " + lab.id() + " (" + mode + ") ...");
                LabBuild.Result build = LabBuild.build(root, closure(List.of(lab)), buildDeadline(), offline);
                if (!build.finished()) {
                    return zero(
                            lab,
                            labTests,
                            mode,
                            buildDeadline().compareTo(rubric.buildDeadline()) < 0
                                    ? "not graded: " + clock.limitWords() + " was reached while it was being built"
                                    : "the build did not finish within "
                                            + rubric.buildDeadline().toSeconds() + " s");
                }
                builtWorkspaces.put(key, root);
                if (!LabBuild.built(root, lab)) {
                    builtWorkspaces.remove(key);
                    return zero(
                            lab, labTests, mode, "does not compile:\n" + LabBuild.errorsFor(build.log(), root, lab));
                }
            } else if (!LabBuild.built(root, lab)) {
                LabBuild.Result build = LabBuild.build(root, closure(List.of(lab)), buildDeadline(), offline);
                if (!LabBuild.built(root, lab)) {
                    return zero(
                            lab, labTests, mode, "does not compile:\n" + LabBuild.errorsFor(build.log(), root, lab));
                }
            }
        }
        if (scan && root != reference) { // what the allow-list refuses in student classes fails the lab before any test
            List<Lab> scanned =
                    closure(List.of(lab)).stream().filter(applied::contains).toList();
            List<ClassScan.Finding> findings = new ArrayList<>();
            for (Lab l : scanned) {
                findings.addAll(ClassScan.scanSubmission(reference, root, l));
            }
            if (!findings.isEmpty()) {
                return zero(lab, labTests, mode, ClassScan.problem(findings));
            }
        }
        log.println("running " + labTests.size() + " tests of " + lab.id() + " (" + mode + ")"
                + (Confinement.current().on() ? " as an unprivileged user" : "") + " ...");
        Path runScratch = Files.createDirectories(scratch.resolve("run-" + mode + "-" + lab.id()));
        TestSupervisor supervisor = new TestSupervisor(rubric, runScratch).within(clock);
        Map<String, TestSupervisor.Outcome> outcomes = supervisor.run(root.resolve(lab.directory()), labTests);
        if (!supervisor.tampering().isEmpty()) { // a line out of sequence fails the lab
            return zero(lab, labTests, mode, GradeReport.TAMPERING + String.join("; ", supervisor.tampering()));
        }
        double weight = rubric.weight(lab.id());
        List<TestResult> results = new ArrayList<>();
        FeedbackFilter filter = feedbackFilter(lab, reference, labTests).forStudent(submission, lab);
        for (GradedTest t : labTests) {
            TestSupervisor.Outcome raw = outcomes.get(t.id());
            // a message never carries the hidden tests' code out as feedback; library banners and
            // JVM warnings go first (LibraryNoise), so that they use none of the message's room
            TestSupervisor.Outcome o = new TestSupervisor.Outcome(
                    raw.status(), filter.apply(LibraryNoise.strip(raw.message())), raw.seconds());
            double max = t.points() * weight;
            results.add(new TestResult(t, o, o.passed() ? max : 0, max));
        }
        return new LabResult(
                lab.id(),
                lab.directory(),
                mode,
                null,
                results,
                measurePerf ? performance(lab, results, reference, root, runScratch) : List.of());
    }

    /** The rubric's build deadline, or what is left of the grading's time limit if that is less. */
    private java.time.Duration buildDeadline() {
        java.time.Duration left = clock.remaining().minus(GradingClock.LAB_MARGIN);
        return left.compareTo(rubric.buildDeadline()) < 0
                ? (left.isNegative() ? java.time.Duration.ZERO : left)
                : rubric.buildDeadline();
    }

    private final Map<String, FeedbackFilter> feedbackFilters = new java.util.concurrent.ConcurrentHashMap<>();

    /** The filter of {@code lab}'s failure messages, from the hidden tests of the reference build. */
    private FeedbackFilter feedbackFilter(Lab lab, Path reference, List<GradedTest> labTests) throws IOException {
        FeedbackFilter f = feedbackFilters.get(lab.id());
        if (f == null) {
            f = FeedbackFilter.forLab(reference, lab, referenceTests.getOrDefault(lab.id(), labTests));
            feedbackFilters.put(lab.id(), f);
        }
        return f;
    }

    /**
     * The lab's performance points: measured against the reference only when every test passed,
     * and never for local checks (a student release has no reference to be measured against).
     */
    private List<PerfResult> performance(Lab lab, List<TestResult> results, Path reference, Path root, Path scratch)
            throws IOException {
        boolean localChecks =
                results.stream().anyMatch(t -> HiddenTests.isLocalCheck(t.test().concept()));
        if (!perf || localChecks || only != null) { // --only is a quick check of some tests
            return List.of();
        }
        Performance measure = new Performance(rubric, log).within(clock);
        long failed = results.stream()
                .filter(t -> !t.outcome().passed() && !rubric.isBonus(t.test().id()))
                .count();
        if (failed > 0 || results.isEmpty()) {
            return measure.notRun(
                    lab,
                    "not run: performance counts only when every test of " + lab.id() + " passes, its bonus"
                            + " aside (" + failed + " of " + results.size() + " failed)");
        }
        log.println("measuring the performance of " + lab.id() + " against the reference ...");
        return measure.measure(lab, reference, root, scratch.resolve("perf"));
    }

    private LabResult zero(Lab lab, List<GradedTest> labTests, String mode, String problem) {
        double weight = rubric.weight(lab.id());
        // each test's message is feedback, so it says what the student may read of the problem
        String studentLine = firstLine(GradeReport.studentProblem(problem));
        List<TestResult> results = labTests.stream()
                .map(t -> new TestResult(
                        t,
                        new TestSupervisor.Outcome(
                                TestSupervisor.Status.NOT_RUN, "not run: " + lab.id() + " " + studentLine, 0),
                        0,
                        t.points() * weight))
                .toList();
        List<PerfResult> perfResults =
                perf ? new Performance(rubric, log).notRun(lab, "not run: " + lab.id() + " " + studentLine) : List.of();
        return new LabResult(lab.id(), lab.directory(), mode, problem, results, perfResults);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private List<Lab> closure(List<Lab> labs) {
        return WorkspaceCopies.closure(workspace, labs);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
