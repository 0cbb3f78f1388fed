package dev.storagelab.workbench.book;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * What the grading scripts of {@code notes/figures} print about a grade: {@code figures
 * grade-summary} (for {@code grade_under_load.sh}) and {@code figures gradescope-score} (for
 * {@code gradescope_limits.sh}).
 */
final class GradeTables {

    private GradeTables() {}

    /** The longest part of a lost test's message the summary shows. */
    static final int MESSAGE = 160;

    @Command(
            name = "grade-summary",
            mixinStandardHelpOptions = true,
            description = "A grade's summary from its grade.json (./storagelab grade --out DIR): its points and percent"
                    + " on the first line, then a line per test that lost points; exits 1 unless it scored 100%%"
                    + " (or when there is no readable grade.json, which it says on its first line).")
    static final class GradeSummary extends FigureTables.Table {
        @Parameters(index = "0", paramLabel = "grade.json")
        Path file;

        @Override
        public Integer call() {
            JsonObject g;
            try {
                g = Jmh.json(file).getAsJsonObject();
            } catch (IOException | JsonParseException | IllegalStateException e) {
                out.println("no grade.json (" + file
                        + (e instanceof java.nio.file.NoSuchFileException ? " does not exist" : ": " + e.getMessage())
                        + ")");
                return 1;
            }
            StringBuilder s = new StringBuilder(
                    g.get("score") + "/" + g.get("max_score") + " points, " + g.get("percent") + " %");
            for (JsonElement lab : g.getAsJsonArray("isolated")) {
                for (JsonElement t : lab.getAsJsonObject().getAsJsonArray("tests")) {
                    JsonObject test = t.getAsJsonObject();
                    if (test.get("score").getAsDouble() < test.get("max_score").getAsDouble()) {
                        String message = test.get("message") == null
                                        || test.get("message").isJsonNull()
                                ? ""
                                : test.get("message").getAsString();
                        s.append("\n    lost ")
                                .append(test.get("id").getAsString())
                                .append(": ")
                                .append(message, 0, Math.min(MESSAGE, message.length()));
                    }
                }
            }
            out.println(s);
            return g.get("percent").getAsDouble() == 100 ? 0 : 1;
        }
    }

    @Command(
            name = "gradescope-score",
            mixinStandardHelpOptions = true,
            description = "The score of a Gradescope results.json out of its tests' maximum, as SCORE/MAX.")
    static final class GradescopeScore extends FigureTables.Table {
        @Parameters(index = "0", paramLabel = "results.json")
        Path file;

        @Override
        public Integer call() throws IOException {
            JsonObject r = Jmh.json(file).getAsJsonObject();
            double max = 0;
            for (JsonElement t : r.getAsJsonArray("tests")) {
                JsonElement m = t.getAsJsonObject().get("max_score");
                max += m == null ? 0 : m.getAsDouble();
            }
            out.println(Md.g(r.get("score").getAsDouble()) + "/" + Md.g(max));
            return 0;
        }
    }
}
