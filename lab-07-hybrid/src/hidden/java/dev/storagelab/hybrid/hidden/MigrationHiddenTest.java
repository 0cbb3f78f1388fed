package dev.storagelab.hybrid.hidden;

import static dev.storagelab.hybrid.Hybrids.key;
import static dev.storagelab.hybrid.Hybrids.value;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.CrashWorkload;
import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.Hybrids;
import dev.storagelab.hybrid.Placement;
import dev.storagelab.hybrid.Tier;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of lab-07 T6: a power loss before every file operation of a run with moves in both
 * directions and checkpoints, in every crash mode; a random model-based run with moves,
 * checkpoints, clean reopens and power losses; scans beside a background thread that keeps moving
 * keys; a batch split by route; a key moved away and back before a checkpoint, and a deleted key
 * moved back over its stale copy.
 */
@Tag("hidden")
class MigrationHiddenTest {

    @Test
    @Graded(
            task = "T6",
            points = 8,
            concept =
                    "after a power loss during a migration, a cache flush or a checkpoint, a key lost an acknowledged value, "
                            + "a deleted key came back, or a scan returned a key twice (the routing table and the deferred deletes are "
                            + "made durable in the wrong order)")
    void aPowerLossBeforeAnyFileOperationLeavesEveryKeyOnceWithItsNewestValue() throws IOException {
        long points = 0;
        for (boolean cached : new boolean[] {false, true}) {
            boolean archived = cached;
            for (FaultInjectingStorage.CrashMode mode : FaultInjectingStorage.CrashMode.values()) {
                FaultInjectingStorage dry = new FaultInjectingStorage(1).crashMode(mode);
                new CrashWorkload(60, cached, archived).run(dry);
                long total = dry.mutationCount();
                assertThat(total, greaterThan(200L));
                for (long n = 1; n <= total; n += mode == FaultInjectingStorage.CrashMode.LOSE_UNSYNCED ? 1 : 2) {
                    FaultInjectingStorage storage = new FaultInjectingStorage(n).crashMode(mode);
                    storage.crashBeforeMutation(n);
                    CrashWorkload run = new CrashWorkload(60, cached, archived);
                    run.run(storage);
                    run.powerLoss(storage);
                    run.check(
                            storage,
                            (cached ? "with the cache and the archive, " : "") + mode + ", crash before mutation " + n
                                    + " of " + total);
                    points++;
                }
            }
        }
        System.out.println("[hybrid migration crash sweep] " + points + " crash points");
    }

    @Test
    @Graded(
            task = "T6",
            points = 5,
            concept = "against a TreeMap, the hybrid store returns a wrong value or a wrong scan after random "
                    + "moves, checkpoints, reopens and power losses")
    void randomRunsWithMovesCheckpointsReopensAndPowerLossesMatchATreeMap() throws IOException {
        for (int seed = 1; seed <= 6; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            FaultInjectingStorage storage = new FaultInjectingStorage(seed);
            HybridOptions options = seed % 2 == 0
                    ? Hybrids.options(new FakeTicker())
                            .cache("arc", 12)
                            .maxDirtyEntries(5)
                            .build()
                    : Hybrids.options(new FakeTicker()).build();
            TreeMap<Bytes, Bytes> model = new TreeMap<>();
            HybridStore store = Hybrids.open(storage, options);
            for (int step = 0; step < 400; step++) {
                Bytes k = key(random.nextInt(40));
                String when = "seed " + seed + ", step " + step;
                int op = random.nextInt(100);
                if (op < 40) {
                    Bytes v = value(step, seed);
                    store.put(k, v);
                    model.put(k, v);
                } else if (op < 50) {
                    store.delete(k);
                    model.remove(k);
                } else if (op < 70) {
                    assertThat(when + ": get " + k, store.get(k), equalTo(Optional.ofNullable(model.get(k))));
                } else if (op < 82) {
                    store.move(k, random.nextBoolean() ? Placement.HOT : Placement.COLD);
                } else if (op < 88) {
                    store.checkpoint();
                } else if (op < 91) {
                    store.runMaintenance();
                } else if (op < 94) {
                    store.close();
                    store = Hybrids.open(storage, options);
                } else if (op < 96) {
                    storage.powerLoss(); // every write was forced: nothing acknowledged may go
                    store = Hybrids.open(storage, options);
                } else {
                    Bytes from = key(random.nextInt(40));
                    List<Entry> expected = new ArrayList<>();
                    model.tailMap(from, true).forEach((kk, vv) -> expected.add(Entry.put(kk, vv)));
                    List<Entry> got = new ArrayList<>();
                    try (EntryIterator it = store.scan(from, null)) {
                        it.forEachRemaining(got::add);
                    }
                    assertThat(when + ": scan from " + from, got, equalTo(expected));
                }
            }
            store.close();
        }
    }

