package dev.storagelab.grader.grade;

import dev.storagelab.grader.report.GradeReport;
import dev.storagelab.grader.report.GradeReport.LabResult;
import dev.storagelab.grader.report.Leaderboard;
import dev.storagelab.grader.report.ReportWriter;
import dev.storagelab.grader.workspace.FileTrees;
import dev.storagelab.grader.workspace.Lab;
import dev.storagelab.grader.workspace.VisibleText;
import dev.storagelab.grader.workspace.Workspace;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Grades a folder of submissions (one folder or zip per student) in parallel and writes a
 * gradebook: {@code gradebook.csv} with one row per student and one column per lab, each
 * student's own results under {@code DIR/STUDENT/}, and, when performance is measured, the
 * class's {@link Leaderboard}.
 */
public final class Gradebook {

    private final Workspace workspace;
    private final boolean offline;
    private final PrintStream progress;
    private boolean perf = true;

    public Gradebook(Workspace workspace, boolean offline, PrintStream progress) {
        this.workspace = workspace;
        this.offline = offline;
        this.progress = progress;
    }

    /** Whether to measure the rubric's performance benchmarks (see {@link Grader#perf}). */
    public Gradebook perf(boolean measure) {
        this.perf = measure;
        return this;
    }

    /** Where the built reference is kept and reused (null: a folder of the run's own, deleted at its end). */
    private Path referenceBuild;

    /**
     * Keeps the built reference in {@code dir} and reuses it while the workspace is unchanged, as
     * {@code grade --reference-build} does ({@link Grader#sharedReference}): a class graded again
     * builds only the submissions' labs.
     */
    public Gradebook sharedReference(Path dir) {
        this.referenceBuild = dir;
        return this;
    }

    /** Grades every entry of {@code submissions} with {@code jobs} in parallel; returns reports by student. */
    public Map<String, GradeReport> gradeAll(Path submissions, List<String> labs, Path out, int jobs) throws Exception {
        List<Path> entries;
        try (Stream<Path> s = Files.list(submissions)) {
            entries = s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> Files.isDirectory(p)
                            || p.getFileName()
                                    .toString()
                                    .toLowerCase(Locale.ROOT)
                                    .endsWith(".zip"))
                    .sorted()
                    .toList();
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(submissions + " holds no submissions (folders or .zip files)");
        }
        Files.createDirectories(out);
        Path reference = referenceBuild != null ? referenceBuild : FileTrees.temporaryFolder("storagelab-reference");
        Grader grader = new Grader(workspace, new PrintStream(java.io.OutputStream.nullOutputStream()), offline)
                .perf(perf)
                .sharedReference(reference);
        if (perf && jobs > 1 && entries.size() > 1) {
            progress.println("note: performance points are measured while other submissions' tests run beside them;"
                    + " use --jobs 1 for quiet measurements, or --no-perf");
        }
        Map<String, GradeReport> reports = new TreeMap<>();
        AtomicInteger done = new AtomicInteger();
        bar(0, entries.size());
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, jobs));
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Path entry : entries) {
                String student = entry.getFileName().toString().replaceFirst("(?i)\\.zip$", "");
                futures.add(pool.submit(() -> {
                    // one student's grading, whatever it throws, is that student's row and nobody else's
                    GradeReport r = gradeOne(grader, entry, labs, out.resolve(student));
                    synchronized (reports) {
                        reports.put(student, r);
                    }
                    bar(done.incrementAndGet(), entries.size());
                    return null;
                }));
            }
            for (int i = 0; i < futures.size(); i++) {
                try {
                    futures.get(i).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    String student = entries.get(i).getFileName().toString().replaceFirst("(?i)\\.zip$", "");
                    synchronized (reports) {
                        reports.putIfAbsent(
                                student,
                                GradeReport.failed(
                                        entries.get(i).toString(), "internal grader error: " + e.getCause(), 0));
                    }
                }
            }
        } finally {
            pool.shutdownNow();
            if (referenceBuild == null) {
                try {
                    FileTrees.deleteRecursively(reference);
                } catch (IOException e) {
                    progress.println(
                            "warning: could not delete the reference build in " + reference + ": " + e.getMessage());
                }
            }
        }
        progress.println();
        Files.writeString(out.resolve("gradebook.csv"), csv(reports), StandardCharsets.UTF_8);
        if (perf) {
            Leaderboard.write(reports, out);
        }
        return reports;
    }

    /** Grades one submission; never throws for anything the submission did (that becomes its report). */
    private GradeReport gradeOne(Grader grader, Path entry, List<String> labs, Path dir) {
        GradeReport report;
        Path scratch = null;
        try {
            scratch = FileTrees.temporaryFolder("storagelab-grade");
            report = grader.grade(entry, labs, Grader.Mode.BOTH, scratch);
        } catch (Exception | StackOverflowError | OutOfMemoryError | LinkageError e) {
            report = GradeReport.failed(entry.toString(), "internal grader error: " + e, 0);
        } finally {
            if (scratch != null) {
                try {
                    FileTrees.deleteRecursively(scratch);
                } catch (IOException | RuntimeException e) {
                    progress.println("\nwarning: could not delete " + scratch + ": " + e.getMessage());
                }
            }
        }
        try {
            ReportWriter.writeAll(report, dir);
        } catch (IOException | RuntimeException e) {
            progress.println("\nwarning: could not write the results of "
                    + VisibleText.line(entry.getFileName().toString()) + ": "
                    + VisibleText.line(String.valueOf(e.getMessage())));
        }
        return report;
    }

    private synchronized void bar(int done, int total) {
        int width = 30;
        int filled = total == 0 ? width : done * width / total;
        progress.print("\r[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + done + "/" + total + " graded");
        progress.flush();
    }

    /** One row per student, one column per lab (isolated percent), then the total. */
    public String csv(Map<String, GradeReport> reports) {
        StringBuilder sb = new StringBuilder("student");
        for (Lab lab : workspace.labs()) {
            sb.append(',').append(lab.id());
        }
        sb.append(",points,max_points,percent,error,walls\n");
        for (Map.Entry<String, GradeReport> e : reports.entrySet()) {
            GradeReport r = e.getValue();
            sb.append(VisibleText.csv(e.getKey()));
            for (Lab lab : workspace.labs()) {
                LabResult l = r.isolated().stream()
                        .filter(x -> x.lab().equals(lab.id()))
                        .findFirst()
                        .orElse(null);
                sb.append(',').append(l == null ? "" : String.format(Locale.ROOT, "%.1f", l.percent()));
            }
            sb.append(String.format(Locale.ROOT, ",%.2f,%.2f,%.1f,", r.earned(), r.max(), r.percent()))
                    .append(r.error() == null ? "" : VisibleText.csv(r.error()))
                    .append(',')
                    .append(VisibleText.csv(r.walls().line().substring("walls: ".length())))
                    .append('\n');
        }
        return sb.toString();
    }
}
