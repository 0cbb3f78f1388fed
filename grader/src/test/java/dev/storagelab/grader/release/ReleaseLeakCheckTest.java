package dev.storagelab.grader.release;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.grader.grade.Fixtures;
import dev.storagelab.grader.workspace.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReleaseLeakCheck} on the fixture workspace with a lab-02 class whose regions have lines
 * of substance: a release that is clean passes; lines of a region planted in a handout, a patch,
 * a notes data file or a Javadoc (reformatted, quoted, escaped in JSON) are found and named by
 * file and line, and {@code export} refuses to write such a release; what is trivial, given or solved is
 * not a leak. The proof on the real release is in {@link WorkspaceReleaseProofTest}.
 */
class ReleaseLeakCheckTest {

    private static final String HISTOGRAM = "lab-02-twice/src/main/java/fixture/twice/Histogram.java";

    /** Regions of substance: quantile's (lines 18 to 26) and add's (lines 33 to 35). */
    private static final String HISTOGRAM_SOURCE = """
            package fixture.twice;

            /** Counts values in buckets of equal width. */
            public final class Histogram {

                private final long[] counts;
                private final int width;
                private long total;

                public Histogram(int buckets, int width) {
                    this.counts = new long[buckets];
                    this.width = width;
                }

                /** The end of the first bucket by which {@code fraction} of the values added are counted. */
                public int quantile(double fraction) {
                    // BEGIN SOLUTION lab-02 T1
                    long needed = (long) Math.ceil(fraction * total);
                    long seen = 0;
                    for (int bucket = 0; bucket < counts.length; bucket++) {
                        seen += counts[bucket];
                        if (seen >= needed) {
                            return (bucket + 1) * width - 1;
                        }
                    }
                    return counts.length * width - 1;
                    // END SOLUTION
                }

                /** Adds {@code value} to its bucket; values past the last bucket count in the last. */
                public void add(int value) {
                    // BEGIN SOLUTION lab-02 T1
                    int bucket = Math.min(value / width, counts.length - 1);
                    counts[bucket] += 1;
                    total += 1;
                    // END SOLUTION
                }

                /** The counts of the buckets below the median's; given, it walks the buckets as quantile does. */
                @Override
                public String toString() {
                    StringBuilder s = new StringBuilder();
                    long needed = total / 2;
                    long seen = 0;
                    for (int bucket = 0; bucket < counts.length; bucket++) {
                        seen += counts[bucket];
                        if (seen >= needed) {
                            break;
                        }
                        s.append(counts[bucket]).append(' ');
                    }
                    return s.toString();
                }
            }
            """;

    @TempDir
    Path tmp;

    private Path workspace;

    @BeforeEach
    void fixture() throws IOException {
        workspace = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws")));
        write(workspace, HISTOGRAM, HISTOGRAM_SOURCE);
    }

