package dev.storagelab.testkit;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Records what the engines of one public test do, and writes it for the viewer when the test
 * fails: the shared part of {@link FailureRecording} (JUnit tests) and
 * {@link FailureRecordingHook} (jqwik properties, whose last falsified try is the shrunk sample).
 *
 * <p>It records only when {@code ./storagelab test} asked for it, by the system property
 * {@value #PROPERTY} (the folder to write into), and never for a hidden test (a class in a
 * {@code .hidden.} package): their sequences stay hidden. The engines hear it through lab-01's
 * {@code dev.storagelab.events.TestRecording}, reached by name, since this module depends on no lab.
 *
 * <p>A recording is a run in the viewer's format (JSON lines: a header, the events, an end line with
 * their count and CRC32C): its header names the test, the failure, what the test expected and what
 * it got when the assertion says, the view to open and the event the test failed after
 * ({@code failedAt}), where {@code ./storagelab viz FILE} opens it.
 */
public final class FailureRecorder {

    /** The system property that asks for recordings: the folder to write them in. */
    public static final String PROPERTY = "storagelab.failures";
    /** The most events one recording keeps (the last ones): a test's run, not a benchmark's. */
    static final int MAX_EVENTS = 200_000;

    private static final String TEST_RECORDING = "dev.storagelab.events.TestRecording";
    private static final Gson GSON = new GsonBuilder()
            .disableHtmlEscaping()
            .serializeSpecialFloatingPointValues()
            .create();

    /** The events of one test (or one try of a property), the last {@link #MAX_EVENTS} of them. */
    static final class Events implements Consumer<Map<String, Object>> {
        private final ArrayDeque<Map<String, Object>> events = new ArrayDeque<>();
        private long dropped;

        @Override
        public synchronized void accept(Map<String, Object> event) {
            if (events.size() == MAX_EVENTS) {
                events.removeFirst();
                dropped++;
            }
            events.addLast(event);
        }

        synchronized List<Map<String, Object>> list() {
            return new ArrayList<>(events);
        }

        synchronized long dropped() {
            return dropped;
        }

        synchronized boolean isEmpty() {
            return events.isEmpty();
        }
    }

    private FailureRecorder() {}

    /** Whether the tests of {@code testClass} are recorded in this run. */
    static boolean applies(Class<?> testClass) {
        String dir = System.getProperty(PROPERTY);
        return dir != null && !dir.isBlank() && !testClass.getName().contains(".hidden.");
    }

    /** Starts hearing the engines opened from now on; null when the labs' recording hook is absent. */
    static Events start() {
        Events events = new Events();
        return install(events) ? events : null;
    }

    /** Stops hearing them. */
    static void stop() {
        install(null);
    }

    private static boolean install(Consumer<Map<String, Object>> sink) {
        try {
            Method m = Class.forName(TEST_RECORDING).getMethod("install", Consumer.class);
            m.invoke(null, sink);
            return true;
        } catch (ReflectiveOperationException | LinkageError e) {
            return false; // no lab-01 on this classpath: nothing to record
        }
    }

    /**
     * Writes {@code events}, heard while test {@code test} of {@code testClass} ran and failed with
     * {@code failure}, to the recordings' folder; returns the file, or null when the test's engines
     * reported nothing (a test of no engine) or the file could not be written.
     */
    static Path write(Events events, Class<?> testClass, String test, Throwable failure) {
        if (events == null || events.isEmpty()) {
            return null;
        }
        Path dir = Path.of(System.getProperty(PROPERTY));
        String name = (testClass.getSimpleName() + "." + test).replaceAll("[^A-Za-z0-9_.-]", "_");
        Path file = dir.resolve((name.length() > 150 ? name.substring(0, 150) : name) + ".jsonl");
        try {
            Files.createDirectories(dir);
            writeRun(file, events, testClass.getSimpleName() + "." + test, failure);
            return file;
        } catch (IOException e) {
            System.err.println("storagelab: could not write the recording of " + test + " to " + file + ": " + e);
            return null;
        }
    }

