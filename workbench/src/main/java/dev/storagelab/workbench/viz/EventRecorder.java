package dev.storagelab.workbench.viz;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventListener;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Writes what an engine reports as a recorded run ({@link RunFormat}): a header, one JSON line per
 * event, and an end line with the count and a checksum. Thread-safe: engines report from their
 * writer, flush and compaction threads at once, and lines are written whole, in one order, with
 * times that never go backwards. A {@link Sink} may watch the lines as they are written (the
 * viewer's live runs).
 */
public final class EventRecorder implements EventListener, Closeable {

    /** Hears each line once it is written and flushed to the file. */
    public interface Sink {
        void line(long offset, int length, long nanos, String type);
    }

    static final Gson GSON = new GsonBuilder()
            .disableHtmlEscaping()
            .serializeSpecialFloatingPointValues()
            .create();

    private final OutputStream out;
    private final long start = System.nanoTime();
    private final CRC32C crc = new CRC32C();
    private final Sink sink;
    private long offset;
    private long events;
    private long lastNanos;
    private boolean closed;
    private IOException failure;
    /** Lines written but not yet flushed, for the sink: offset, length, nanos, type. */
    private final java.util.List<Object[]> unflushed = new java.util.ArrayList<>();

    /** Starts a recording in {@code file} (replaced if it exists) with {@code header}'s fields. */
    public EventRecorder(Path file, Map<String, Object> header, Sink sink) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        this.sink = sink;
        JsonObject h = new JsonObject();
        h.addProperty("format", RunFormat.FORMAT);
        h.addProperty("version", RunFormat.VERSION);
        header.forEach((k, v) -> h.add(k, GSON.toJsonTree(v)));
        h.addProperty("startedAt", Instant.now().toString());
        write(GSON.toJson(h), -1, null);
    }

    @Override
    public void onEvent(EngineEvent event) {
        JsonObject o = new JsonObject();
        synchronized (this) {
            if (closed) {
                return;
            }
            long t = Math.max(lastNanos, System.nanoTime() - start);
            lastNanos = t;
            o.addProperty("i", events);
            o.addProperty("t", t);
            o.addProperty("type", event.type().id());
            event.fields().forEach((k, v) -> o.add(k, GSON.toJsonTree(v)));
            write(GSON.toJson(o), t, event.type().id());
            events++;
            if (unflushed.size() >= 256) {
                flush();
            }
        }
    }

    /** Marks the start of a phase of the run: load, run, sync, done. */
    public synchronized void phase(String phase) {
        if (closed) {
            return;
        }
        long t = Math.max(lastNanos, System.nanoTime() - start);
        lastNanos = t;
        JsonObject o = new JsonObject();
        o.addProperty("i", events);
        o.addProperty("t", t);
        o.addProperty("type", RunFormat.PHASE);
        o.addProperty("phase", phase);
        write(GSON.toJson(o), t, RunFormat.PHASE);
        events++;
        flush();
    }

    /** The events written so far. */
    public synchronized long events() {
        return events;
    }

    private void write(String json, long nanos, String type) {
        byte[] line = (json + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            out.write(line);
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
            closed = true; // a recording that cannot be written stops; the run goes on
            return;
        }
        crc.update(line);
        if (type != null) {
            unflushed.add(new Object[] {offset, line.length, nanos, type});
        }
        offset += line.length;
    }

    /** Makes every line written so far readable in the file, and tells the sink of them. */
    public synchronized void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
            closed = true;
            return;
        }
        if (sink != null) {
            for (Object[] l : unflushed) {
                sink.line((long) l[0], (int) l[1], (long) l[2], (String) l[3]);
            }
        }
        unflushed.clear();
    }

    /** Writes the end line and closes the file; throws if any write failed. */
    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            flush();
            JsonObject end = new JsonObject();
            end.addProperty("end", true);
            end.addProperty("events", events);
            end.addProperty("crc32c", String.format("%08x", crc.getValue()));
            closed = true;
            try {
                out.write((GSON.toJson(end) + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        try {
            out.close();
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
        if (failure != null) {
            throw new IOException("the recording could not be written: " + failure.getMessage(), failure);
        }
    }

    /** {@link #close}, for callers that cannot throw a checked exception. */
    void closeUnchecked() {
        try {
            close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