    private static void write(Path root, String file, String text) throws IOException {
        Path p = root.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    private Path export(String name, String... solved) throws IOException {
        Path release = tmp.resolve(name);
        new Exporter(Workspace.at(workspace)).export(release, Set.of(solved));
        return release;
    }

    private ReleaseLeakCheck.Report check(Path release) throws IOException {
        return ReleaseLeakCheck.of(Workspace.at(workspace), Set.of()).check(release);
    }

    private static List<String> places(ReleaseLeakCheck.Report report) {
        return report.leaks().stream()
                .map(l -> l.foundIn() + ":" + l.foundLine() + " <- " + l.origin())
                .toList();
    }

    @Test
    void aCleanReleasePassesAndItsRegionsAreChecked() throws IOException {
        Path release = export("release");
        ReleaseLeakCheck.Report report = check(release);
        assertThat(report.describe(), report.clean(), is(true));
        assertThat("the fixture's eight regions and Histogram's two are read", report.regions(), equalTo(8 + 2));
        // quantile: 7 lines of substance (not its braces) make 5 windows; add: 3 lines, 1 window;
        // the one-line regions of Calc and Twice have none.
        assertThat(report.regionWindows(), equalTo(6));
        assertThat("the hidden tests' windows are checked too", report.instructorWindows(), greaterThan(0));
        assertThat(report.filesChecked(), greaterThan(10));
    }

    @Test
    void regionLinesInAHandoutAPatchANotesDataFileAndAJavadocAreFoundWithFileAndLine() throws IOException {
        Path release = export("release");
        // The handout quotes the loop, reformatted, with a comment and a blank line put in.
        write(release, "lab-02-twice/README.md", """
                # lab-02

                ## T1

                ```java
                for (int bucket = 0;   bucket < counts.length; bucket++) {
                    // count them
                    seen+=counts[bucket];

                    if (seen >= needed) {
                ```
                """);
        // A what-if patch that touches the region.
        write(release, "notes/data/whatif.patch", """
                --- a/lab-02-twice/src/main/java/fixture/twice/Histogram.java
                +++ b/lab-02-twice/src/main/java/fixture/twice/Histogram.java
                @@ -18,4 +18,4 @@
                         long needed = (long) Math.ceil(fraction * total);
                         long seen = 0;
                -        for (int bucket = 0; bucket < counts.length; bucket++) {
                +        for (int bucket = counts.length - 1; bucket >= 0; bucket--) {
                             seen += counts[bucket];
                """);
        // Benchmark data whose JSON carries the add region as one escaped string.
        write(
                release,
                "notes/data/run.json",
                "{\n  \"benchmark\": \"add\",\n  \"source\": \"int bucket = Math.min(value / width,"
                        + " counts.length - 1);\\ncounts[bucket] += 1;\\ntotal += 1;\\n\"\n}\n");

        // Another lab's given code quotes the add region in a Javadoc.
        write(release, "lab-01-calc/src/main/java/fixture/calc/Buckets.java", """
                package fixture.calc;

                /**
                 * As a histogram adds:
                 * <pre>
                 *     int bucket = Math.min(value / width, counts.length - 1);
                 *     counts[bucket] += 1;
                 *     total += 1;
                 * </pre>
                 */
                final class Buckets {
                }
                """);

        ReleaseLeakCheck.Report report = check(release);
        assertThat(
                report.describe(),
                places(report),
                containsInAnyOrder(
                        "lab-02-twice/README.md:6 <- " + HISTOGRAM + ":20 (lab-02 T1)",
                        "notes/data/whatif.patch:4 <- " + HISTOGRAM + ":18 (lab-02 T1)",
                        "notes/data/run.json:3 <- " + HISTOGRAM + ":33 (lab-02 T1)",
                        "lab-01-calc/src/main/java/fixture/calc/Buckets.java:6 <- " + HISTOGRAM + ":33 (lab-02 T1)"));
        assertThat(
                report.describe(),
                containsString(
                        "lab-02-twice/README.md:6 holds " + HISTOGRAM + ":20 (lab-02 T1): "
                                + "for (int bucket = 0;   bucket < counts.length; bucket++) { / seen+=counts[bucket]; / if (seen >= needed) {"));
    }

    @Test
    void exportRefusesALeakingReleaseAndSaysWhatLeakedWhere() throws IOException {
        write(workspace, "notes/data/quantile.txt", """
                the quantile, as first written:
                    long needed = (long) Math.ceil(fraction * total);
                    long seen = 0;
                    for (int bucket = 0; bucket < counts.length; bucket++) {
                """);
        Path release = tmp.resolve("release");
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> new Exporter(Workspace.at(workspace)).export(release));
        assertThat(e.getMessage(), containsString("notes/data/quantile.txt:2 holds " + HISTOGRAM + ":18 (lab-02 T1)"));
        assertThat(e.getMessage(), containsString(".exportignore"));
        assertThat("a release that leaks is not left behind", Files.exists(release), is(false));

        // Left out, it no longer reaches the release.
        write(workspace, ".exportignore", "notes/data/quantile.txt\n");
        assertThat(check(export("release-2")).clean(), is(true));
    }

    @Test
    void bracesBareControlFlowShortLinesAndImportsAreTrivialAndCommentsAreKnown() {
        for (String line : List.of(
                "",
                "    }",
                "  } else {",
                "} catch (IOException e) {",
                "try {",
                "return;",
                "return result;",
                "break;",
                "case PUT:",
                "i++;",
                "hi = mid;",
                "import java.util.List;",
                "```java")) {
            assertThat("trivial: " + line, ReleaseLeakCheck.trivial(ReleaseLeakCheck.normalize(line)), is(true));
        }
        for (String line : List.of(
                "lo = mid + 1;", "return (bucket + 1) * width - 1;", "if (seen >= needed) {", "long seen = 0;")) {
            assertThat("of substance: " + line, ReleaseLeakCheck.trivial(ReleaseLeakCheck.normalize(line)), is(false));
        }
        assertThat(
                "whitespace, and the marks of a patch or a quote, do not count",
                List.of(
                        ReleaseLeakCheck.normalize("+\t  seen  +=  counts[ bucket ];"),
                        ReleaseLeakCheck.normalize("> seen+=counts[bucket];")),
                contains("seen+=counts[bucket];", "seen+=counts[bucket];"));
        for (String comment : List.of("// why", " * Javadoc", "/** Counts. */", "# a heading")) {
            assertThat(comment, ReleaseLeakCheck.isComment(ReleaseLeakCheck.normalize(comment)), is(true));
        }
    }

