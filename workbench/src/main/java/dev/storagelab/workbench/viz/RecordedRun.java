package dev.storagelab.workbench.viz;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.storagelab.events.EventType;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * One run the viewer shows: a recording opened from a file ({@link #open}), or a live run being
 * recorded now ({@link #live}). It keeps an index of its events (where each line is, when it
 * happened, its type), not the events: a run of millions of events is read a window at a time.
 * A recording that cannot be opened is still a run, with an {@link #error()} that says why.
 */
public final class RecordedRun {

    /** The type ids, by code: {@link EventType}'s, then the workbench's phase marks, then any other. */
    static final List<String> TYPES;

    static final int PHASE_CODE;
    static final int OTHER_CODE;
    /** The views a snapshot may picture, by code. */
    static final List<String> VIEWS = List.of("btree", "pool", "lsm", "counters", "mvcc", "hybrid");

    static {
        List<String> t = new ArrayList<>();
        for (EventType e : EventType.values()) {
            t.add(e.id());
        }
        PHASE_CODE = t.size();
        t.add(RunFormat.PHASE);
        OTHER_CODE = t.size();
        t.add("other");
        TYPES = List.copyOf(t);
    }

    private final int id;
    private final String name;
    private final Path file;
    private volatile JsonObject header;
    private volatile String error;
    private final List<String> warnings = new ArrayList<>();
    private volatile boolean live;

    private long[] offsets = new long[1024];
    private int[] lengths = new int[1024];
    private long[] times = new long[1024];
    private final IntList[] byType = new IntList[TYPES.size()];
    private final IntList[] byView = new IntList[VIEWS.size()];
    /** The page splits that split the root (the tree grew a level), so a view finds the last one at once. */
    private final IntList rootSplits = new IntList();
    /** The compactions that were trivial moves (a table moved down a level, not rewritten), so a view counts them at once. */
    private final IntList trivialMoves = new IntList();

    private volatile int count;
    private FileChannel channel;

    private RecordedRun(int id, String name, Path file) {
        this.id = id;
        this.name = name;
        this.file = file;
        for (int i = 0; i < byType.length; i++) {
            byType[i] = new IntList();
        }
        for (int i = 0; i < byView.length; i++) {
            byView[i] = new IntList();
        }
    }

    /**
     * Opens the recording in {@code file} and indexes it. Never throws for a bad file: the run
     * comes back with an {@link #error()} (refused) or {@link #warnings()} (opened, but cut short).
     */
    public static RecordedRun open(int id, Path file, long maxBytes) {
        RecordedRun run = new RecordedRun(id, file.getFileName().toString(), file);
        try {
            run.index(maxBytes);
        } catch (IOException e) {
            run.error = file + ": cannot be read: " + (e.getMessage() == null ? e : e.getMessage());
        } catch (RefusedException e) {
            run.error = file + ": " + e.getMessage();
        }
        if (run.error != null) {
            run.count = 0;
            run.closeChannel();
        }
        return run;
    }

    /** A run recorded now into {@code file}: its lines arrive through {@link #sink()}. */
    static RecordedRun live(int id, String name, Path file, JsonObject header) {
        RecordedRun run = new RecordedRun(id, name, file);
        run.header = header;
        run.live = true;
        return run;
    }

    private static final class RefusedException extends Exception {
        RefusedException(String message) {
            super(message);
        }
    }

    private void index(long maxBytes) throws IOException, RefusedException {
        if (!Files.isRegularFile(file)) {
            throw new RefusedException(Files.exists(file) ? "is not a file" : "does not exist; check the path");
        }
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new RefusedException(String.format(
                    Locale.ROOT,
                    "is %s; the viewer opens recordings up to %s (about five"
                            + " million events): record a shorter run (fewer --ops)",
                    bytes(size),
                    bytes(maxBytes)));
        }
        CRC32C crc = new CRC32C();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            long offset = 0;
            long lineNo = 0;
            boolean ended = false;
            while (true) {
                line.reset();
                int b;
                while ((b = in.read()) != -1 && b != '\n') {
                    line.write(b);
                }
                if (b == -1 && line.size() == 0) {
                    break;
                }
                lineNo++;
                byte[] bytes = line.toByteArray();
                int length = bytes.length + (b == -1 ? 0 : 1);
                if (ended) {
                    throw new RefusedException("line " + lineNo + " follows the end line: this is not one recording");
                }
                if (b == -1) {
                    warnings.add("the recording is truncated: its last line (line " + lineNo
                            + ") is cut short; showing the " + count + " complete events before it");
                    break;
                }
                JsonObject o = parse(bytes, lineNo);
                if (o == null) {
                    if (lineNo == 1) {
                        throw new RefusedException(
                                "is not a storagelab event recording: line 1 is not JSON (record one with"
                                        + " './storagelab workload ... --events RUN.jsonl')");
                    }
                    if (in.available() == 0 && peekEnd(in)) {
                        warnings.add("the recording is truncated: its last line (line " + lineNo
                                + ") is not whole JSON;" + " showing the " + count + " complete events before it");
                        break;
                    }
                    throw new RefusedException(
                            "line " + lineNo + " is not JSON: the file is not JSON lines, or is damaged");
                }
                if (lineNo == 1) {
                    checkHeader(o);
                    header = o;
                    crc.update(bytes);
                    crc.update('\n');
                    offset += length;
                    continue;
                }
                if (o.has("end")) {
                    long expected = o.has("events") ? o.get("events").getAsLong() : -1;
                    String sum = o.has("crc32c") ? o.get("crc32c").getAsString() : "";
                    if (expected != count) {
                        throw new RefusedException("the end line counts " + expected + " events but the file holds "
                                + count + ": the file was changed after it was recorded");
                    }
                    if (!sum.equals(String.format("%08x", crc.getValue()))) {
                        throw new RefusedException("its checksum does not match (end line " + sum + ", content "
                                + String.format("%08x", crc.getValue())
                                + "): the file was changed or damaged after it was recorded");
                    }
                    ended = true;
                    offset += length;
                    continue;
                }
                if (!o.has("type") || !o.get("type").isJsonPrimitive() || !o.has("t")) {
                    throw new RefusedException("line " + lineNo + " is not an event (it has no type or no t)");
                }
                crc.update(bytes);
                crc.update('\n');
                add(
                        offset,
                        length,
                        o.get("t").getAsLong(),
                        o.get("type").getAsString(),
                        o.has("view") ? o.get("view").getAsString() : null,
                        isMarked(o));
                offset += length;
            }
            if (header == null) {
                throw new RefusedException("is empty: not a storagelab event recording");
            }
            if (!ended && warnings.isEmpty()) {
                warnings.add("the recording has no end line: the run did not finish (it was stopped, or is still"
                        + " running); showing its " + count + " events");
            }
        }
        channel = FileChannel.open(file, StandardOpenOption.READ);
    }

    private static boolean peekEnd(InputStream in) throws IOException {
        in.mark(1);
        int b = in.read();
        in.reset();
        return b == -1;
    }

    private static JsonObject parse(byte[] bytes, long lineNo) {
        try {
            JsonElement e = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8));
            return e.isJsonObject() ? e.getAsJsonObject() : null;
        } catch (JsonParseException | IllegalStateException e) {
            return null;
        }
    }

    private static void checkHeader(JsonObject h) throws RefusedException {
        if (!h.has("format") || !RunFormat.FORMAT.equals(h.get("format").getAsString())) {
            throw new RefusedException("is not a storagelab event recording: line 1 is not its header (record one with"
                    + " './storagelab workload ... --events RUN.jsonl')");
        }
        int version = h.has("version") ? h.get("version").getAsInt() : -1;
        if (version > RunFormat.VERSION) {
            throw new RefusedException("was recorded in format version " + version + "; this workbench reads version "
                    + RunFormat.VERSION + " and older: open it with the newer workbench that recorded it");
        }
        if (version < 1) {
            throw new RefusedException("has no valid format version in its header");
        }
    }

    static String bytes(long n) {
        if (n >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", n / (double) (1L << 30));
        }
        if (n >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
        }
        return n + " bytes";
    }

    /** Whether {@code o} is a root split or a trivial move: the events a run indexes apart from their type. */
    private static boolean isMarked(JsonObject o) {
        String type = o.get("type").getAsString();
        String flag = EventType.PAGE_SPLIT.id().equals(type)
                ? "root"
                : EventType.COMPACTION_FINISHED.id().equals(type) ? "trivialMove" : null;
        return flag != null
                && o.has(flag)
                && o.get(flag).isJsonPrimitive()
                && o.get(flag).getAsBoolean();
    }

    private synchronized void add(long offset, int length, long t, String type, String view, boolean marked) {
        int i = count;
        if (i == offsets.length) {
            int n = i * 2;
            offsets = Arrays.copyOf(offsets, n);
            lengths = Arrays.copyOf(lengths, n);
            times = Arrays.copyOf(times, n);
        }
        offsets[i] = offset;
        lengths[i] = length;
        times[i] = t;
        int code = TYPES.indexOf(type);
        byType[code < 0 ? OTHER_CODE : code].add(i);
        if (marked) {
            (EventType.PAGE_SPLIT.id().equals(type) ? rootSplits : trivialMoves).add(i);
        }
        if (view != null) {
            int v = VIEWS.indexOf(view);
            if (v >= 0) {
                byView[v].add(i);
            }
        }
        count = i + 1;
    }

    /** Where a live run's lines arrive. */
    EventRecorder.Sink sink() {
        return (offset, length, nanos, type) -> {
            String view = null;
            boolean marked = false;
            if (EventType.SNAPSHOT.id().equals(type)) {
                view = viewOf(offset, length);
            } else if (EventType.PAGE_SPLIT.id().equals(type)
                    || EventType.COMPACTION_FINISHED.id().equals(type)) {
                marked = markedAt(offset, length);
            }
            add(offset, length, nanos, type, view, marked);
        };
    }

    private String viewOf(long offset, int length) {
        try {
            JsonObject o = readAt(offset, length);
            return o.has("view") ? o.get("view").getAsString() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private boolean markedAt(long offset, int length) {
        try {
            return isMarked(readAt(offset, length));
        } catch (IOException e) {
            return false;
        }
    }

    /** A live run has ended; {@code failure} says why it failed, or is null. */
    synchronized void finish(String failure) {
        live = false;
        if (failure != null) {
            warnings.add("the run failed: " + failure);
        }
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    public JsonObject header() {
        return header;
    }

    /** Why the recording was refused, or null. */
    public String error() {
        return error;
    }

    public synchronized List<String> warnings() {
        return List.copyOf(warnings);
    }

    public boolean isLive() {
        return live;
    }

    /** The events indexed so far. */
    public int count() {
        return count;
    }

    /** When event {@code i} happened: nanoseconds since the recording began. */
    public synchronized long time(int i) {
        return times[i];
    }

    /** The first event at or after {@code nanos} since the start (the last event if none). */
    public synchronized int atTime(long nanos) {
        int n = count;
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (times[mid] < nanos) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return Math.min(lo, Math.max(0, n - 1));
    }

    /** The events of type code {@code code}, in order, up to the current count. */
    IntList positions(int code) {
        return byType[code];
    }

    /** The page splits that split the root, in order, up to the current count. */
    IntList rootSplits() {
        return rootSplits;
    }

    /** The compactions that were trivial moves, in order, up to the current count. */
    IntList trivialMoves() {
        return trivialMoves;
    }

    /** The snapshots of view code {@code view}. */
    IntList snapshots(int view) {
        return byView[view];
    }

    /** Event {@code i}, read from the file. */
    public JsonObject event(int i) {
        long offset;
        int length;
        synchronized (this) {
            if (i < 0 || i >= count) {
                throw new IndexOutOfBoundsException("event " + i + " of " + count);
            }
            offset = offsets[i];
            length = lengths[i];
        }
        try {
            return readAt(offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonObject readAt(long offset, int length) throws IOException {
        FileChannel ch;
        synchronized (this) {
            if (channel == null) {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            }
            ch = channel;
        }
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            if (ch.read(buf, offset + buf.position()) < 0) {
                throw new IOException(file + " is shorter than its index: it changed while it was open");
            }
        }
        return JsonParser.parseString(new String(buf.array(), StandardCharsets.UTF_8))
                .getAsJsonObject();
    }

    synchronized void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing to do: it was only read
            }
            channel = null;
        }
    }

    /** A growable list of event numbers, in increasing order. */
    static final class IntList {
        private int[] a = new int[16];
        private int n;

        synchronized void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        synchronized int size() {
            return n;
        }

        synchronized int get(int k) {
            return a[k];
        }

        /** How many entries are {@code <= v} (entries are distinct and increasing). */
        synchronized int countAtMost(int v) {
            int k = Arrays.binarySearch(a, 0, n, v);
            return k >= 0 ? k + 1 : -k - 1;
        }

        /** The last entry {@code <= v}, or -1. */
        int lastAtMost(int v) {
            int k = countAtMost(v);
            return k == 0 ? -1 : get(k - 1);
        }

        /** The first entry {@code > v}, or -1. */
        synchronized int firstAfter(int v) {
            int k = countAtMost(v);
            return k < n ? a[k] : -1;
        }
    }
}