    /** Scans each run of {@link #scansBesideBackgroundMovesSeeEveryStableKeyOnce} makes at least. */
    private static final int MIN_SCANS = 150;
    /** Migrations the background mover must have done beside them before the scans stop. */
    private static final int MOVES_BESIDE_SCANS = 40;

    @Test
    @Graded(
            task = "T6",
            points = 4,
            concept = "a scan beside background migrations skipped a key, returned one twice, or returned a "
                    + "stale value")
    void scansBesideBackgroundMovesSeeEveryStableKeyOnce() throws Exception {
        boolean[] hotWanted = {true};
        HybridOptions options = Hybrids.options(new FakeTicker())
                .costModel((p, s) -> (p == Placement.HOT) == hotWanted[0] ? 1 : 10)
                .maintenance(Duration.ofMillis(1), true)
                .migrationBudget(1_000, 1_000_000)
                .build();
        FaultInjectingStorage storage = new FaultInjectingStorage(21);
        try (HybridStore store = Hybrids.open(storage, options)) {
            List<Entry> expected = new ArrayList<>();
            for (int k = 0; k < 120; k++) {
                store.put(key(k), value(k, 0));
                expected.add(Entry.put(key(k), value(k, 0)));
            }
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<?> churn = pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(5);
                    while (!stop.get()) {
                        hotWanted[0] = random.nextBoolean();
                        for (int i = 0; i < 50; i++) {
                            store.get(key(random.nextInt(120)));
                        }
                    }
                    return null;
                });
                // Scans go on until the background mover has really moved keys beside them: how long
                // that takes depends on the machine's load, so the test waits for the progress it
                // needs (the store's own migration counter), never for a time. The bound only turns
                // a mover that never moves into a failure instead of a hang.
                long migrationsBefore = store.stats().migrations();
                long bound = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
                int scan = 0;
                while (scan < MIN_SCANS || store.stats().migrations() < migrationsBefore + MOVES_BESIDE_SCANS) {
                    assertThat(
                            "the background mover moved " + (store.stats().migrations() - migrationsBefore)
                                    + " keys in " + scan + " scans; it must move keys while scans run",
                            System.nanoTime() < bound,
                            is(true));
                    List<Entry> got = new ArrayList<>();
                    try (EntryIterator it = scan % 2 == 0 ? store.scan(null, null) : store.scanReverse(null, null)) {
                        it.forEachRemaining(got::add);
                    }
                    if (scan % 2 == 1) {
                        java.util.Collections.reverse(got);
                    }
                    assertThat("scan " + scan, got, equalTo(expected));
                    scan++;
                }
                stop.set(true);
                churn.get(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS);
            } finally {
                stop.set(true);
                pool.shutdownNow();
            }
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 3,
            concept = "a key moved to the other engine and back before a checkpoint is deleted by the "
                    + "deferred delete of its first move")
    void aKeyMovedAwayAndBackSurvivesTheCheckpoint() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(22);
        try (HybridStore store =
                Hybrids.open(storage, Hybrids.options(new FakeTicker()).build())) {
            for (int k = 0; k < 4; k++) {
                store.put(key(k), value(k, 1));
            }
            store.checkpoint();
            store.move(key(1), Placement.HOT);
            store.move(key(1), Placement.COLD);
            store.move(key(2), Placement.HOT);
            store.move(key(2), Placement.COLD);
            store.move(key(2), Placement.HOT);
            store.checkpoint();
            store.checkpoint();
            assertThat(store.get(key(1)), equalTo(Optional.of(value(1, 1))));
            assertThat(store.get(key(2)), equalTo(Optional.of(value(2, 1))));
            assertThat(store.where(key(2)), equalTo(Tier.HOT));
            assertThat(store.lsm().get(key(2)), equalTo(Optional.empty()));
            assertThat(store.tree().get(key(1)), equalTo(Optional.empty()));
        }
        try (HybridStore store =
                Hybrids.open(storage, Hybrids.options(new FakeTicker()).build())) {
            assertThat(store.get(key(1)), equalTo(Optional.of(value(1, 1))));
            assertThat(store.get(key(2)), equalTo(Optional.of(value(2, 1))));
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "a deleted key moved back to an engine that still holds a stale copy of it (its deferred "
                    + "delete not yet carried out) brings the old value back: a key with no value moves as a tombstone")
    void aDeletedKeyMovedBackOverItsStaleCopyStaysDeleted() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(23);
        try (HybridStore store =
                Hybrids.open(storage, Hybrids.options(new FakeTicker()).build())) {
            store.put(key(1), value(1, 1));
            store.put(key(2), value(2, 1));
            store.move(key(1), Placement.HOT);
            store.checkpoint();
            store.move(key(1), Placement.COLD); // the B+tree keeps its copy until the next checkpoint
            store.delete(key(1));
            store.move(key(1), Placement.HOT); // back over the stale copy, before that checkpoint
            assertThat(
                    "a key moved to the LSM tree, deleted there, and moved back to the B+tree before a checkpoint "
                            + "carried out the deferred delete of its B+tree copy must stay deleted",
                    store.get(key(1)),
                    equalTo(Optional.empty()));
            store.checkpoint();
            assertThat(store.get(key(1)), equalTo(Optional.empty()));
            assertThat(store.get(key(2)), equalTo(Optional.of(value(2, 1))));
        }
        try (HybridStore store =
                Hybrids.open(storage, Hybrids.options(new FakeTicker()).build())) {
            assertThat(
                    "after a reopen, the deleted key that moved back over its stale copy",
                    store.get(key(1)),
                    equalTo(Optional.empty()));
            assertThat(store.get(key(2)), equalTo(Optional.of(value(2, 1))));
        }
    }

    @Test
    @Graded(task = "T6", points = 2, concept = "a batch write sends an entry to the engine its key is not routed to")
    void aBatchIsSplitByRoute() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(23);
        try (HybridStore store =
                Hybrids.open(storage, Hybrids.options(new FakeTicker()).build())) {
            for (int k = 0; k < 10; k++) {
                store.put(key(k), value(k, 1));
                if (k % 2 == 0) {
                    store.move(key(k), Placement.HOT);
                }
            }
            store.checkpoint();
            List<Entry> batch = new ArrayList<>();
            for (int k = 9; k >= 0; k--) {
                batch.add(k % 3 == 0 ? Entry.tombstone(key(k)) : Entry.put(key(k), value(k, 2)));
            }
            store.write(batch);
            for (int k = 0; k < 10; k++) {
                Optional<Bytes> want = k % 3 == 0 ? Optional.empty() : Optional.of(value(k, 2));
                if (k % 2 == 0) {
                    assertThat("HOT key " + k, store.tree().get(key(k)), equalTo(want));
                    assertThat(store.lsm().get(key(k)), equalTo(Optional.empty()));
                } else {
                    assertThat("COLD key " + k, store.lsm().get(key(k)), equalTo(want));
                    assertThat(store.tree().get(key(k)), equalTo(Optional.empty()));
                }
            }
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept =
                    "a move says the key moved when it was there already, or says it did not when it did (the shell's "
                            + "move and the migration counters rely on it)")
    void aMoveSaysWhetherTheKeyMoved() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(24);
        try (HybridStore store =
                Hybrids.open(storage, Hybrids.options(new FakeTicker()).build())) {
            store.put(key(1), value(1, 1));
            assertThat("already in the LSM tree", store.move(key(1), Placement.COLD), is(false));
            assertThat("to the B+tree", store.move(key(1), Placement.HOT), is(true));
            assertThat("already in the B+tree", store.move(key(1), Placement.HOT), is(false));
            assertThat("back to the LSM tree", store.move(key(1), Placement.COLD), is(true));
            assertThat(store.stats().migrations(), equalTo(2L));
            assertThat(store.get(key(1)), equalTo(Optional.of(value(1, 1))));
        }
    }
}
