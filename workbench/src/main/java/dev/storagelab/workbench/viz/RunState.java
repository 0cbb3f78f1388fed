package dev.storagelab.workbench.viz;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.storagelab.events.EventType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a run looked like at one event, for the viewer's panes: each view starts from the last
 * picture of it at or before the event ({@link EventType#SNAPSHOT}) and replays the events after
 * that picture (splits onto the pages, flushes and compactions onto the levels), and the recent
 * events of each kind are read back by their index. Nothing here walks the whole run: a position
 * in a run of millions of events costs a few binary searches and a few thousand lines at most.
 */
final class RunState {

    /** The most events after a picture that are replayed onto it (pictures come every 1% of a run). */
    static final int MAX_REPLAY = 20_000;
    /** The most pages of one level a state lists (the page draws as many); the rest are only counted. */
    static final int MAX_PAGES_PER_LEVEL = 300;

    private final RecordedRun run;
    private final int at;

    private RunState(RecordedRun run, int at) {
        this.run = run;
        this.at = at;
    }

    /** The state of {@code run} just after event {@code at}. */
    static JsonObject at(RecordedRun run, int at) {
        return new RunState(run, at).build();
    }

    private static int code(EventType t) {
        return t.ordinal();
    }

    private JsonObject build() {
        JsonObject s = new JsonObject();
        s.addProperty("at", at);
        s.addProperty("t", at >= 0 ? run.time(at) : 0);
        JsonObject counts = new JsonObject();
        for (int c = 0; c < RecordedRun.TYPES.size(); c++) {
            int n = run.positions(c).countAtMost(at);
            if (n > 0) {
                counts.addProperty(RecordedRun.TYPES.get(c), n);
            }
        }
        int trivial = run.trivialMoves().countAtMost(at);
        if (trivial > 0) {
            counts.addProperty("compaction.trivial_move", trivial); // counted among compaction.finished too
        }
        s.add("counts", counts);
        int phase = run.positions(RecordedRun.PHASE_CODE).lastAtMost(at);
        s.addProperty("phase", phase < 0 ? "" : run.event(phase).get("phase").getAsString());
        s.add("event", at >= 0 ? run.event(at) : null);
        s.add("btree", btree());
        s.add("pool", pool());
        s.add("lsm", lsm());
        s.add("counters", snapshot("counters"));
        s.add("wal", recent(List.of(EventType.GROUP_COMMIT), 40));
        s.add("mvcc", mvcc());
        s.add("hybrid", hybrid());
        return s;
    }

    private int lastSnapshot(String view) {
        return run.snapshots(RecordedRun.VIEWS.indexOf(view)).lastAtMost(at);
    }

    private JsonObject snapshot(String view) {
        int i = lastSnapshot(view);
        return i < 0 ? null : run.event(i);
    }

    /** The events of {@code types} in (from, at], in order, at most {@link #MAX_REPLAY} (the newest). */
    private List<JsonObject> between(int from, List<EventType> types) {
        List<Integer> idx = new ArrayList<>();
        for (EventType t : types) {
            RecordedRun.IntList p = run.positions(code(t));
            int lo = p.countAtMost(from);
            int hi = p.countAtMost(at);
            for (int k = Math.max(lo, hi - MAX_REPLAY); k < hi; k++) {
                idx.add(p.get(k));
            }
        }
        idx.sort(null);
        List<JsonObject> out = new ArrayList<>();
        for (int k = Math.max(0, idx.size() - MAX_REPLAY); k < idx.size(); k++) {
            out.add(run.event(idx.get(k)));
        }
        return out;
    }

    /** The last {@code n} events of {@code types} at or before the position, oldest first. */
    private JsonArray recent(List<EventType> types, int n) {
        List<Integer> idx = new ArrayList<>();
        for (EventType t : types) {
            RecordedRun.IntList p = run.positions(code(t));
            int hi = p.countAtMost(at);
            for (int k = Math.max(0, hi - n); k < hi; k++) {
                idx.add(p.get(k));
            }
        }
        idx.sort(null);
        JsonArray out = new JsonArray();
        for (int k = Math.max(0, idx.size() - n); k < idx.size(); k++) {
            out.add(run.event(idx.get(k)));
        }
        return out;
    }

    private JsonObject btree() {
        int snap = lastSnapshot("btree");
        List<EventType> changes = List.of(EventType.PAGE_SPLIT, EventType.PAGE_MERGE);
        JsonObject out = new JsonObject();
        JsonObject base = snap < 0 ? null : run.event(snap);
        Map<Long, JsonObject> pages = new LinkedHashMap<>();
        int height = 0;
        if (base != null) {
            height = base.get("height").getAsInt();
            for (JsonElement e : base.getAsJsonArray("pages")) {
                JsonObject p = e.getAsJsonObject();
                pages.put(p.get("id").getAsLong(), p);
            }
            out.addProperty("pageCount", base.get("pageCount").getAsLong());
            out.addProperty("root", base.get("root").getAsLong());
        }
        for (JsonObject e : between(snap, changes)) {
            if (e.get("type").getAsString().equals(EventType.PAGE_SPLIT.id())) {
                long left = e.get("page").getAsLong();
                int level = e.get("level").getAsInt();
                if (e.get("root").getAsBoolean()) {
                    for (JsonObject p : pages.values()) {
                        p.addProperty("level", p.get("level").getAsInt() + 1);
                    }
                    level = 1;
                    height = Math.max(height, 1) + 1;
                    JsonObject root = page(-height, 0, false, 0); // its id is in the next picture
                    root.addProperty("fresh", true);
                    pages.put((long) -height, root);
                }
                final int leftLevel = level;
                JsonObject l = pages.computeIfAbsent(
                        left, id -> page(id, leftLevel, e.get("leaf").getAsBoolean(), 0));
                l.addProperty("fill", e.get("fill").getAsDouble());
                JsonObject r = page(
                        e.get("right").getAsLong(),
                        l.get("level").getAsInt(),
                        e.get("leaf").getAsBoolean(),
                        e.get("fill").getAsDouble());
                r.addProperty("fresh", true);
                pages.put(r.get("id").getAsLong(), r);
                if (height == 0) {
                    height = 1;
                }
            } else {
                pages.remove(e.get("freed").getAsLong());
            }
        }
        // A level of thousands of pages is listed up to MAX_PAGES_PER_LEVEL and counted whole, so the
        // answer stays the same size however large the tree (or the run) grew.
        JsonArray list = new JsonArray();
        Map<Integer, Integer> perLevel = new TreeMap<>();
        for (JsonObject p : pages.values()) {
            int n = perLevel.merge(p.get("level").getAsInt(), 1, Integer::sum);
            if (n <= MAX_PAGES_PER_LEVEL) {
                list.add(p);
            }
        }
        JsonObject levelCounts = new JsonObject();
        perLevel.forEach((level, n) -> levelCounts.addProperty(String.valueOf(level), n));
        out.addProperty("height", height);
        out.add("pages", list);
        out.add("levelPages", levelCounts);
        out.add("recent", recent(changes, 12));
        RecordedRun.IntList roots = run.rootSplits();
        int rootsSoFar = roots.countAtMost(at);
        out.addProperty("lastRootSplit", rootsSoFar == 0 ? -1 : roots.get(rootsSoFar - 1));
        out.addProperty("fromSnapshot", snap);
        return out;
    }

    private static JsonObject page(long id, int level, boolean leaf, double fill) {
        JsonObject p = new JsonObject();
        p.addProperty("id", id);
        p.addProperty("level", level);
        p.addProperty("leaf", leaf);
        p.addProperty("fill", fill);
        return p;
    }

    private JsonObject pool() {
        int snap = lastSnapshot("pool");
        JsonObject out = snap < 0 ? new JsonObject() : run.event(snap);
        JsonArray evicted = new JsonArray();
        for (JsonObject e : between(snap, List.of(EventType.PAGE_EVICT))) {
            evicted.add(e.get("frame"));
        }
        out.add("evictedSince", evicted);
        return out;
    }

    private JsonObject lsm() {
        int snap = lastSnapshot("lsm");
        Map<Long, JsonObject> tables = new TreeMap<>();
        JsonObject base = snap < 0 ? null : run.event(snap);
        if (base != null) {
            for (JsonElement e : base.getAsJsonArray("tables")) {
                tables.put(e.getAsJsonObject().get("file").getAsLong(), e.getAsJsonObject());
            }
        }
        Map<String, JsonObject> running = new LinkedHashMap<>();
        for (JsonObject e : between(
                snap, List.of(EventType.FLUSH_END, EventType.COMPACTION_PICKED, EventType.COMPACTION_FINISHED))) {
            String type = e.get("type").getAsString();
            if (type.equals(EventType.FLUSH_END.id())) {
                for (JsonElement t : e.getAsJsonArray("tables")) {
                    tables.put(t.getAsJsonObject().get("file").getAsLong(), t.getAsJsonObject());
                }
            } else if (type.equals(EventType.COMPACTION_PICKED.id())) {
                running.put(inputsKey(e), e);
            } else {
                running.remove(inputsKey(e));
                for (JsonElement t : e.getAsJsonArray("inputs")) {
                    tables.remove(t.getAsJsonObject().get("file").getAsLong());
                }
                for (JsonElement t : e.getAsJsonArray("outputs")) {
                    tables.put(t.getAsJsonObject().get("file").getAsLong(), t.getAsJsonObject());
                }
            }
        }
        // A compaction picked before the picture and not finished by the position is running too.
        int lastPicked = run.positions(code(EventType.COMPACTION_PICKED)).lastAtMost(at);
        if (lastPicked >= 0 && lastPicked <= snap) {
            JsonObject p = run.event(lastPicked);
            int finished = run.positions(code(EventType.COMPACTION_FINISHED)).firstAfter(lastPicked);
            if (finished < 0 || finished > at) {
                running.put(inputsKey(p), p);
            }
        }
        JsonObject out = new JsonObject();
        JsonArray list = new JsonArray();
        tables.values().forEach(list::add);
        out.add("tables", list);
        JsonArray r = new JsonArray();
        running.values().forEach(r::add);
        out.add("running", r);
        out.add("recent", recent(List.of(EventType.FLUSH_END, EventType.COMPACTION_FINISHED), 8));
        if (base != null) {
            out.add("bytes", base);
        }
        return out;
    }

    private static String inputsKey(JsonObject e) {
        Set<Long> files = new HashSet<>();
        for (JsonElement t : e.getAsJsonArray("inputs")) {
            files.add(t.getAsJsonObject().get("file").getAsLong());
        }
        return new TreeMap<>(Map.of("f", new java.util.TreeSet<>(files))).toString();
    }

    private JsonObject mvcc() {
        JsonObject out = new JsonObject();
        JsonObject snap = snapshot("mvcc");
        if (snap != null) {
            out.add("snapshot", snap);
        }
        JsonArray gc = recent(List.of(EventType.VERSION_GC), 1);
        out.add("gc", gc.isEmpty() ? null : gc.get(0));
        // The versions of the keys written last: newest commits first, at most 8 per key, 40 keys.
        Map<String, List<Long>> versions = new LinkedHashMap<>();
        JsonArray commits = recent(List.of(EventType.TXN_COMMIT), 400);
        for (int k = commits.size() - 1; k >= 0; k--) {
            JsonObject c = commits.get(k).getAsJsonObject();
            long ts = c.get("commitTs").getAsLong();
            for (JsonElement key : c.getAsJsonArray("keys")) {
                List<Long> v = versions.get(key.getAsString());
                if (v == null) {
                    if (versions.size() == 40) {
                        continue;
                    }
                    v = new ArrayList<>();
                    versions.put(key.getAsString(), v);
                }
                v.add(ts);
            }
        }
        // Transactions committing on several threads may report their commits in another order
        // than their timestamps: each key's versions are put in timestamp order here.
        for (List<Long> v : versions.values()) {
            v.sort(java.util.Comparator.reverseOrder());
            if (v.size() > 8) {
                v.subList(8, v.size()).clear();
            }
        }
        out.add("versions", EventRecorder.GSON.toJsonTree(versions));
        out.add(
                "recent",
                recent(
                        List.of(
                                EventType.TXN_BEGIN,
                                EventType.TXN_COMMIT,
                                EventType.TXN_ABORT,
                                EventType.TXN_CONFLICT,
                                EventType.VERSION_GC),
                        30));
        return out;
    }

    private JsonObject hybrid() {
        JsonObject out = new JsonObject();
        JsonObject snap = snapshot("hybrid");
        if (snap != null) {
            out.add("snapshot", snap);
        }
        Map<String, JsonObject> inFlight = new HashMap<>();
        JsonArray moves = recent(List.of(EventType.MIGRATION_BEGIN, EventType.MIGRATION_SWITCH), 400);
        for (JsonElement e : moves) {
            JsonObject m = e.getAsJsonObject();
            if (m.get("type").getAsString().equals(EventType.MIGRATION_BEGIN.id())) {
                inFlight.put(m.get("key").getAsString(), m);
            } else {
                inFlight.remove(m.get("key").getAsString());
            }
        }
        JsonArray flying = new JsonArray();
        inFlight.values().forEach(flying::add);
        out.add("inFlight", flying);
        out.add("routes", recent(List.of(EventType.ROUTE_DECISION), 30));
        out.add("moves", recent(List.of(EventType.MIGRATION_SWITCH, EventType.MIGRATION_DELETE_OLD), 30));
        out.add("tiers", recent(List.of(EventType.TIER_MOVE), 20));
        return out;
    }
}
