package dev.storagelab.workbench.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Reading JMH's JSON results ({@code -rf json -rff PATH}) and the workbench's: what every family of
 * the notes' figures shares. A result's summary is the median of its measurement iterations, the
 * fastest and the slowest, beside JMH's own mean and error.
 */
public final class Jmh {

    private Jmh() {}

    /** The median, fastest and slowest iteration, JMH's mean and error, the unit and the count of a metric. */
    public record Summary(double median, double min, double max, double mean, double error, String unit, int n) {
        Summary times(double k, String newUnit) {
            return new Summary(median * k, min * k, max * k, mean * k, error * k, newUnit, n);
        }
    }

    /** The JSON document in {@code path}. */
    public static JsonElement json(Path path) throws IOException {
        return JsonParser.parseString(Files.readString(path, StandardCharsets.UTF_8));
    }

    /** The document at {@code dir/name}, or null if that run was not recorded (its figure is skipped). */
    public static JsonElement jsonIfPresent(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        return Files.isRegularFile(p) ? json(p) : null;
    }

    /** The JSON object at {@code dir/name} (a run the workbench or a figure's program wrote), or null if it was not recorded. */
    public static JsonObject objectIfPresent(Path dir, String name) throws IOException {
        JsonElement e = jsonIfPresent(dir, name);
        return e == null ? null : e.getAsJsonObject();
    }

    /** The benchmark results in {@code dir/name}, or null if that benchmark has not been run. */
    public static List<JsonObject> resultsIfPresent(Path dir, String name) throws IOException {
        JsonElement e = jsonIfPresent(dir, name);
        return e == null ? null : results(e);
    }

    public static List<JsonObject> results(JsonElement doc) {
        List<JsonObject> out = new ArrayList<>();
        for (JsonElement e : doc.getAsJsonArray()) {
            out.add(e.getAsJsonObject());
        }
        return out;
    }

    /** The benchmark method's name: {@code get} for {@code dev.storagelab.bst.bench.OrderedMapBenchmark.get}. */
    public static String method(JsonObject result) {
        String b = result.get("benchmark").getAsString();
        return b.substring(b.lastIndexOf('.') + 1);
    }

    /** A parameter of the result, as written. */
    public static String param(JsonObject result, String name) {
        return result.getAsJsonObject("params").get(name).getAsString();
    }

    public static int intParam(JsonObject result, String name) {
        return Integer.parseInt(param(result, name));
    }

    public static JsonObject primary(JsonObject result) {
        return result.getAsJsonObject("primaryMetric");
    }

    public static JsonObject secondary(JsonObject result, String name) {
        return result.getAsJsonObject("secondaryMetrics").getAsJsonObject(name);
    }

    /** Every measurement iteration of every fork, flattened. */
    public static List<Double> iterations(JsonObject metric) {
        List<Double> xs = new ArrayList<>();
        for (JsonElement fork : metric.getAsJsonArray("rawData")) {
            for (JsonElement x : fork.getAsJsonArray()) {
                xs.add(x.getAsDouble());
            }
        }
        return xs;
    }

    /** The sum of a counter over every measured iteration. */
    public static double total(JsonObject metric) {
        return iterations(metric).stream().mapToDouble(Double::doubleValue).sum();
    }

    public static Summary summary(JsonObject metric) {
        List<Double> xs = iterations(metric);
        return new Summary(
                median(xs),
                Collections.min(xs),
                Collections.max(xs),
                metric.get("score").getAsDouble(),
                number(metric.get("scoreError")),
                metric.get("scoreUnit").getAsString(),
                xs.size());
    }

    private static final Map<String, Double> MICROS = Map.of("ns/op", 1e-3, "us/op", 1.0, "ms/op", 1e3, "s/op", 1e6);

    /** {@link #summary} of a time metric in µs per operation, whatever unit JMH reported it in. */
    public static Summary micros(JsonObject metric) {
        Summary s = summary(metric);
        Double k = MICROS.get(s.unit());
        if (k == null) {
            throw new IllegalArgumentException("a time per operation was expected, not " + s.unit());
        }
        return s.times(k, "us/op");
    }

    /** JMH writes "NaN" for the error of a single iteration. */
    private static double number(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return Double.NaN;
        }
        try {
            return e.getAsDouble();
        } catch (NumberFormatException notANumber) {
            return Double.NaN;
        }
    }

    /** The median of {@code values}, as Python's statistics.median: the mean of the middle two of an even count. */
    public static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int n = v.size();
        if (n == 0) {
            throw new IllegalArgumentException("the median of no values");
        }
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    public static JsonArray array(JsonObject o, String name) {
        return o.getAsJsonArray(name);
    }
}
