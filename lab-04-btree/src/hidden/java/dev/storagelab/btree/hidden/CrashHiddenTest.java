package dev.storagelab.btree.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.btree.Invariants;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Crash tests on {@link FaultInjectingStorage}: lab-04 T3 (copy-on-write page table, alternating
 * meta pages) and everything that writes pages (T2 page file, T6 buffer pool write-back, T7/T8
 * splits and merges that dirty pages, T10 bulk load).
 *
 * <p>Each test runs a seeded workload once to count its mutating storage calls, then, for every
 * crash point n, runs it again on fresh storage armed to fail at the n-th mutation, loses power
 * ({@link CrashMode#RANDOM}: unforced writes lost or kept, each overwritten 512-byte sector old or
 * new at random; and {@link CrashMode#LOSE_UNSYNCED}), reopens and checks:
 * <ul>
 *   <li>the tree is exactly the last completed checkpoint, or the checkpoint that was in flight
 *       when the crash came (if its meta page became durable), never a mix and never a write
 *       made after it; a close counts as a checkpoint;</li>
 *   <li>it passes {@link Invariants#check} and every key reads back by {@code get};</li>
 *   <li>it keeps working: it takes writes that split pages and deletes, checkpoints, and reopens
 *       with all of it in place.</li>
 * </ul>
 * Each test asserts how many crash points it exercised, so a workload cannot shrink unnoticed;
 * together they exercise well over 500.
 */
@Tag("hidden")
class CrashHiddenTest {

    private static final List<CrashMode> BOTH_MODES = List.of(CrashMode.RANDOM, CrashMode.LOSE_UNSYNCED);

    @Test
    @Graded(
            task = "T3",
            points = 2,
            concept = "a checkpoint rewrites page-table chunks that did not change (the dirty set is not "
                    + "cleared), or writes chunks not stamped with the checkpoint's generation")
    void aCheckpointWritesOnlyWhatChangedAndStampsItsGeneration() throws IOException {
        FaultInjectingStorage inner = new FaultInjectingStorage(7);
        dev.storagelab.io.CountingStorage storage = new dev.storagelab.io.CountingStorage(inner);
        BPlusTree tree = BPlusTree.open(storage, Trees.SMALL_LRU);
        try {
            for (int i = 0; i < 600; i++) {
                tree.put(Trees.key(i), Trees.value(i, 20));
            }
            tree.checkpoint();
            int pageSize = Trees.SMALL_LRU.pageSize();
            PageFileSpec.Meta meta = PageFileSpec.newest(inner.contents(BPlusTree.FILE_NAME), pageSize);
            for (long chunk : meta.chunks()) {
                PageFileSpec.Page page = PageFileSpec.page(inner.contents(BPlusTree.FILE_NAME), chunk, pageSize);
                assertThat(
                        "page-table chunk at page " + chunk + " is a table page",
                        page.type(),
                        equalTo(PageFileSpec.TYPE_TABLE));
                assertThat(
                        "page-table chunk at page " + chunk + " carries the generation of the checkpoint that wrote it",
                        page.generation(),
                        equalTo(meta.generation()));
            }
            long before = storage.bytesWritten();
            tree.checkpoint();
            tree.checkpoint();
            assertThat(
                    "two checkpoints with nothing changed in between write one meta page each and nothing else "
                            + "(no page-table chunk is dirty)",
                    storage.bytesWritten() - before,
                    equalTo(2L * pageSize));
            tree.put(Trees.key(5), Trees.value(99, 20));
            tree.checkpoint();
            assertThat("the tree still reads back", tree.get(Trees.key(5)), equalTo(Optional.of(Trees.value(99, 20))));
        } finally {
            Trees.closeQuietly(tree);
        }
    }

    @Test
    @Graded(
            task = "T3",
            points = 5,
            concept = "a crash during inserts, splits or evictions reopens a tree that is not its last "
                    + "checkpoint: a checkpointed page was overwritten before the next checkpoint")
    void aCrashDuringInsertsAndSplitsReopensAtTheLastCheckpoint() throws IOException {
        Random random = new Random(41);
        List<Step> workload = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            workload.add(new Step.Put(random.nextInt(Trees.KEY_SPACE), 10 + random.nextInt(50)));
            if (i % 45 == 44) {
                workload.add(i == 179 ? new Step.Reopen() : new Step.Checkpoint());
            }
        }
        Sweep sweep = sweep("inserts", Trees.SMALL_LRU, workload, BOTH_MODES);
        assertThat(
                sweep + ": every mutation of the workload is a crash point",
                sweep.crashPoints(),
                greaterThanOrEqualTo(150));
    }

    @Test
    @Graded(
            task = "T3",
            points = 5,
            concept = "a crash during deletes, merges and root shrinks reopens a torn tree: a page the "
                    + "last checkpoint references was freed and reused before the next checkpoint")
    void aCrashDuringDeletesAndMergesReopensAtTheLastCheckpoint() throws IOException {
        Random random = new Random(42);
        List<Entry> preload = new ArrayList<>();
        for (int i = 0; i < 500; i += 2) {
            preload.add(Entry.put(Trees.key(i), Trees.value(i, 20 + i % 30)));
        }
        List<Step> workload = new ArrayList<>();
        workload.add(new Step.BulkLoad(preload, 0.9));
        workload.add(new Step.Checkpoint());
        List<Integer> victims = new ArrayList<>();
        for (int i = 0; i < 500; i += 2) {
            victims.add(i);
        }
        java.util.Collections.shuffle(victims, random);
        for (int i = 0; i < 220; i++) {
            workload.add(new Step.Delete(victims.get(i)));
            if (i % 35 == 34) {
                workload.add(new Step.Checkpoint());
            }
        }
        for (int i = 0; i < 30; i++) {
            workload.add(new Step.Put(random.nextInt(500), 40));
        }
        Sweep sweep = sweep("deletes", Trees.SMALL_LRU_2, workload, BOTH_MODES);
        assertThat(
                sweep + ": every mutation of the workload is a crash point",
                sweep.crashPoints(),
                greaterThanOrEqualTo(150));
    }

    @Test
    @Graded(
            task = "T3",
            points = 5,
            concept = "a crash during a checkpoint leaves neither the old nor the new checkpoint: the "
                    + "meta page was written before the pages and page table it names were durable, or over the previous "
                    + "checkpoint's meta slot")
    void aCrashAnywhereInACheckpointReopensAtTheOldOrTheNewCheckpoint() throws IOException {
        Random random = new Random(43);
        List<Step> workload = new ArrayList<>();
        for (int i = 0; i < 180; i++) {
            int key = random.nextInt(300);
            workload.add(random.nextInt(4) == 0 ? new Step.Delete(key) : new Step.Put(key, random.nextInt(70)));
            if (i % 6 == 5) {
                workload.add(new Step.Checkpoint());
            }
        }
        Sweep sweep = sweep("checkpoints", Trees.SMALL_LRU_2, workload, BOTH_MODES);
        assertThat(
                sweep + ": every mutation of the workload is a crash point",
                sweep.crashPoints(),
                greaterThanOrEqualTo(200));
    }

    @Test
    @Graded(
            task = "T3",
            points = 3,
            concept = "a crash while the page file is first created leaves a file that cannot be "
                    + "opened: it was published under its name before it was whole and durable")
    void aCrashWhileTheFileIsCreatedLeavesAnOpenableTree() throws IOException {
        List<Step> workload = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            workload.add(new Step.Put(i * 7, 30));
        }
        workload.add(new Step.Checkpoint());
        Sweep sweep = sweep(
                "first open",
                Trees.SMALL_LRU,
                workload,
                List.of(
                        CrashMode.RANDOM,
                        CrashMode.RANDOM,
                        CrashMode.RANDOM,
                        CrashMode.LOSE_UNSYNCED,
                        CrashMode.KEEP_UNSYNCED));
        assertThat(
                sweep + ": every mutation of creating the file and its first checkpoint is a crash point",
                sweep.crashPoints(),
                greaterThanOrEqualTo(10));
    }

    @Test
    @Graded(
            task = "T3",
            points = 4,
            concept = "a crash after a crash (while reopening, or during the first writes and "
                    + "checkpoint after recovery) loses the recovered checkpoint or corrupts the tree")
    void aCrashDuringRecoveryIsRecoveredFrom() throws IOException {
        int points = 0;
        List<Step> creation = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            creation.add(new Step.Put(i * 11, 30));
        }
        creation.add(new Step.Checkpoint());
        Random random = new Random(44);
        List<Step> busy = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            int key = random.nextInt(400);
            busy.add(random.nextInt(3) == 0 ? new Step.Delete(key) : new Step.Put(key, 20 + random.nextInt(40)));
            if (i % 40 == 39) {
                busy.add(new Step.Checkpoint());
            }
        }
        record Case(String name, List<Step> workload, int every) {}
        for (Case c : List.of(new Case("first open", creation, 1), new Case("busy tree", busy, 13))) {
            long mutations = cleanRunMutations(Trees.SMALL_LRU, c.workload());
            for (long n = 1; n <= mutations; n += c.every()) {
                long seed = 5000 + n;
                Crashed probe = crashedStorage(Trees.SMALL_LRU, c.workload(), n, seed);
                if (probe == null) {
                    continue;
                }
                long before = probe.storage().mutationCount();
                List<TreeMap<Bytes, Bytes>> acceptable;
                try {
                    acceptable = recoveryWork(probe.storage());
                } catch (IOException | RuntimeException e) {
                    throw new AssertionError(
                            c.name() + ": recovery failed after a crash before mutation " + n + " ("
                                    + probe.model().where + ", seed " + seed + "): " + e,
                            e);
                }
                long recoveryMutations = probe.storage().mutationCount() - before;
                for (long m = 1; m <= recoveryMutations; m++) {
                    Crashed crashed = crashedStorage(Trees.SMALL_LRU, c.workload(), n, seed);
                    FaultInjectingStorage storage = crashed.storage();
                    CrashMode mode = m % 2 == 0 ? CrashMode.LOSE_UNSYNCED : CrashMode.RANDOM;
                    storage.crashMode(mode);
                    storage.crashBeforeMutation(m);
                    try {
                        recoveryWork(storage);
                    } catch (IOException e) {
                        assertThat(
                                c.name() + ": recovery failed with no crash injected: " + e,
                                storage.isCrashed(),
                                is(true));
                    }
                    assertThat(
                            c.name() + ": the recovery work crashes before its mutation " + m + " of "
                                    + recoveryMutations,
                            storage.isCrashed(),
                            is(true));
                    storage.powerLoss();
                    verifyAny(
                            storage,
                            Trees.SMALL_LRU,
                            acceptable,
                            c.name() + ": crash before mutation " + n
                                    + " of the workload (" + crashed.model().where + "), then again before mutation "
                                    + m
                                    + " of the " + recoveryMutations
                                    + " of the reopen and the writes after it, power loss "
                                    + mode + " (seed " + seed + ")");
                    points++;
                }
            }
        }
        System.out.println("CrashHiddenTest recovery: " + points + " crash points inside recovery");
        assertThat("crash points inside recovery and the work after it", points, greaterThanOrEqualTo(150));
    }

    // ------------------------------------------------------------------------------- the workload

    /** One step of a crash workload, over key indexes (see {@link Trees#key}). */
    sealed interface Step {
        record Put(int key, int valueLength) implements Step {}

        record Delete(int key) implements Step {}

        record Checkpoint() implements Step {}

        /** Close (a checkpoint) and open again. */
        record Reopen() implements Step {}

        record BulkLoad(List<Entry> entries, double fill) implements Step {
            @Override
            public String toString() {
                return "BulkLoad[" + entries.size() + " entries, fill " + fill + "]";
            }
        }
    }

    /** What a run attempted and made durable, as the oracle of a recovery. */
    private static final class Durability {
        final TreeMap<Bytes, Bytes> model = new TreeMap<>();
        /** The last completed checkpoint (or close). */
        TreeMap<Bytes, Bytes> durable = new TreeMap<>();
        /** The state a checkpoint or close in progress would make durable; null between them. */
        TreeMap<Bytes, Bytes> inFlight;

        String where = "opening the tree";
    }

    /** What one sweep covered. */
    private record Sweep(String name, long mutations, int crashPoints, int runs) {
        @Override
        public String toString() {
            return name + ": " + crashPoints + " crash points of " + mutations + " mutations, " + runs + " crash runs";
        }
    }

    /** Crashes the workload before each of its mutations in each mode, and checks each recovery. */
    private static Sweep sweep(String name, BTreeOptions options, List<Step> workload, List<CrashMode> modes)
            throws IOException {
        long mutations = cleanRunMutations(options, workload);
        int points = 0;
        int runs = 0;
        for (long n = 1; n <= mutations; n++) {
            boolean crashed = false;
            for (int i = 0; i < modes.size(); i++) {
                long seed = n * 131 + i;
                FaultInjectingStorage storage = new FaultInjectingStorage(seed).crashMode(modes.get(i));
                Durability d = run(storage, options, workload, n);
                assertThat(
                        name + ": the run armed to crash before mutation " + n + " of " + mutations + " crashes",
                        storage.isCrashed(),
                        is(true));
                crashed = true;
                runs++;
                storage.powerLoss();
                List<TreeMap<Bytes, Bytes>> acceptable = new ArrayList<>();
                acceptable.add(d.durable);
                if (d.inFlight != null) {
                    acceptable.add(d.inFlight);
                }
                verifyAny(
                        storage,
                        options,
                        acceptable,
                        name + ": crash before mutation " + n + " of " + mutations + " (" + d.where + "), power loss "
                                + modes.get(i) + " seed " + seed);
            }
            if (crashed) {
                points++;
            }
        }
        Sweep sweep = new Sweep(name, mutations, points, runs);
        System.out.println("CrashHiddenTest sweep: " + sweep);
        return sweep;
    }

    private static long cleanRunMutations(BTreeOptions options, List<Step> workload) throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        run(storage, options, workload, 0);
        assertThat("the clean run must not crash", storage.isCrashed(), is(false));
        return storage.mutationCount();
    }

    /** Storage after a crash and a power loss, and what the workload had made durable. */
    private record Crashed(FaultInjectingStorage storage, Durability model) {}

    /** The state a crash before mutation {@code n} and a RANDOM power loss leave; null if the run ended first. */
    private static Crashed crashedStorage(BTreeOptions options, List<Step> workload, long n, long seed)
            throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(seed).crashMode(CrashMode.RANDOM);
        Durability model = run(storage, options, workload, n);
        if (!storage.isCrashed()) {
            return null;
        }
        storage.powerLoss();
        return new Crashed(storage, model);
    }

    /**
     * Runs {@code workload} (open, the steps, close) on {@code storage} until a crash armed before
     * mutation {@code crashAt} (0: none) stops it, and returns what it made durable.
     */
    private static Durability run(
            FaultInjectingStorage storage, BTreeOptions options, List<Step> workload, long crashAt) throws IOException {
        if (crashAt > 0) {
            storage.crashBeforeMutation(crashAt);
        }
        Durability d = new Durability();
        BPlusTree tree = null;
        int checkpoints = 0;
        try {
            tree = BPlusTree.open(storage, options);
            for (int i = 0; i < workload.size(); i++) {
                Step step = workload.get(i);
                d.where = "step " + i + ", " + step;
                if (step instanceof Step.Put p) {
                    Bytes key = Trees.key(p.key());
                    Bytes value = Trees.value(i * 1_000_003L + p.key(), p.valueLength());
                    tree.put(key, value);
                    d.model.put(key, value);
                } else if (step instanceof Step.Delete del) {
                    tree.delete(Trees.key(del.key()));
                    d.model.remove(Trees.key(del.key()));
                } else if (step instanceof Step.BulkLoad b) {
                    tree.bulkLoad(b.entries().iterator(), b.fill());
                    b.entries().forEach(e -> d.model.put(e.key(), e.value()));
                } else if (step instanceof Step.Checkpoint) {
                    d.where = "step " + i + ", checkpoint #" + ++checkpoints;
                    d.inFlight = new TreeMap<>(d.model);
                    tree.checkpoint();
                    d.durable = d.inFlight;
                    d.inFlight = null;
                } else if (step instanceof Step.Reopen) {
                    d.where = "step " + i + ", close (checkpoint #" + ++checkpoints + ") and reopen";
                    d.inFlight = new TreeMap<>(d.model);
                    BPlusTree open = tree;
                    tree = null;
                    open.close();
                    d.durable = d.inFlight;
                    d.inFlight = null;
                    tree = BPlusTree.open(storage, options);
                }
            }
            d.where = "the final close (checkpoint #" + ++checkpoints + ")";
            d.inFlight = new TreeMap<>(d.model);
            BPlusTree open = tree;
            tree = null;
            open.close();
            d.durable = d.inFlight;
            d.inFlight = null;
        } catch (IOException e) {
            if (!storage.isCrashed()) {
                throw new AssertionError("the workload failed at " + d.where + " with no crash injected: " + e, e);
            }
        } finally {
            Trees.closeQuietly(tree);
        }
        return d;
    }

    // ------------------------------------------------------------------------------- recovery checks

    /**
     * Reopens {@code storage} after a power loss and checks that the tree is one of
     * {@code acceptable} (the last checkpoint first), passes every invariant, reads back by
     * {@code get}, and keeps working across a checkpoint and a reopen.
     */
    private static void verifyAny(
            FaultInjectingStorage storage, BTreeOptions options, List<TreeMap<Bytes, Bytes>> acceptable, String where)
            throws IOException {
        BPlusTree tree;
        try {
            tree = BPlusTree.open(storage, options);
        } catch (IOException | RuntimeException e) {
            throw new AssertionError(where + ": reopening after the power loss failed: " + e, e);
        }
        TreeMap<Bytes, Bytes> got;
        try {
            try {
                Invariants.check(tree);
                got = Trees.contents(tree);
            } catch (IOException | RuntimeException e) {
                throw new AssertionError(where + ": the reopened tree cannot be read whole: " + e, e);
            }
            if (!acceptable.contains(got)) {
                StringBuilder why = new StringBuilder(where)
                        .append(": after recovery the tree must be exactly the last " + "completed checkpoint");
                if (acceptable.size() > 1) {
                    why.append(" or the one in flight");
                }
                why.append("; it holds ")
                        .append(Trees.describe(got))
                        .append(", ")
                        .append(firstDifference(acceptable.get(0), got))
                        .append(" from the last checkpoint");
                if (acceptable.size() > 1) {
                    why.append(" and ")
                            .append(firstDifference(acceptable.get(1), got))
                            .append(" from the one in flight");
                }
                throw new AssertionError(why.toString());
            }
            assertThat(where + ": size() after recovery", tree.size(), equalTo((long) got.size()));
            for (Map.Entry<Bytes, Bytes> e : got.entrySet()) {
                assertThat(
                        where + ": get(" + e.getKey() + ") after recovery",
                        tree.get(e.getKey()),
                        equalTo(Optional.of(e.getValue())));
            }
            keepsWorking(storage, options, tree, got, where);
        } finally {
            Trees.closeQuietly(tree);
        }
    }

    /** Writes that split and merge pages, a checkpoint, more writes, a close and a reopen: all must be there. */
    private static void keepsWorking(
            FaultInjectingStorage storage,
            BTreeOptions options,
            BPlusTree tree,
            TreeMap<Bytes, Bytes> state,
            String where)
            throws IOException {
        TreeMap<Bytes, Bytes> expected = new TreeMap<>(state);
        BPlusTree t = tree;
        try {
            for (int i = 0; i < 24; i++) {
                Bytes key = Trees.key(Trees.KEY_SPACE - 1 - i * 3);
                Bytes value = Trees.value(-i - 1, 50);
                t.put(key, value);
                expected.put(key, value);
            }
            if (!expected.isEmpty()) {
                Bytes first = expected.firstKey();
                t.delete(first);
                expected.remove(first);
            }
            t.checkpoint();
            for (int i = 0; i < 12; i++) {
                Bytes key = Trees.key(Trees.KEY_SPACE - 1 - i * 3);
                t.delete(key);
                expected.remove(key);
            }
            t.close();
            t = BPlusTree.open(storage, options);
            Invariants.check(t);
            assertThat(
                    where + ": after recovery the tree takes writes and deletes, checkpoints and reopens with "
                            + "all of them in place",
                    Trees.contents(t),
                    equalTo(expected));
            t.close();
        } catch (IOException | RuntimeException e) {
            throw new AssertionError(where + ": the recovered tree does not keep working: " + e, e);
        } finally {
            if (t != tree) {
                Trees.closeQuietly(t);
            }
        }
    }

    /**
     * The work after a recovery, for the double-crash test: open the crashed tree, write (splits),
     * delete, checkpoint, delete more, close. Returns the states a crash anywhere in it may leave:
     * what the open found, the checkpoint, and the close.
     */
    private static List<TreeMap<Bytes, Bytes>> recoveryWork(FaultInjectingStorage storage) throws IOException {
        List<TreeMap<Bytes, Bytes>> states = new ArrayList<>();
        BPlusTree tree = BPlusTree.open(storage, Trees.SMALL_LRU);
        try {
            TreeMap<Bytes, Bytes> model = Trees.contents(tree);
            states.add(new TreeMap<>(model));
            for (int i = 0; i < 30; i++) {
                Bytes key = Trees.key(500 + i * 7);
                Bytes value = Trees.value(7_000 + i, 45);
                tree.put(key, value);
                model.put(key, value);
            }
            for (int i = 0; i < 5; i++) {
                Bytes key = Trees.key(i * 11);
                tree.delete(key);
                model.remove(key);
            }
            states.add(new TreeMap<>(model));
            tree.checkpoint();
            for (int i = 0; i < 10; i++) {
                Bytes key = Trees.key(500 + i * 7);
                tree.delete(key);
                model.remove(key);
            }
            states.add(new TreeMap<>(model));
            BPlusTree open = tree;
            tree = null;
            open.close();
            return states;
        } finally {
            Trees.closeQuietly(tree);
        }
    }

    /** The first key at which {@code expected} and {@code got} differ, described. */
    private static String firstDifference(TreeMap<Bytes, Bytes> expected, TreeMap<Bytes, Bytes> got) {
        TreeMap<Bytes, Boolean> keys = new TreeMap<>();
        expected.keySet().forEach(k -> keys.put(k, true));
        got.keySet().forEach(k -> keys.put(k, true));
        for (Bytes k : keys.keySet()) {
            Bytes e = expected.get(k);
            Bytes g = got.get(k);
            if (e == null) {
                return "an extra key " + k;
            }
            if (g == null) {
                return "key " + k + " missing";
            }
            if (!e.equals(g)) {
                return "key " + k + " with another value";
            }
        }
        return "no difference";
    }
}
