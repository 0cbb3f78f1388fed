package dev.storagelab.grader;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * The visible grading rules, read from {@code grader/rubric.properties}: lab weights, per-test
 * point overrides, deadlines and the heap cap. Tests declare their default points in
 * {@code @Graded}; an instructor changes points here without touching code.
 */
public final class Rubric {

    /** Where the rubric lives, relative to the workspace root. */
    public static final String PATH = "grader/rubric.properties";

    private final Properties props;

    private Rubric(Properties props) {
        this.props = props;
    }

    /** Reads the rubric of {@code workspace}; a missing file means every default. */
    public static Rubric of(Workspace workspace) {
        Properties p = new Properties();
        Path file = workspace.root().resolve(PATH);
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Rubric(p);
    }

    /** A lab's weight: each of its test points counts this many times. Default 1. */
    public double weight(String lab) {
        return number("weight." + lab, 1.0);
    }

    /** The points of test {@code id}: the rubric's override, else {@code declared}. */
    public int points(String id, int declared) {
        return (int) number("points." + id, declared);
    }

    /** How long one test may run before it is stopped. */
    public Duration testDeadline() {
        return Duration.ofSeconds((long) number("deadline.test.seconds", 120));
    }

    /** How long all the tests of one lab may run. */
    public Duration labDeadline() {
        return Duration.ofSeconds((long) number("deadline.lab.seconds", 1200));
    }

    /** How long building one workspace may take. */
    public Duration buildDeadline() {
        return Duration.ofSeconds((long) number("deadline.build.seconds", 900));
    }

    /** The child JVM's heap cap in MiB. */
    public int heapMegabytes() {
        return (int) number("heap.mb", 768);
    }

    private double number(String key, double fallback) {
        String v = props.getProperty(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PATH + ": " + key + " must be a number, not '" + v + "'");
        }
    }
}