    static void writeRun(Path file, Events events, String test, Throwable failure) throws IOException {
        List<Map<String, Object>> list = events.list();
        CRC32C crc = new CRC32C();
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            JsonObject h = new JsonObject();
            h.addProperty("format", "storagelab-events");
            h.addProperty("version", 1);
            String family = family(list);
            h.addProperty("engine", engine(list, family));
            h.addProperty("workload", "test " + test);
            h.addProperty("test", test);
            h.addProperty("view", family);
            Failure f = Failure.of(failure);
            h.addProperty("failure", f.message());
            if (f.expected() != null) {
                h.addProperty("expected", f.expected());
                h.addProperty("actual", f.actual());
            }
            h.addProperty("failedAt", list.size()); // the mark after the last event
            if (events.dropped() > 0) {
                h.addProperty("droppedEvents", events.dropped());
            }
            h.addProperty("startedAt", Instant.now().toString());
            line(out, crc, GSON.toJson(h));
            long start = list.isEmpty() ? 0 : ((Number) list.get(0).get("nanos")).longValue();
            long last = 0;
            int i = 0;
            for (Map<String, Object> e : list) {
                long t = Math.max(last, ((Number) e.get("nanos")).longValue() - start);
                last = t;
                JsonObject o = new JsonObject();
                o.addProperty("i", i++);
                o.addProperty("t", t);
                o.addProperty("type", (String) e.get("type"));
                e.forEach((k, v) -> {
                    if (!k.equals("type") && !k.equals("nanos")) {
                        o.add(k, GSON.toJsonTree(v));
                    }
                });
                line(out, crc, GSON.toJson(o));
            }
            JsonObject mark = new JsonObject();
            mark.addProperty("i", i++);
            mark.addProperty("t", last);
            mark.addProperty("type", "run.phase");
            mark.addProperty("phase", "the test failed here");
            line(out, crc, GSON.toJson(mark));
            JsonObject end = new JsonObject();
            end.addProperty("end", true);
            end.addProperty("events", i);
            end.addProperty("crc32c", String.format("%08x", crc.getValue()));
            out.write((GSON.toJson(end) + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void line(OutputStream out, CRC32C crc, String json) throws IOException {
        byte[] bytes = (json + "\n").getBytes(StandardCharsets.UTF_8);
        crc.update(bytes);
        out.write(bytes);
    }

    /** The viewer's view for what the engines reported: the family most of the events belong to. */
    static String family(List<Map<String, Object>> events) {
        int[] counts = new int[VIEWS.length];
        for (Map<String, Object> e : events) {
            String type = String.valueOf(e.get("type"));
            if (type.startsWith("route.") || type.startsWith("migration.") || type.startsWith("tier.")) {
                counts[3]++;
            } else if (type.startsWith("wal.") || type.startsWith("txn.") || type.startsWith("version.")) {
                counts[2]++;
            } else if (type.startsWith("flush.") || type.startsWith("compaction.")) {
                counts[1]++;
            } else if (type.startsWith("page.") || type.equals("checkpoint")) {
                counts[0]++;
            } else if (type.equals("run.phase") && e.get("engine") instanceof String engine) {
                // an engine's opening (lab-01's TestRecording): its view, where it reported nothing else
                counts[viewOfPackage(engine)]++;
            }
        }
        int best = 1;
        for (int k = 0; k < counts.length; k++) {
            if (counts[k] > counts[best]) {
                best = k;
            }
        }
        return counts[3] > 0 ? "hybrid" : VIEWS[best];
    }

    /** The viewer's views of the engines' families, in {@link #family}'s order. */
    private static final String[] VIEWS = {"btree", "lsm", "wal", "hybrid"};

    /**
     * The engine a recording shows, named by what it is: the package of the first engine opened
     * whose family the view shows ({@code sortedlog}, lab-01's store, on the LSM tree's view;
     * {@code btree}, {@code lsm}, {@code wal}, {@code mvcc}, {@code hybrid}), or the view's own name
     * when no engine said it opened (the lab-06 log's family then as {@code kv}).
     */
    static String engine(List<Map<String, Object>> events, String family) {
        for (Map<String, Object> e : events) {
            String[] name = e.get("engine") instanceof String engine ? engine.split("\\.") : new String[0];
            if ("run.phase".equals(e.get("type"))
                    && name.length > 3
                    && name[0].equals("dev")
                    && name[1].equals("storagelab")
                    && VIEWS[viewOfPackage((String) e.get("engine"))].equals(family)) {
                return name[2];
            }
        }
        return family.equals("wal") ? "kv" : family;
    }

    /** The view of an engine class's package, as an index of {@link #family}'s counts: the LSM tree's unless another. */
    private static int viewOfPackage(String engineClass) {
        if (engineClass.contains(".hybrid.")) {
            return 3;
        }
        if (engineClass.contains(".wal.") || engineClass.contains(".mvcc.") || engineClass.contains(".kv.")) {
            return 2;
        }
        return engineClass.contains(".btree.") ? 0 : 1;
    }
}
