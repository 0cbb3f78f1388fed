package dev.storagelab.grader.platform;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.storagelab.grader.grade.Grader;
import dev.storagelab.grader.report.ReportWriter;
import dev.storagelab.grader.workspace.ContainerLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a platform's script does when the grader was stopped from outside: the kernel's
 * out-of-memory killer took the grader's own JVM, or the script's timeout ran out. The grader
 * rewrites its results after each lab ({@code grade --time-limit}, {@link Grader#partialResults}),
 * so the points of the labs it finished are on disk; this puts the reason on their first line
 * (Gradescope's {@code output}, PrairieLearn's {@code message}), and where the grader left no
 * results at all, writes results that say why. The reason comes from the exit status and the
 * container's own counters, read on the grader's side, never from anything a submission wrote.
 */
public final class StoppedGrading {

    private static final Gson GSON = new GsonBuilder()
            .setPrettyPrinting()
            .disableHtmlEscaping()
            .serializeNulls()
            .create();

    private StoppedGrading() {}

    /** Why a grading that exited with {@code status} stopped ({@code timedOut}: the time limit it hit, or null). */
    public static String reason(int status, Long timedOut, ContainerLimits container) {
        if (timedOut != null) {
            return "the grading's time limit of " + timedOut + " s was reached, so the grader was stopped.";
        }
        if (container.oomKills() > 0) {
            return "the grading container ran out of memory (its limit, " + container.memoryLimitMegabytes()
                    + " MiB, holds the grader, Maven and the tests together), so the grader was stopped.";
        }
        if (status == 137) {
            return "the grader was killed (by the container's memory limit, or its time limit).";
        }
        return "the grader stopped unexpectedly (exit status " + status + "); please tell your instructor.";
    }

    /** Puts {@code reason} at the top of the results in {@code out}, or writes results that hold only it. */
    public static void note(Path out, String reason) throws IOException {
        Files.createDirectories(out);
        String line = "Grading stopped: " + reason;
        JsonObject gradescope = read(out.resolve("results.json"));
        if (gradescope == null) {
            gradescope = new JsonObject();
            gradescope.addProperty("score", 0);
            gradescope.addProperty("execution_time", 0);
            gradescope.addProperty("output", line + " No test had been graded yet.");
            gradescope.addProperty("output_format", "text");
            gradescope.addProperty("visibility", "visible");
            gradescope.addProperty("stdout_visibility", "hidden");
            JsonObject test = new JsonObject();
            test.addProperty("name", "grading");
            test.addProperty("score", 0);
            test.addProperty("max_score", 0);
            test.addProperty("status", "failed");
            test.addProperty("output", line);
            test.addProperty("output_format", "text");
            test.addProperty("visibility", "visible");
            JsonArray tests = new JsonArray();
            tests.add(test);
            gradescope.add("tests", tests);
        } else {
            gradescope.addProperty(
                    "output",
                    line + " The points earned before it are kept: "
                            + (gradescope.has("output")
                                    ? gradescope.get("output").getAsString()
                                    : ""));
        }
        write(out.resolve("results.json"), gradescope);

        JsonObject prairielearn = read(out.resolve(ReportWriter.PRAIRIELEARN));
        if (prairielearn == null) {
            prairielearn = new JsonObject();
            prairielearn.addProperty("gradable", false); // nothing was graded: the attempt is not spent
            JsonArray errors = new JsonArray();
            errors.add(line);
            prairielearn.add("format_errors", errors);
            prairielearn.addProperty("score", 0);
            prairielearn.addProperty("message", line + " No test had been graded yet.");
            prairielearn.add("tests", new JsonArray());
        } else {
            prairielearn.addProperty(
                    "message",
                    line + " The points earned before it are kept: "
                            + (prairielearn.has("message")
                                    ? prairielearn.get("message").getAsString()
                                    : ""));
        }
        write(out.resolve(ReportWriter.PRAIRIELEARN), prairielearn);
    }

    private static JsonObject read(Path file) {
        try {
            return Files.isRegularFile(file)
                    ? JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8))
                            .getAsJsonObject()
                    : null;
        } catch (IOException | JsonParseException | IllegalStateException e) {
            return null; // cut short as it was written: start again
        }
    }

    private static void write(Path file, JsonObject json) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, GSON.toJson(json), StandardCharsets.UTF_8);
        Files.move(
                tmp,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
