package dev.storagelab.grader.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.storagelab.grader.cli.Main;
import dev.storagelab.grader.grade.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench} on the grader's two-lab fixture workspace: the quick smoke of the fixture's one
 * JMH benchmark, on the reference and on a submission that is right but slow, in one run.
 */
class BenchCommandTest {

    @TempDir
    Path tmp;

    @Test
    void quickBenchComparesASubmissionWithTheReferenceInOneRunAndWritesJsonTableAndPlots() throws IOException {
        Path workspace = Fixtures.fixtureWorkspace(tmp.resolve("ws"));
        Path out = tmp.resolve("out");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int exit = Main.run(
                new String[] {
                    "--workspace",
                    workspace.toString(),
                    "bench",
                    "--offline",
                    "--quick",
                    "--lab",
                    "01",
                    "--submission",
                    Fixtures.submission("slow-lab01").toString(),
                    "--out",
                    out.toString()
                },
                new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
        String table = stdout.toString(StandardCharsets.UTF_8);
        assertThat(table + stderr.toString(StandardCharsets.UTF_8), exit, is(0));

        JsonObject bench = JsonParser.parseString(Files.readString(out.resolve("bench.json")))
                .getAsJsonObject();
        assertThat(bench.get("quick").getAsBoolean(), is(true));
        JsonObject lab = bench.getAsJsonArray("labs").get(0).getAsJsonObject();
        assertThat(lab.get("lab").getAsString(), is("lab-01"));
        assertThat(String.valueOf(lab.get("problem")), lab.get("problem").isJsonNull(), is(true));
        JsonObject row = lab.getAsJsonArray("benchmarks").get(0).getAsJsonObject();
        assertThat(row.get("benchmark").getAsString(), is("CalcBenchmark.sumOfSquares"));
        assertThat(
                "the quick run uses the lab's bench.properties",
                row.get("params").getAsString(),
                is("n=64"));
        assertThat(
                "BigInteger squares are many times slower than a multiply, even in a 100 ms smoke",
                row.get("ratio").getAsDouble(),
                greaterThan(2.0));
        assertThat(table, containsString("CalcBenchmark.sumOfSquares"));
        assertThat(Files.readString(out.resolve("bench.txt")), containsString("ratio"));
        for (String png : new String[] {"lab-01-CalcBenchmark.png", "ratios.png"}) {
            assertThat(png + " must be an image", Files.size(out.resolve(png)), greaterThan(5_000L));
        }
        JsonElement workloads = bench.get("workloads");
        assertThat("no --peers, no workloads", workloads == null || workloads.isJsonNull(), is(true));
    }

    @Test
    void aLabWhoseSubmissionDoesNotCompileIsReportedAndTheCommandFails() throws IOException {
        Path workspace = Fixtures.fixtureWorkspace(tmp.resolve("ws"));
        Path out = tmp.resolve("out");
        int exit = Main.run(
                new String[] {
                    "--workspace",
                    workspace.toString(),
                    "bench",
                    "--offline",
                    "--quick",
                    "--lab",
                    "01",
                    "--submission",
                    Fixtures.submission("broken-lab01").toString(),
                    "--out",
                    out.toString()
                },
                new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(OutputStream.nullOutputStream()));
        assertThat(exit, is(1));
        JsonObject lab = JsonParser.parseString(Files.readString(out.resolve("bench.json")))
                .getAsJsonObject()
                .getAsJsonArray("labs")
                .get(0)
                .getAsJsonObject();
        assertThat(lab.get("problem").getAsString(), containsString("does not build"));
        JsonObject row = lab.getAsJsonArray("benchmarks").get(0).getAsJsonObject();
        assertThat("the reference is still measured", row.get("reference").getAsDouble(), greaterThan(0.0));
        assertThat("no submission score, no ratio", row.get("ratio").isJsonNull(), is(true));
    }

    @Test
    void aSubmissionUsingForbiddenApisIsNotBenchmarked() throws IOException {
        // issue 24: benchmarks run student code too, so they scan it as grading does
        Path workspace = Fixtures.fixtureWorkspace(tmp.resolve("ws"));
        Path out = tmp.resolve("out");
        int exit = Main.run(
                new String[] {
                    "--workspace",
                    workspace.toString(),
                    "bench",
                    "--offline",
                    "--quick",
                    "--lab",
                    "01",
                    "--submission",
                    Fixtures.submission("hostile").toString(),
                    "--out",
                    out.toString()
                },
                new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(OutputStream.nullOutputStream()));
        assertThat(exit, is(1));
        JsonObject lab = JsonParser.parseString(Files.readString(out.resolve("bench.json")))
                .getAsJsonObject()
                .getAsJsonArray("labs")
                .get(0)
                .getAsJsonObject();
        assertThat(
                lab.get("problem").getAsString(),
                containsString(
                        "the submission is not benchmarked: forbidden API: fixture.calc.Calc.multiply (Calc.java:"));
        JsonObject row = lab.getAsJsonArray("benchmarks").get(0).getAsJsonObject();
        assertThat("no submission score, no ratio", row.get("ratio").isJsonNull(), is(true));
    }
}
