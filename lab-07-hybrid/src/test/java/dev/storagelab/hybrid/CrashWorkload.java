package dev.storagelab.hybrid;

import static dev.storagelab.hybrid.Hybrids.key;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.google.common.testing.FakeTicker;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A run of puts, deletes, moves in both directions and checkpoints over 16 keys, every write
 * forced: the workload the crash sweeps interrupt before each file operation. It keeps the model
 * of what was acknowledged and the one operation in flight when the storage died, and checks a
 * reopened store against both.
 */
public final class CrashWorkload {

    public static final int KEYS = 16;
    private final int steps;
    /** What every acknowledged write left. */
    public final TreeMap<Bytes, Bytes> model = new TreeMap<>();
    /** The write in flight when the storage crashed (either outcome is right), or null. */
    public Entry inFlight;

    private final FakeTicker ticker = new FakeTicker();
    private final HybridOptions options;
    /** The archive tier's storage, or null for a store without one. */
    private final FaultInjectingStorage archive;

    /** The workload with the cache off: every write reaches its engine at once. */
    public CrashWorkload(int steps) {
        this(steps, false, false);
    }

    /**
     * @param cached   with an ARC cache of 8 entries that flushes at 3 dirty ones: writes wait in the
     *                 cache, dirty entries are evicted and flushed between moves and checkpoints
     * @param archived with an archive tier: a simulated second passes per step, and maintenance
     *                 every sixth step moves the LSM tree's tables older than 5 seconds to it
     */
    public CrashWorkload(int steps, boolean cached, boolean archived) {
        this(steps, cached, archived, false);
    }

    /**
     * @param newKeysHot with {@link HybridOptions#newKeysHot}, up to half the keys: new keys go to
     *                   the B+tree while it has room, beside the moves
     */
    public CrashWorkload(int steps, boolean cached, boolean archived, boolean newKeysHot) {
        this.steps = steps;
        HybridOptions.Builder b = Hybrids.options(ticker);
        if (newKeysHot) {
            b.newKeysHot(true).maxHotKeys(KEYS / 2);
        }
        if (cached) {
            b.cache("arc", 8).maxDirtyEntries(3);
        }
        if (archived) {
            b.archive(java.time.Duration.ofSeconds(5), dev.storagelab.hybrid.tier.DeviceModel.nvme());
        }
        this.options = b.build();
        this.archive = archived ? new FaultInjectingStorage(99) : null;
    }

    private HybridStore open(FaultInjectingStorage storage) throws IOException {
        return archive == null ? Hybrids.open(storage, options) : HybridStore.open(storage, archive, options);
    }

    /** File operations the archive tier saw (0 without one): moves in, and compactions deleting moved tables. */
    public long archiveMutations() {
        return archive == null ? 0 : archive.mutationCount();
    }

    /** Keys the writes of a run that was not interrupted routed to the B+tree ({@link HybridOptions#newKeysHot}). */
    public long newKeysPlacedHot;

    /** Loses the unsynced state of both storages, as one machine's power loss does. */
    public void powerLoss(FaultInjectingStorage storage) {
        storage.powerLoss();
        if (archive != null) {
            archive.powerLoss();
        }
    }

    /** Runs until done or until the storage crashes; returns the store (open, or abandoned after a crash). */
    public void run(FaultInjectingStorage storage) throws IOException {
        HybridStore store = null;
        try {
            store = open(storage);
            for (int step = 0; step < steps; step++) {
                ticker.advance(java.time.Duration.ofSeconds(1));
                Bytes k = key(step * 7 % KEYS);
                switch (step % 6) {
                    case 0, 1, 2 -> {
                        Bytes v = Bytes.of("v" + step);
                        inFlight = Entry.put(k, v);
                        store.put(k, v);
                        model.put(k, v);
                        inFlight = null;
                    }
                    case 3 -> {
                        inFlight = Entry.tombstone(k);
                        store.delete(k);
                        model.remove(k);
                        inFlight = null;
                    }
                    case 4 -> store.move(k, step % 12 == 4 ? Placement.HOT : Placement.COLD);
                    default -> {
                        if (step % 12 == 5) {
                            store.checkpoint();
                        } else {
                            store.runMaintenance();
                        }
                    }
                }
            }
            newKeysPlacedHot = store.newKeysPlacedHot();
            store.close();
        } catch (IOException | UncheckedIOException e) {
            if (!storage.isCrashed()) {
                throw e;
            }
            abandon(store);
        }
    }

    private static void abandon(HybridStore store) {
        if (store != null) {
            try {
                store.close();
            } catch (IOException | RuntimeException expected) {
                // the storage is dead
            }
        }
    }

    /**
     * Reopens the store after the power loss and checks it: every key holds its acknowledged value
     * (the key in flight may hold either), a scan returns each live key once, in order, with the
     * value a get returns; after a checkpoint no key has a copy in both engines.
     */
    public void check(FaultInjectingStorage storage, String when) throws IOException {
        try (HybridStore store = open(storage)) {
            Map<Bytes, Bytes> seen = new TreeMap<>();
            for (int i = 0; i < KEYS; i++) {
                Bytes k = key(i);
                store.engine().readTreeFirst(true);
                Optional<Bytes> treeFirst = store.get(k);
                store.engine().readTreeFirst(false);
                Optional<Bytes> got = store.get(k);
                assertThat(
                        when + ": key " + k + " read through the routing table and through the B+tree first",
                        treeFirst,
                        equalTo(got));
                Optional<Bytes> acknowledged = Optional.ofNullable(model.get(k));
                boolean ok = got.equals(acknowledged);
                if (!ok && inFlight != null && inFlight.key().equals(k)) {
                    ok = got.equals(inFlight.isTombstone() ? Optional.empty() : Optional.of(inFlight.value()));
                }
                assertThat(
                        when + ": key " + k + " acknowledged " + acknowledged + " (in flight: " + inFlight
                                + ") but the store has " + got,
                        ok,
                        is(true));
                got.ifPresent(v -> seen.put(k, v));
            }
            List<Entry> scanned = new ArrayList<>();
            try (EntryIterator it = store.scan(null, null)) {
                it.forEachRemaining(scanned::add);
            }
            List<Entry> expected = new ArrayList<>();
            seen.forEach((k, v) -> expected.add(Entry.put(k, v)));
            assertThat(when + ": a scan returns each live key once with its value", scanned, equalTo(expected));
            store.checkpoint();
            assertThat(
                    when + ": stale copies remain after a checkpoint",
                    store.stats().duplicateKeys(),
                    equalTo(0L));
        }
    }
}