    @Test
    void twoLineRunsGivenCodeAndSolvedLabsAreNotLeaks() throws IOException {
        write(workspace, "notes/trivia.md", """
                Two lines of the quantile, then prose:
                    long needed = (long) Math.ceil(fraction * total);
                    long seen = 0;
                and the walk is the usual one, as in:
                    int bucket = Math.min(value / width, counts.length - 1);
                    counts[bucket] += 1;
                """);
        Path release = export("release");
        assertThat(
                "Histogram.toString (given) shares the loop with quantile in its own file",
                Files.readString(release.resolve(HISTOGRAM)),
                containsString("seen += counts[bucket];"));
        assertThat(check(release).describe(), check(release).clean(), is(true));

        // A lab given out solved ships its regions: they are not leaks there, nor elsewhere.
        write(workspace, "notes/data/quantile.txt", """
                    long needed = (long) Math.ceil(fraction * total);
                    long seen = 0;
                    for (int bucket = 0; bucket < counts.length; bucket++) {
                """);
        Path solved = export("release-solved", "02");
        assertThat(
                ReleaseLeakCheck.of(Workspace.at(workspace), Set.of("lab-02"))
                        .check(solved)
                        .clean(),
                is(true));
        assertThat(
                "the same release, checked as if lab-02 were to do",
                places(check(solved)),
                contains("notes/data/quantile.txt:1 <- " + HISTOGRAM + ":18 (lab-02 T1)"));
    }

    @Test
    void theAuditsRecordsAndHiddenTestsStayOut() throws IOException {
        write(workspace, "notes/data/audit-lab-01.txt", """
                lab-01  mutants   killed  timed out  survived   hidden %   public %
                surviving mutants (the hidden tests pass with these bugs):
                  T5   fixture/calc/Calc.java:35 ConditionalsBoundaryMutator: changed conditional boundary (SURVIVED)
                each surviving mutant's verdict:
                  T5   Calc.java:35 (a > b made >=)
                         -> left: no hidden test tries equal arguments
                  T6   Calc.java:41 (the sign negated)
                         -> equivalent: the absolute value of zero is zero either way
                """);
        write(workspace, ".exportignore", "notes/data/audit-lab-*.txt\n");
        Path release = export("release");
        assertThat(check(release).describe(), check(release).clean(), is(true));

        // A survivor quoted in a handout; the audit's prose copied into a note; a hidden test in a script.
        write(
                release,
                "lab-01-calc/README.md",
                "## T5\n\nKnown gap:\n  T5   fixture/calc/Calc.java:35"
                        + " ConditionalsBoundaryMutator: changed conditional boundary\n");
        write(release, "notes/gaps.md", """
                What the tests miss:
                  T5   Calc.java:35 (a > b made >=)
                         -> left: no hidden test tries equal arguments
                  T6   Calc.java:41 (the sign negated)
                """);
        write(release, "notes/figures/probe.sh", """
                cat > Probe.java <<'EOF'
                    @Graded(task = "T2", points = 1, concept = "multiplication")
                    void multiplies() {
                        assertEquals(6, Calc.multiply(2, 3));
                EOF
                """);
        assertThat(
                places(check(release)),
                containsInAnyOrder(
                        "lab-01-calc/README.md:4 <- a mutant as the audit lists it",
                        "notes/gaps.md:2 <- notes/data/audit-lab-01.txt:5 (the mutation audit's record)",
                        "notes/figures/probe.sh:2 <- lab-01-calc/src/hidden/java/fixture/calc/CalcHiddenTest.java:17 (a hidden test)"));

        // A public test may share helpers and lines with the hidden ones.
        write(
                release,
                "lab-01-calc/src/test/java/fixture/calc/MoreTest.java",
                Files.readString(workspace.resolve("lab-01-calc/src/hidden/java/fixture/calc/CalcHiddenTest.java")));
        assertThat(places(check(release)), not(hasItem(containsString("MoreTest"))));
    }

    @Test
    void aNoteThatCitesAFileTheReleaseLeavesOutIsFound() throws IOException {
        write(workspace, "notes/data/audit-lab-01.txt", "lab-01 audit\n");
        write(workspace, ".exportignore", "notes/data/audit-lab-*.txt\n");
        write(workspace, "notes/01-calc.md", """
                # Calc

                Every survivor is in [the audit](data/audit-lab-01.txt), and in `notes/data/audit-lab-01.txt`.
                The handout is [here](../lab-01-calc/README.md).
                """);
        Path release = export("release");
        assertThat(
                ReleaseLeakCheck.citationsOfLeftOutFiles(workspace, release),
                contains(
                        "notes/01-calc.md:3 cites data/audit-lab-01.txt",
                        "notes/01-calc.md:3 cites notes/data/audit-lab-01.txt"));

        write(workspace, "notes/01-calc.md", "# Calc\n\nThe handout is [here](../lab-01-calc/README.md).\n");
        assertThat(ReleaseLeakCheck.citationsOfLeftOutFiles(workspace, export("release-2")), empty());
    }
}
