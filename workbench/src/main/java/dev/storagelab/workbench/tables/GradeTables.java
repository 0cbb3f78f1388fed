package dev.storagelab.workbench.tables;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.storagelab.workbench.data.Jmh;
import dev.storagelab.workbench.data.Md;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * What the grading scripts of {@code notes/figures} print about a grade: {@code figures
 * grade-summary} (for {@code grade_under_load.sh}), {@code figures costly-line} (for
 * {@code costly_fixtures.sh}) and {@code figures gradescope-score} (for {@code gradescope_limits.sh}).
 */
public final class GradeTables {

    private GradeTables() {}

    /** The longest part of a lost test's message the summary shows. */
    static final int MESSAGE = 160;

    @Command(
            name = "grade-summary",
            mixinStandardHelpOptions = true,
            description = "A grade's summary from its grade.json (./storagelab grade --out DIR): its points and percent"
                    + " (and its performance points, when it measured any) on the first line, then a line per test"
                    + " and per performance line that lost points; exits 1 unless it scored 100%%"
                    + " (or when there is no readable grade.json, which it says on its first line).")
    public static final class GradeSummary extends FigureTables.Table {
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
            double perfEarned = 0;
            double perfMax = 0;
            int lines = 0;
            StringBuilder perfLost = new StringBuilder();
            for (JsonElement lab : g.getAsJsonArray("isolated")) {
                JsonElement perf = lab.getAsJsonObject().get("performance");
                for (JsonElement l : perf == null ? new com.google.gson.JsonArray() : perf.getAsJsonArray()) {
                    JsonObject line = l.getAsJsonObject();
                    lines++;
                    perfEarned += line.get("score").getAsDouble();
                    perfMax += line.get("max_score").getAsDouble();
                    if (line.get("score").getAsDouble() < line.get("max_score").getAsDouble()) {
                        perfLost.append("\n    lost perf ")
                                .append(lab.getAsJsonObject().get("lab").getAsString())
                                .append(' ')
                                .append(line.get("name").getAsString())
                                .append(' ')
                                .append(Md.g(line.get("score").getAsDouble()))
                                .append('/')
                                .append(Md.g(line.get("max_score").getAsDouble()))
                                .append(": ")
                                .append(message(line, 2 * MESSAGE));
                    }
                }
            }
            if (lines > 0) {
                s.append(" (performance ")
                        .append(Md.g(perfEarned))
                        .append('/')
                        .append(Md.g(perfMax))
                        .append(" over ")
                        .append(lines)
                        .append(" lines)");
            }
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
            out.println(s.append(perfLost));
            return g.get("percent").getAsDouble() == 100 ? 0 : 1;
        }
    }

    /** {@code o}'s message, at most {@code most} characters of it; empty when it has none. */
    private static String message(JsonObject o, int most) {
        JsonElement m = o.get("message");
        String text = m == null || m.isJsonNull() ? "" : m.getAsString();
        return text.substring(0, Math.min(most, text.length()));
    }

    @Command(
            name = "costly-line",
            mixinStandardHelpOptions = true,
            description = "Whether a planted costly submission lost its performance line in a grade.json: prints the"
                    + " lab's tests passed and the line's points and message on one line; exits 0 when every test of"
                    + " the lab passed and the line, measured, earned less than its points, 1 otherwise.")
    public static final class CostlyLine extends FigureTables.Table {
        @Parameters(index = "0", paramLabel = "grade.json")
        Path file;

        @Parameters(index = "1", paramLabel = "LAB", description = "lab-05")
        String lab;

        @Parameters(index = "2", paramLabel = "LINE", description = "the rubric line's name: lsm-get-absent")
        String line;

        @Override
        public Integer call() {
            JsonObject g;
            try {
                g = Jmh.json(file).getAsJsonObject();
            } catch (IOException | JsonParseException | IllegalStateException e) {
                out.println("no grade.json (" + file + ": " + e.getMessage() + ")");
                return 1;
            }
            for (JsonElement l : g.getAsJsonArray("isolated")) {
                JsonObject labResult = l.getAsJsonObject();
                if (!labResult.get("lab").getAsString().equals(lab)) {
                    continue;
                }
                long passed = labResult.get("passed").getAsLong();
                long total = labResult.get("tests_total").getAsLong();
                for (JsonElement p : labResult.getAsJsonArray("performance")) {
                    JsonObject perf = p.getAsJsonObject();
                    if (!perf.get("name").getAsString().equals(line)) {
                        continue;
                    }
                    double score = perf.get("score").getAsDouble();
                    double max = perf.get("max_score").getAsDouble();
                    boolean lost =
                            passed == total && perf.get("status").getAsString().equals("measured") && score < max;
                    out.println(passed + "/" + total + " tests, " + line + " " + Md.g(score) + "/" + Md.g(max) + ": "
                            + (lost ? "lost" : "NOT lost") + ": " + message(perf, 2 * MESSAGE));
                    return lost ? 0 : 1;
                }
                out.println(passed + "/" + total + " tests, no performance line " + line);
                return 1;
            }
            out.println(lab + " was not graded");
            return 1;
        }
    }

    @Command(
            name = "gradescope-score",
            mixinStandardHelpOptions = true,
            description = "The score of a Gradescope results.json out of its tests' maximum, as SCORE/MAX.")
    public static final class GradescopeScore extends FigureTables.Table {
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
