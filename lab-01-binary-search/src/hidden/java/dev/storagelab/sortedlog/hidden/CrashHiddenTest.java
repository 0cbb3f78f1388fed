package dev.storagelab.sortedlog.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.SegmentReader;
import dev.storagelab.sortedlog.SegmentWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Crash tests on {@link FaultInjectingStorage}: lab-01 T4 (log recovery) and T8 (the
 * SortedLogStore's write path across flushes and compactions), T6 (atomic segment publication)
 * and the recovery code they lean on.
 *
 * <p>Each test runs a seeded workload once to count its mutating storage calls, then, for every
 * crash point n, runs it again on fresh storage armed to fail at the n-th mutation, loses power
 * ({@link CrashMode#RANDOM} with a seed per point, and {@link CrashMode#LOSE_UNSYNCED}), reopens
 * and checks:
 * <ul>
 *   <li>every key holds its last durable state (a write acknowledged with {@code syncWrites}, or
 *       before a {@code sync()} or {@code close()} returned) or a state a later write attempted;
 *       so no acknowledged write is lost and no key holds a value never written;</li>
 *   <li>recovery succeeds and reads succeed: nothing is corrupt;</li>
 *   <li>the recovered store takes a write, and reopens under
 *       {@link dev.storagelab.sortedlog.RecoveryMode#ABSOLUTE_CONSISTENCY}: no torn tail was left
 *       for later records to follow.</li>
 * </ul>
 * Each test asserts how many distinct crash points it exercised, so a workload cannot shrink
 * unnoticed; together they exercise well over 500.
 */
@Tag("hidden")
class CrashHiddenTest {

    private static final Bytes MARKER = Bytes.of("written-after-recovery");
    private static final List<CrashMode> BOTH_MODES = List.of(CrashMode.RANDOM, CrashMode.LOSE_UNSYNCED);

    @BeforeAll
    static void silenceExpectedWarnings() {
        Engine.quietLogs(true);
    }

    @AfterAll
    static void restoreLogs() {
        Engine.quietLogs(false);
    }

    @Test
    @Graded(task = "T4", points = 4, concept = "acknowledged write lost after crash (HashIndexLog with syncWrites)")
    void hashIndexLogKeepsEveryAcknowledgedWrite() throws IOException {
        Engine engine = Engine.hashIndexLog(true);
        List<Op> workload = workload(11, 130, 16, 4, 60, new Mix(20, 3, 0, 0, 4));
        Sweep sweep = sweep(engine, workload, BOTH_MODES);
        assertThat(
                sweep + ": every mutation of the workload is a crash point",
                sweep.crashPoints(),
                greaterThanOrEqualTo(250));
    }

    @Test
    @Graded(
            task = "T4",
            points = 4,
            concept = "synced write lost, or torn log tail not truncated, after crash (HashIndexLog)")
    void hashIndexLogKeepsEverySyncedWriteAndCutsTornTails() throws IOException {
        // Writes of up to 300 bytes between syncs leave unforced tails of several 512-byte
        // sectors, which a power loss tears at a sector boundary inside a record.
        Engine engine = Engine.hashIndexLog(false);
        List<Op> workload = workload(12, 220, 20, 10, 300, new Mix(15, 12, 0, 0, 3));
        Sweep sweep = sweep(engine, workload, List.of(CrashMode.RANDOM, CrashMode.RANDOM, CrashMode.LOSE_UNSYNCED));
        assertThat(
                sweep + ": every mutation of the workload is a crash point",
                sweep.crashPoints(),
                greaterThanOrEqualTo(220));
    }

    @Test
    @Graded(
            task = "T8",
            points = 5,
            concept = "acknowledged write lost after crash across flushes and compactions (SortedLogStore)")
    void sortedLogStoreKeepsEveryAcknowledgedWriteAcrossFlushesAndCompactions() throws IOException {
        Engine engine = Engine.sortedLogStore(true, 3);
        List<Op> workload = workload(13, 200, 24, 4, 80, new Mix(20, 0, 3, 2, 2));
        Sweep sweep = sweep(engine, workload, BOTH_MODES);
        // Background flushes interleave with the workload, so the count varies a little run to run.
        assertThat(
                sweep + ": crash points across writes, flushes, compactions and reopens",
                sweep.crashPoints(),
                greaterThanOrEqualTo(500));
    }

    @Test
    @Graded(
            task = "T8",
            points = 4,
            concept = "synced write lost after crash across flushes and compactions (SortedLogStore)")
    void sortedLogStoreKeepsEverySyncedWrite() throws IOException {
        Engine engine = Engine.sortedLogStore(false, 2);
        List<Op> workload = workload(14, 260, 24, 10, 200, new Mix(20, 10, 3, 2, 2));
        Sweep sweep = sweep(engine, workload, List.of(CrashMode.RANDOM));
        assertThat(
                sweep + ": crash points across writes, syncs, flushes, compactions and reopens",
                sweep.crashPoints(),
                greaterThanOrEqualTo(750));
    }

    @Test
    @Graded(
            task = "T4",
            points = 4,
            concept = "recovery is not crash-safe: a crash while recovering loses or corrupts data")
    void aCrashDuringRecoveryIsRecoveredFrom() throws IOException {
        int points = 0;
        List<Engine> engines = List.of(Engine.hashIndexLog(false), Engine.sortedLogStore(false, 2));
        for (Engine engine : engines) {
            List<Op> workload = workload(15, 120, 12, 10, 300, new Mix(15, 8, 3, 2, 0));
            long mutations = cleanRunMutations(engine, workload);
            for (long n = 7; n <= mutations; n += 9) {
                long seed = 1000 + n;
                // How many mutations recovery (and the close after it) makes from this crash state.
                Crashed probe = crashedStorage(engine, workload, n, seed);
                if (probe == null) {
                    continue;
                }
                long before = probe.storage().mutationCount();
                try {
                    Engine.closeQuietly(engine.open(probe.storage()));
                } catch (IOException e) {
                    throw new AssertionError(
                            engine + ": recovery failed after a crash before mutation " + n + " ("
                                    + probe.model().where() + ", seed " + seed + "): " + e,
                            e);
                }
                long recoveryMutations = probe.storage().mutationCount() - before;
                for (long m = 1; m <= recoveryMutations; m++) {
                    Crashed crashed = crashedStorage(engine, workload, n, seed);
                    if (crashed == null) {
                        continue;
                    }
                    FaultInjectingStorage storage = crashed.storage();
                    storage.crashBeforeMutation(m);
                    try {
                        Engine.closeQuietly(engine.open(storage));
                    } catch (IOException e) {
                        assertCrashed(storage, e, engine + ": recovery failed with no crash injected");
                    }
                    if (!storage.isCrashed()) {
                        continue;
                    }
                    storage.powerLoss();
                    verifyRecovery(
                            storage,
                            engine,
                            crashed.model(),
                            engine + ": crash before mutation " + n
                                    + " of the workload (" + crashed.model().where() + "), then again before mutation "
                                    + m
                                    + " of " + recoveryMutations + " of the recovery (seed " + seed + ")");
                    points++;
                }
            }
        }
        System.out.println("CrashHiddenTest recovery: " + points + " crash points inside recovery");
        assertThat("crash points inside recovery", points, greaterThanOrEqualTo(400));
    }

    @Test
    @Graded(
            task = "T6",
            points = 3,
            concept = "segment published before its bytes were durable (rename before force), or "
                    + "a half-written segment left under its final name")
    void segmentIsPublishedWholeOrNotAtAll() throws IOException {
        String name = "000004-000004.seg";
        List<Entry> entries = SegmentHiddenTest.manyEntries(60, 30);
        FaultInjectingStorage clean = new FaultInjectingStorage();
        writeSegment(clean, name, entries);
        long mutations = clean.mutationCount();
        int points = 0;
        for (long n = 1; n <= mutations + 1; n++) {
            boolean crashedAtN = false;
            for (CrashMode mode : List.of(CrashMode.RANDOM, CrashMode.LOSE_UNSYNCED, CrashMode.KEEP_UNSYNCED)) {
                FaultInjectingStorage storage = new FaultInjectingStorage(n * 7 + mode.ordinal()).crashMode(mode);
                storage.crashBeforeMutation(n);
                boolean finished = false;
                try {
                    writeSegment(storage, name, entries);
                    finished = true;
                } catch (IOException e) {
                    assertCrashed(storage, e, "writing a segment failed with no crash injected");
                }
                boolean crashed = storage.isCrashed();
                storage.powerLoss();
                String where = "power loss (" + mode + ") before mutation " + n + " of the " + mutations
                        + " that write and publish a segment";
                if (finished) {
                    assertThat(
                            where + ": finish() returned, so the segment must survive", storage.exists(name), is(true));
                }
                if (storage.exists(name)) {
                    List<Entry> read = new ArrayList<>();
                    try (SegmentReader segment = SegmentReader.open(storage, name, null);
                            EntryIterator it = segment.iterator()) {
                        it.forEachRemaining(read::add);
                    } catch (IOException | RuntimeException e) {
                        throw new AssertionError(
                                where + ": the segment is visible under its final name but cannot "
                                        + "be read whole; publish only after forcing the bytes (force, close, rename, sync "
                                        + "the directory)",
                                e);
                    }
                    assertThat(where + ": a published segment holds every entry", read, equalTo(entries));
                }
                crashedAtN |= crashed;
            }
            if (crashedAtN) {
                points++;
            }
        }
        System.out.println("CrashHiddenTest segment: " + points + " crash points in writing and publishing a segment");
        assertThat(
                "crash points in writing and publishing a segment (one per mutation)",
                points,
                greaterThanOrEqualTo(25));
    }

    // ------------------------------------------------------------------------------- the sweep

    /** What one sweep covered. */
    private record Sweep(Engine engine, long mutations, int crashPoints, int runs) {
        @Override
        public String toString() {
            return engine + ": " + crashPoints + " crash points of " + mutations + " mutations, " + runs
                    + " crash runs";
        }
    }

    /** Crashes the workload before each of its mutations in each mode, and checks each recovery. */
    private static Sweep sweep(Engine engine, List<Op> workload, List<CrashMode> modes) throws IOException {
        long mutations = cleanRunMutations(engine, workload);
        int points = 0;
        int runs = 0;
        for (long n = 1; n <= mutations; n++) {
            boolean crashed = false;
            for (int i = 0; i < modes.size(); i++) {
                long seed = n * 131 + i;
                FaultInjectingStorage storage = new FaultInjectingStorage(seed).crashMode(modes.get(i));
                DurabilityModel model = run(storage, engine, workload, n);
                if (!storage.isCrashed()) {
                    continue; // background work made this run shorter than the counting run
                }
                crashed = true;
                runs++;
                storage.powerLoss();
                verifyRecovery(
                        storage,
                        engine,
                        model,
                        engine + ": crash before mutation " + n + " of " + mutations + " (" + model.where()
                                + "), power loss " + modes.get(i) + " seed " + seed);
            }
            if (crashed) {
                points++;
            }
        }
        Sweep sweep = new Sweep(engine, mutations, points, runs);
        System.out.println("CrashHiddenTest sweep: " + sweep);
        return sweep;
    }

    private static long cleanRunMutations(Engine engine, List<Op> workload) throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        run(storage, engine, workload, 0);
        assertThat("the clean run must not crash", storage.isCrashed(), is(false));
        return storage.mutationCount();
    }

    /** Storage after a crash and a power loss, and what the workload had attempted and acknowledged. */
    private record Crashed(FaultInjectingStorage storage, DurabilityModel model) {}

    /** The state a crash before mutation {@code n} and a power loss leave; null if the run ended first. */
    private static Crashed crashedStorage(Engine engine, List<Op> workload, long n, long seed) {
        FaultInjectingStorage storage = new FaultInjectingStorage(seed).crashMode(CrashMode.RANDOM);
        DurabilityModel model = run(storage, engine, workload, n);
        if (!storage.isCrashed()) {
            return null;
        }
        storage.powerLoss();
        return new Crashed(storage, model);
    }

    /**
     * Runs {@code workload} (open, the steps, close) until a crash armed before mutation
     * {@code crashAt} (0: none) stops it, and returns what was attempted and acknowledged.
     */
    private static DurabilityModel run(FaultInjectingStorage storage, Engine engine, List<Op> workload, long crashAt) {
        if (crashAt > 0) {
            storage.crashBeforeMutation(crashAt);
        }
        DurabilityModel model = new DurabilityModel(engine.syncWrites());
        KeyValueStore store = null;
        try {
            store = engine.open(storage);
            for (Op op : workload) {
                model.starting(op);
                if (op instanceof Op.Reopen) {
                    // Step by step, so the close's durability is recorded even if the open crashes.
                    KeyValueStore open = store;
                    store = null;
                    open.close();
                    model.everythingDurable();
                    store = engine.open(storage);
                } else {
                    model.attempting(op);
                    store = engine.apply(store, storage, op);
                    model.applied(op);
                }
            }
            model.starting(new Op.Reopen());
            KeyValueStore open = store;
            store = null;
            open.close();
            model.everythingDurable();
        } catch (IOException e) {
            assertCrashed(storage, e, engine + ": I/O failed at " + model.where() + " with no crash injected");
        } finally {
            Engine.closeQuietly(store);
        }
        return model;
    }

    /** Reopens after a power loss and checks every key, then that the store takes writes and reopens strictly. */
    private static void verifyRecovery(
            FaultInjectingStorage storage, Engine engine, DurabilityModel model, String where) {
        try (KeyValueStore store = engine.open(storage)) {
            for (Bytes key : model.keys()) {
                Optional<Bytes> actual = store.get(key);
                List<Optional<Bytes>> allowed = model.allowed(key);
                if (!allowed.contains(actual)) {
                    throw new AssertionError(where + ": after recovery " + key + " is " + show(actual)
                            + ", but it must be its last durable state " + show(allowed.get(0))
                            + (allowed.size() > 1
                                    ? " or a state a later write attempted "
                                            + showAll(allowed.subList(1, allowed.size()))
                                    : " (no write after it was attempted)"));
                }
            }
            store.put(MARKER, Bytes.of(where));
        } catch (IOException e) {
            throw new AssertionError(where + ": recovery failed: " + e, e);
        }
        try (KeyValueStore store = engine.strict().open(storage)) {
            assertThat(
                    where + ": a write after recovery survives a reopen",
                    store.get(MARKER),
                    equalTo(Optional.of(Bytes.of(where))));
        } catch (IOException e) {
            throw new AssertionError(
                    where + ": after recovery, a write and a clean close, a reopen that tolerates "
                            + "no bad record failed, so recovery left garbage (a torn tail) in front of new records: "
                            + e,
                    e);
        }
    }

    private static void assertCrashed(FaultInjectingStorage storage, IOException e, String message) {
        if (!storage.isCrashed()) {
            throw new AssertionError(message + ": " + e, e);
        }
    }

    private static void writeSegment(FaultInjectingStorage storage, String name, List<Entry> entries)
            throws IOException {
        SegmentWriter writer = new SegmentWriter(storage, name, 128);
        try {
            for (Entry e : entries) {
                writer.add(e);
            }
            writer.finish();
        } finally {
            try {
                writer.close();
            } catch (IOException ignored) {
                // Aborting after a crash fails; the power loss cleans up.
            }
        }
    }

    private static String show(Optional<Bytes> state) {
        return state.map(Op::abbreviate).orElse("<absent>");
    }

    private static String showAll(List<Optional<Bytes>> states) {
        return states.stream().map(CrashHiddenTest::show).toList().toString();
    }

    // ------------------------------------------------------------------------------- workloads

    /** Percentages of each step kind; the rest are puts. */
    private record Mix(int delete, int sync, int flush, int compact, int reopen) {}

    /** A seeded workload over {@code keyCount} keys whose every put writes a value never written before. */
    private static List<Op> workload(long seed, int steps, int keyCount, int minValue, int maxValue, Mix mix) {
        Random random = new Random(seed);
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            Bytes key = Bytes.of("key-" + random.nextInt(keyCount));
            int dice = random.nextInt(100);
            if ((dice -= mix.delete()) < 0) {
                ops.add(new Op.Delete(key));
            } else if ((dice -= mix.sync()) < 0) {
                ops.add(new Op.Sync());
            } else if ((dice -= mix.flush()) < 0) {
                ops.add(new Op.Flush());
            } else if ((dice -= mix.compact()) < 0) {
                ops.add(new Op.Compact());
            } else if ((dice -= mix.reopen()) < 0) {
                ops.add(new Op.Reopen());
            } else {
                String unique = "step " + i + " ";
                int length = minValue + random.nextInt(maxValue - minValue + 1);
                ops.add(new Op.Put(key, Bytes.of(unique + "v".repeat(Math.max(0, length - unique.length())))));
            }
        }
        return ops;
    }

    /**
     * For each key, the states writes attempted in order (starting from absent), and which of them
     * was last acknowledged and last made durable. After a crash a key may hold its last durable
     * state or any later attempted one, and nothing else.
     */
    private static final class DurabilityModel {
        private final boolean syncWrites;
        private final Map<Bytes, List<Optional<Bytes>>> states = new LinkedHashMap<>();
        private final Map<Bytes, Integer> acknowledged = new LinkedHashMap<>();
        private final Map<Bytes, Integer> durable = new LinkedHashMap<>();
        private int step = -1;
        private Op current;

        DurabilityModel(boolean syncWrites) {
            this.syncWrites = syncWrites;
        }

        void starting(Op op) {
            step++;
            current = op;
        }

        String where() {
            return step < 0 ? "while opening" : "during step " + step + ": " + current;
        }

        /** A put or delete is about to start: from now on its key may hold the state it writes. */
        void attempting(Op op) {
            if (op instanceof Op.Put p) {
                attempt(p.key(), Optional.of(p.value()));
            } else if (op instanceof Op.Delete d) {
                attempt(d.key(), Optional.empty());
            }
        }

        /** {@code op} returned: a write is acknowledged (and durable with syncWrites); a sync makes all durable. */
        void applied(Op op) {
            if (op instanceof Op.Put p) {
                acknowledge(p.key());
            } else if (op instanceof Op.Delete d) {
                acknowledge(d.key());
            } else if (op instanceof Op.Sync) {
                everythingDurable();
            }
        }

        private void attempt(Bytes key, Optional<Bytes> state) {
            states.computeIfAbsent(key, k -> new ArrayList<>(List.of(Optional.empty())))
                    .add(state);
        }

        private void acknowledge(Bytes key) {
            acknowledged.put(key, states.get(key).size() - 1);
            if (syncWrites) {
                durable.put(key, states.get(key).size() - 1);
            }
        }

        void everythingDurable() {
            durable.putAll(acknowledged);
        }

        Iterable<Bytes> keys() {
            return new TreeSet<>(states.keySet());
        }

        List<Optional<Bytes>> allowed(Bytes key) {
            List<Optional<Bytes>> s = states.get(key);
            return s.subList(durable.getOrDefault(key, 0), s.size());
        }
    }
}
