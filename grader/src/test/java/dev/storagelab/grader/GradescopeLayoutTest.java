package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
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
 * The autograder zip run as Gradescope runs it, in a copy of Gradescope's layout
 * ({@code AUTOGRADER_ROOT}: {@code source/}, {@code submission/}, {@code results/}): {@code setup.sh}
 * once (its package step skipped, since JDK 17 and Maven are here), then {@code run_autograder},
 * offline, for the reference, the student release and a submission that does not compile. Each
 * {@code results.json} is checked against Gradescope's documented fields. The workspace is the
 * fixture's, with the real grader module and launcher, so that the scripts build and run the real
 * grader in seconds.
 */
class GradescopeLayoutTest {

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
        assertThat("the package step is skipped where JDK 17 and Maven are present", setup.output(),
                containsString("JDK 17 and Maven are already installed"));
        assertThat(setup.output(), containsString("the reference is built in " + root.resolve("reference-build")));
    }

    private record Script(int exit, String output) {
    }

    private static Script run(Path script) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
        pb.environment().put("AUTOGRADER_ROOT", root.toString());
        pb.environment().put("STORAGELAB_MAVEN_ARGS", "-o"); // Gradescope's setup is online; this test is not
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(script + " must finish", p.waitFor(10, TimeUnit.MINUTES), is(true));
        return new Script(p.exitValue(), out);
    }

    private static void unzip(Path zip, Path into) throws IOException {
        try (InputStream raw = Files.newInputStream(zip); ZipInputStream in = new ZipInputStream(raw)) {
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
        assertThat(name + ": run_autograder writes results.json\n" + run.output(), Files.isRegularFile(results), is(true));
        JsonObject json = JsonParser.parseString(Files.readString(results)).getAsJsonObject();
        assertThat(name + ": " + String.join("\n", schemaProblems(json)), schemaProblems(json), empty());
        return json;
    }

    private interface SubmissionMaker {
        void make(Path dir) throws IOException;
    }

    /** What Gradescope's results.json specification asks for, and this grader always writes. */
    static List<String> schemaProblems(JsonObject json) {
        List<String> problems = new ArrayList<>();
        for (String field : List.of("score", "execution_time")) {
            if (!json.has(field) || !json.get(field).isJsonPrimitive() || !json.get(field).getAsJsonPrimitive().isNumber()) {
                problems.add("top-level '" + field + "' must be a number");
            }
        }
        for (String field : List.of("output", "stdout_visibility")) {
            if (!json.has(field) || !json.get(field).isJsonPrimitive() || !json.get(field).getAsJsonPrimitive().isString()) {
                problems.add("top-level '" + field + "' must be a string");
            }
        }
        if (json.has("stdout_visibility") && !Set.of("hidden", "after_due_date", "after_published", "visible")
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
            if (t.has("status") && !Set.of("passed", "failed").contains(t.get("status").getAsString())) {
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

    @Test
    void theReferenceGetsFullMarksWithALeaderboard() throws Exception {
        JsonObject json = grade("reference", dir -> {
            for (Lab lab : Workspace.at(workspace).labs()) {
                FileTrees.copy(workspace.resolve(lab.studentSources()), dir.resolve(lab.studentSources()), p -> true);
            }
        });
        assertThat(json.toString(), json.get("score").getAsDouble(), closeTo(maxScore(json), 1e-9));
        assertThat(json.toString(), maxScore(json), greaterThan(0.0));
        JsonArray leaderboard = json.getAsJsonArray("leaderboard");
        assertThat("a measured performance line is on the leaderboard: " + json, leaderboard.size(), greaterThan(0));
    }

    @Test
    void theReleaseGetsNothing() throws Exception {
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
