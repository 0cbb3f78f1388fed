package dev.storagelab.sortedlog;

import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The events the sorted store reports ({@link SortedLogStore#setEventListener}), in the LSM tree's
 * words so that the viewer draws it as one: a flush writes a segment to level 0, a compaction
 * merges every segment into one at level 1 (the store's single merged run), and a picture of the
 * segments ({@link #segments}) to start from. A segment is named by the newest log number it holds.
 */
public final class SortedLogEvents {

    /** The level a flushed segment is drawn at. */
    static final int FLUSHED = 0;
    /** The level the store's merged segment is drawn at. */
    static final int MERGED = 1;

    private SortedLogEvents() {}

    static EngineEvent flushBegan(long memtableBytes) {
        return EngineEvent.of(EventType.FLUSH_BEGIN, "memtableBytes", memtableBytes);
    }

    static EngineEvent flushEnded(SegmentReader segment) {
        return EngineEvent.of(EventType.FLUSH_END, "level", FLUSHED, "tables", List.of(table(segment)));
    }

    static EngineEvent compactionPicked(List<SegmentReader> inputs) {
        return EngineEvent.of(
                EventType.COMPACTION_PICKED, "level", FLUSHED, "output", MERGED, "inputs", tables(inputs));
    }

    /** {@code output} is null when the compaction dropped every entry (all deleted). */
    static EngineEvent compactionFinished(List<SegmentReader> inputs, SegmentReader output) {
        List<Map<String, Object>> outputs = new ArrayList<>();
        if (output != null) {
            Map<String, Object> t = table(output);
            t.put("level", MERGED);
            outputs.add(t);
        }
        return EngineEvent.of(
                EventType.COMPACTION_FINISHED,
                "level",
                FLUSHED,
                "output",
                MERGED,
                "inputs",
                tables(inputs),
                "outputs",
                outputs,
                "trivialMove",
                false);
    }

    /** A picture of {@code store}'s segments, as the LSM view draws levels. */
    public static EngineEvent segments(SortedLogStore store) {
        Version v = store.acquireForEvents();
        try {
            return EngineEvent.of(EventType.SNAPSHOT, "view", "lsm", "tables", tables(v.segments));
        } finally {
            v.release();
        }
    }

    private static List<Map<String, Object>> tables(List<SegmentReader> segments) {
        List<Map<String, Object>> out = new ArrayList<>(segments.size());
        for (SegmentReader s : segments) {
            out.add(table(s));
        }
        return out;
    }

    /** A segment as a table: a merged range ({@code first < last}) is the merged run, else a flushed one. */
    private static Map<String, Object> table(SegmentReader s) {
        FileNames.SegmentRange r = FileNames.parseSegment(s.name()).orElseThrow();
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("file", r.last());
        t.put("level", r.first() < r.last() ? MERGED : FLUSHED);
        t.put("bytes", s.fileSize());
        t.put("lo", EngineEvent.keyText(s.firstKey()));
        t.put("hi", EngineEvent.keyText(s.lastKey()));
        return t;
    }
}
