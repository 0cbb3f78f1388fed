package dev.storagelab.grader.platform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.storagelab.grader.grade.Fixtures;
import dev.storagelab.grader.release.Exporter;
import dev.storagelab.grader.sandbox.ApiAllowList;
import dev.storagelab.grader.sandbox.Walls;
import dev.storagelab.grader.workspace.FileTrees;
import dev.storagelab.grader.workspace.Lab;
import dev.storagelab.grader.workspace.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platforms' scripts run as the platforms run them. The autograder zip run as Gradescope runs it, in a copy of Gradescope's layout
 * ({@code AUTOGRADER_ROOT}: {@code source/}, {@code submission/}, {@code results/}): {@code setup.sh}
 * once (its package step skipped, since this test's JDK and Maven are here, and no package tool
 * may run: {@code apt-get} on the scripts' path fails the test), then {@code run_autograder},
 * offline, for the reference, the student release and a submission that does not compile. Each
 * {@code results.json} is checked against Gradescope's documented fields. The workspace is the
 * fixture's, with the real grader module and launcher, so that the scripts build and run the real
 * grader in seconds. PrairieLearn's entrypoint ({@code run_grader}) then runs in a copy of its
 * {@code /grade} layout ({@code GRADE_ROOT}) over the same built image layout ({@code STORAGELAB_ROOT}:
 * the image runs the same {@code setup.sh}), for the reference's code with a class of the student's own,
 * the release's file and no file.
 */
public class GradescopeLayoutTest {

    @TempDir
    static Path tmp;

    private static Path workspace;
    private static Path root;

    @BeforeAll
    static void setUp() throws Exception {
        workspace = Fixtures.fixtureWorkspace(Files.createDirectories(tmp.resolve("ws")));
        Path real = Fixtures.realWorkspace();
        FileTrees.copy(real.resolve("grader/src/main"), workspace.resolve("grader/src/main"), p -> true);
        Files.copy(real.resolve("grader/pom.xml"), workspace.resolve("grader/pom.xml"));
        Files.copy(real.resolve(ApiAllowList.PATH), workspace.resolve(ApiAllowList.PATH));
        Files.copy(real.resolve("storagelab"), workspace.resolve("storagelab"));
        Path pom = workspace.resolve("pom.xml");
        Files.writeString(pom, Files.readString(pom).replace("</modules>", "  <module>grader</module>\n  </modules>"));

        root = tmp.resolve("autograder");
        Path zip = tmp.resolve("autograder.zip");
        GradescopePackage.write(Workspace.at(workspace), List.of(), zip);
        unzip(zip, Files.createDirectories(root.resolve("source")));
        // Gradescope puts run_autograder at the root, beside source/.
        Files.copy(root.resolve("source/run_autograder"), root.resolve("run_autograder"));
        Script setup = run(root.resolve("source/setup.sh"));
        assertThat(setup.output(), setup.exit(), is(0));
        assertThat(
                "the package step is skipped where a JDK the grader supports and Maven are present",
                setup.output(),
                containsString("JDK " + Runtime.version().feature() + " and Maven are already installed"));
        assertThat(setup.output(), not(containsString(NO_PACKAGES)));
        assertThat(setup.output(), containsString("the reference is built in " + root.resolve("reference-build")));
    }

    private record Script(int exit, String output) {}

    /** What the stand-ins for the package tools say, should a script call one. */
    private static final String NO_PACKAGES = "a test must not install packages";

    /**
     * The scripts' environment: this JVM's JDK first on the path (the one the test grades with), then
     * stand-ins for the package tools that fail; every wall required where all three stand here
     * (root), none where they cannot (the grader's own tests as another user).
     */
    private static void environment(ProcessBuilder pb) throws IOException {
        Path tools = tmp.resolve("no-packages");
        if (!Files.isDirectory(tools)) {
            Files.createDirectories(tools);
            for (String tool : List.of("apt-get", "apt-cache", "apt")) {
                Path fake = tools.resolve(tool);
                Files.writeString(fake, "#!/bin/sh\necho '" + NO_PACKAGES + ": " + tool + " '\"$*\" >&2\nexit 1\n");
                fake.toFile().setExecutable(true);
            }
        }
        pb.environment()
                .put(
                        "PATH",
                        Path.of(System.getProperty("java.home"), "bin")
                                + java.io.File.pathSeparator
                                + tools
                                + java.io.File.pathSeparator
                                + pb.environment().get("PATH"));
        if (!Walls.current(true).all()) {
            pb.environment().put("STORAGELAB_REQUIRE_WALLS", "no");
        }
    }

    private static Script run(Path script) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
        environment(pb);
        pb.environment().put("AUTOGRADER_ROOT", root.toString());
        pb.environment().put("STORAGELAB_MAVEN_ARGS", "-o"); // Gradescope's setup is online; this test is not
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(script + " must finish", p.waitFor(10, TimeUnit.MINUTES), is(true));
        return new Script(p.exitValue(), out);
    }

    private static void unzip(Path zip, Path into) throws IOException {
        try (InputStream raw = Files.newInputStream(zip);
                ZipInputStream in = new ZipInputStream(raw)) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                Path dest = into.resolve(e.getName()).normalize();
                Files.createDirectories(dest.getParent());
                Files.copy(in, dest);
            }
        }
    }

    /** Runs the autograder on a submission laid out by {@code fill} and returns its results.json. */
    private static JsonObject grade(String name, SubmissionMaker fill) throws Exception {
        Path submission = root.resolve("submission");
        FileTrees.deleteRecursively(submission);
        FileTrees.deleteRecursively(root.resolve("results"));
        Files.createDirectories(submission);
        fill.make(submission);
        Script run = run(root.resolve("run_autograder"));
        Path results = root.resolve("results/results.json");
        assertThat(
                name + ": run_autograder writes results.json\n" + run.output(), Files.isRegularFile(results), is(true));
        JsonObject json = JsonParser.parseString(Files.readString(results)).getAsJsonObject();
        assertThat(name + ": " + String.join("\n", schemaProblems(json)), schemaProblems(json), empty());
        return json;
    }

    private interface SubmissionMaker {
        void make(Path dir) throws IOException;
    }

    /** What Gradescope's results.json specification asks for, and this grader always writes. */
    public static List<String> schemaProblems(JsonObject json) {
        List<String> problems = new ArrayList<>();
        for (String field : List.of("score", "execution_time")) {
            if (!json.has(field)
                    || !json.get(field).isJsonPrimitive()
                    || !json.get(field).getAsJsonPrimitive().isNumber()) {
                problems.add("top-level '" + field + "' must be a number");
            }
        }
        for (String field : List.of("output", "stdout_visibility")) {
            if (!json.has(field)
                    || !json.get(field).isJsonPrimitive()
                    || !json.get(field).getAsJsonPrimitive().isString()) {
                problems.add("top-level '" + field + "' must be a string");
            }
        }
        if (json.has("stdout_visibility")
                && !Set.of("hidden", "after_due_date", "after_published", "visible")
                        .contains(json.get("stdout_visibility").getAsString())) {
            problems.add("stdout_visibility has an unknown value");
        }
        if (!json.has("tests") || !json.get("tests").isJsonArray()) {
            problems.add("'tests' must be an array");
            return problems;
        }
        for (JsonElement e : json.getAsJsonArray("tests")) {
            JsonObject t = e.getAsJsonObject();
            for (String field : List.of("name", "status", "visibility", "output")) {
                if (!t.has(field) || !t.get(field).getAsJsonPrimitive().isString()) {
                    problems.add("test " + t + ": '" + field + "' must be a string");
                }
            }
            for (String field : List.of("score", "max_score")) {
                if (!t.has(field) || !t.get(field).getAsJsonPrimitive().isNumber()) {
                    problems.add("test " + t.get("name") + ": '" + field + "' must be a number");
                }
            }
            if (t.has("status")
                    && !Set.of("passed", "failed").contains(t.get("status").getAsString())) {
                problems.add("test " + t.get("name") + ": status must be passed or failed");
            }
        }
        if (json.has("leaderboard")) {
            for (JsonElement e : json.getAsJsonArray("leaderboard")) {
                JsonObject l = e.getAsJsonObject();
                if (!l.has("name") || !l.has("value")) {
                    problems.add("leaderboard entry " + l + " needs a name and a value");
                }
            }
        }
        return problems;
    }

    private static double maxScore(JsonObject json) {
        double max = 0;
        for (JsonElement e : json.getAsJsonArray("tests")) {
            max += e.getAsJsonObject().get("max_score").getAsDouble();
        }
        return max;
    }

    /** Runs PrairieLearn's entrypoint on lab 01 with {@code upload} (file name to contents) in /grade/student. */
    private static JsonObject prairieLearn(String name, java.util.Map<String, String> upload) throws Exception {
        Path pl = tmp.resolve("pl");
        if (!Files.isDirectory(pl)) {
            PrairieLearnPackage.write(Workspace.at(workspace), "01", pl);
        }
        Path grade = tmp.resolve("grade");
        FileTrees.deleteRecursively(grade);
        Files.createDirectories(grade.resolve("student"));
        FileTrees.copy(pl.resolve("questions/storagelab-lab-01/tests"), grade.resolve("tests"), p -> true);
        for (var e : upload.entrySet()) {
            Files.writeString(grade.resolve("student").resolve(e.getKey()), e.getValue());
        }
        ProcessBuilder pb = new ProcessBuilder(
                        "bash", pl.resolve("grader-image/run_grader").toString(), "01")
                .redirectErrorStream(true);
        environment(pb);
        pb.environment().put("GRADE_ROOT", grade.toString());
        pb.environment().put("STORAGELAB_ROOT", root.toString());
        // A temp folder of its own, which each grading must leave as it found it (empty)
        Path scratch = tmp.resolve("pl-tmp");
        FileTrees.deleteRecursively(scratch);
        Files.createDirectories(scratch);
        pb.environment().put("TMPDIR", scratch.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(name + " must finish", p.waitFor(10, TimeUnit.MINUTES), is(true));
        try (java.util.stream.Stream<Path> left = Files.list(scratch)) {
            assertThat(name + ": run_grader leaves nothing in the temp folder", left.toList(), empty());
        }
        Path results = grade.resolve("results/results.json");
        assertThat(name + ": run_grader writes results.json\n" + out, Files.isRegularFile(results), is(true));
        return JsonParser.parseString(Files.readString(results)).getAsJsonObject();
    }

    private static double maxPoints(JsonObject json) {
        double max = 0;
        for (JsonElement e : json.getAsJsonArray("tests")) {
            max += e.getAsJsonObject().get("max_points").getAsDouble();
        }
        return max;
    }

    @Test
    void prairieLearnsQuestionNamesTheImageTheEntrypointAndTheFilesToUpload() throws Exception {
        prairieLearn("layout", java.util.Map.of()); // writes the package
        Path question = tmp.resolve("pl/questions/storagelab-lab-01");
        JsonObject info = JsonParser.parseString(Files.readString(question.resolve("info.json")))
                .getAsJsonObject();
        assertThat(info.get("gradingMethod").getAsString(), is("External"));
        JsonObject options = info.getAsJsonObject("externalGradingOptions");
        assertThat(options.get("enabled").getAsBoolean(), is(true));
        assertThat(options.get("image").getAsString(), is(PrairieLearnPackage.IMAGE));
        assertThat(options.get("entrypoint").getAsString(), is("/opt/storagelab/run_grader 01"));
        assertThat("PrairieLearn's limit", options.get("timeout").getAsInt(), lessThanOrEqualTo(600));
        assertThat(
                Files.readString(question.resolve("question.html")),
                containsString("<pl-file-upload file-names=\"Calc.java\""));
        assertThat(
                "the release's file, to start from",
                Files.readString(question.resolve("clientFilesQuestion/Calc.java")),
                containsString("throw new dev.storagelab.lab.NotImplementedException(\"lab-01\", \"T1\""));
        assertThat(
                Files.readString(tmp.resolve("pl/grader-image/Dockerfile")),
                containsString("FROM eclipse-temurin:25-jdk"));
        assertThat(
                "the image holds the workspace the setup builds",
                Files.isRegularFile(
                        tmp.resolve(
                                "pl/grader-image/source/storagelab/lab-01-calc/src/hidden/java/fixture/calc/CalcHiddenTest.java")),
                is(true));
    }

    /**
     * The reference's own code, one of its calls moved into a class of the student's own, with a
     * stray file beside it: full marks, every test and performance line, so PrairieLearn's
     * entrypoint places a lab's files and a student's extra classes as the grader needs them.
     */
    @Test
    void prairieLearnGradesTheReferencesCodeWithAClassOfTheStudentsOwnToFullMarks() throws Exception {
        Lab lab = Workspace.at(workspace).lab("01");
        String calc = Files.readString(workspace.resolve(lab.studentSources()).resolve("fixture/calc/Calc.java"));
        String withHelper = calc.replace("return a + b;", "return CalcHelper.sum(a, b);");
        assertThat("the reference's region is rewritten", withHelper, not(is(calc)));
        JsonObject json = prairieLearn(
                "helper",
                java.util.Map.of(
                        "Calc.java",
                        withHelper,
                        "CalcHelper.java",
                        "package fixture.calc;\n\n/** A class of the student's own. */\nfinal class CalcHelper {\n"
                                + "    static int sum(int a, int b) {\n        return a + b;\n    }\n}\n",
                        "Stray.java",
                        "package somewhere.else;\nclass Stray {}\n"));
        assertThat(json.toString(), json.get("gradable").getAsBoolean(), is(true));
        assertThat(json.toString(), json.get("score").getAsDouble(), closeTo(1.0, 1e-9));
        assertThat(json.toString(), maxPoints(json), greaterThan(0.0));
        for (JsonElement e : json.getAsJsonArray("tests")) {
            JsonObject t = e.getAsJsonObject();
            assertThat(
                    t.toString(),
                    t.get("points").getAsDouble(),
                    closeTo(t.get("max_points").getAsDouble(), 1e-9));
        }
        assertThat(
                "the question lets a student upload more .java files",
                Files.readString(tmp.resolve("pl/questions/storagelab-lab-01/question.html")),
                containsString("optional-file-patterns=\"*.java\""));
    }

    @Test
    void prairieLearnGradesTheReleasesFileToNothingWithFeedback() throws Exception {
        JsonObject json = prairieLearn(
                "release",
                java.util.Map.of(
                        "Calc.java",
                        Files.readString(tmp.resolve("pl/questions/storagelab-lab-01/clientFilesQuestion/Calc.java"))));
        assertThat(json.toString(), json.get("score").getAsDouble(), closeTo(0.0, 1e-9));
        assertThat(json.toString(), maxPoints(json), greaterThan(0.0));
        assertThat(json.toString(), containsString("is not implemented yet"));
    }

    @Test
    void prairieLearnToldOfNoFileSpendsNoAttempt() throws Exception {
        JsonObject json = prairieLearn("nothing", java.util.Map.of("Other.java", "class Other {}"));
        assertThat(json.get("gradable").getAsBoolean(), is(false));
        assertThat(json.get("message").getAsString(), is("No file of lab 01 was submitted: upload Calc.java."));
    }

    @Test
    void theReferenceGetsFullMarksWithALeaderboard() throws Exception {
        JsonObject json = grade("reference", dir -> {
            for (Lab lab : Workspace.at(workspace).labs()) {
                FileTrees.copy(workspace.resolve(lab.studentSources()), dir.resolve(lab.studentSources()), p -> true);
            }
        });
        assertThat(json.toString(), json.get("score").getAsDouble(), closeTo(maxScore(json), 1e-9));
        assertThat(json.toString(), maxScore(json), greaterThan(0.0));
        assertThat(
                "the results say which walls stood",
                json.get("output").getAsString(),
                containsString("Grading " + Walls.current(true).line() + "."));
        JsonArray leaderboard = json.getAsJsonArray("leaderboard");
        assertThat("a measured performance line is on the leaderboard: " + json, leaderboard.size(), greaterThan(0));
    }

    @Test
    void theReleaseGetsNothing() throws Exception {
        // In .ci/long-proofs.sh alone: mvn verify proves the export scores nothing (FixtureGradingTest)
        // and a release's file graded through a platform's script (PrairieLearn's, above).
        Fixtures.assumeLongProofs();
        JsonObject json = grade("release", dir -> new Exporter(Workspace.at(workspace)).export(dir.resolve("release")));
        assertThat(json.toString(), json.get("score").getAsDouble(), closeTo(0.0, 1e-9));
        assertThat(json.toString(), maxScore(json), greaterThan(0.0));
        assertThat(json.toString(), containsString("is not implemented yet"));
    }

    @Test
    void aSubmissionThatDoesNotCompileIsToldTheCompilerError() throws Exception {
        JsonObject json = grade("broken", dir -> {
            Lab lab = Workspace.at(workspace).lab("01");
            FileTrees.copy(workspace.resolve(lab.studentSources()), dir.resolve(lab.studentSources()), p -> true);
            Path calc = dir.resolve(lab.studentSources()).resolve("fixture/calc/Calc.java");
            Files.writeString(calc, Files.readString(calc).replace("return a + b;", "return a + b"));
        });
        assertThat(json.get("score").getAsDouble(), closeTo(0.0, 1e-9));
        String text = json.toString();
        assertThat(text, containsString("does not compile"));
        assertThat("the compiler's own words, with the file", text, containsString("Calc.java"));
        assertThat(text, not(containsString("could not run")));
    }
}
