package dev.storagelab.lsm;

import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The events the LSM tree reports ({@link LsmStore#setEventListener}): flushes and compactions,
 * each table named by number, level, size and key range, so a viewer can redraw the levels from
 * the events alone; and a picture of every level ({@link #levels}) to start from.
 */
public final class LsmEvents {

    private LsmEvents() {}

    static EngineEvent flushBegan(MemTable m) {
        return EngineEvent.of(EventType.FLUSH_BEGIN, "memtableBytes", m.approximateBytes());
    }

    static EngineEvent flushEnded(List<FileMeta> tables) {
        return EngineEvent.of(EventType.FLUSH_END, "level", 0, "tables", tables(tables, 0));
    }

    static EngineEvent compactionPicked(Compaction c) {
        return EngineEvent.of(
                EventType.COMPACTION_PICKED, "level", c.level(), "output", c.output(), "inputs", inputs(c));
    }

    static EngineEvent compactionFinished(Compaction c, List<FileMeta> outputs, boolean trivialMove) {
        return EngineEvent.of(
                EventType.COMPACTION_FINISHED,
                "level",
                c.level(),
                "output",
                c.output(),
                "inputs",
                inputs(c),
                "outputs",
                tables(outputs, c.output()),
                "trivialMove",
                trivialMove);
    }

    /** A picture of every level of {@code store}: its tables, with their key ranges and sizes, and the store's byte counters. */
    public static EngineEvent levels(LsmStore store) {
        Version v = store.currentVersion();
        List<Map<String, Object>> tables = new ArrayList<>();
        for (int level = 0; level < Version.NUM_LEVELS; level++) {
            tables.addAll(tables(v.files(level), level));
        }
        LsmStore.Stats s = store.stats();
        return EngineEvent.of(
                EventType.SNAPSHOT,
                "view",
                "lsm",
                "tables",
                tables,
                "flushBytes",
                s.flushBytes(),
                "compactionBytesRead",
                s.compactionBytesRead(),
                "compactionBytesWritten",
                s.compactionBytesWritten());
    }

    private static List<Map<String, Object>> inputs(Compaction c) {
        List<Map<String, Object>> out = new ArrayList<>();
        c.inputsByLevel().forEach((level, files) -> out.addAll(tables(files, level)));
        return out;
    }

    private static List<Map<String, Object>> tables(List<FileMeta> files, int level) {
        List<Map<String, Object>> out = new ArrayList<>(files.size());
        for (FileMeta f : files) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("file", f.number());
            t.put("level", level);
            t.put("bytes", f.size());
            t.put("lo", EngineEvent.keyText(f.smallest().userKey()));
            t.put("hi", EngineEvent.keyText(f.largest().userKey()));
            out.add(t);
        }
        return out;
    }
}
