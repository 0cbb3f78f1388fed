package dev.storagelab.hybrid;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.Ticker;
import dev.storagelab.bounds.MergingIterator;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The hybrid engine as the episode first writes it, and the baseline every failure-mode scenario
 * runs before the hardened {@link HybridStore}: it works, on a small test, and breaks in each of
 * the four ways the scenarios show. Given code, complete and deliberately naive:
 *
 * <ul>
 *   <li><b>Per-key counters</b>: a {@link HashMap} from every key ever seen to its reads and writes
 *       in the current {@linkplain Knobs#period() period}. An entry is never removed, so the map
 *       grows with the key space (the memory blowup); {@link HybridStats#trackerBytes()} is an
 *       estimate of its heap footprint.</li>
 *   <li><b>Fixed thresholds</b>: a key with more than {@linkplain Knobs#hotWrites() 100 writes} in
 *       the period is hot, and one with more than {@linkplain Knobs#promoteReads() 1000 reads} is
 *       promoted: either moves it to the B+tree at once. The thresholds know nothing of value sizes,
 *       of sequential access or of the device (the cost-model blindspot).</li>
 *   <li><b>Reclassification at random</b>: counters start again from zero each period, and each
 *       access has a small {@linkplain Knobs#reclassifyProbability() probability} of re-checking the
 *       key: a key in the B+tree whose counters (just reset, say) are under both thresholds goes back
 *       to the LSM tree (oscillation).</li>
 *   <li><b>Inline moves</b>: a move happens on the request that triggered it: read the value from
 *       the old engine, put it in the new one, delete it from the old one, switch the in-memory
 *       route. No queue, no rate limit (the thundering herd), no hysteresis, no minimum residency,
 *       and no durable routing.</li>
 *   <li><b>An LRU cache</b> of values ({@link LinkedHashMap} in access order), written through.</li>
 * </ul>
 *
 * <p>Both engines share one {@link Storage}: the lab-04 {@link BPlusTree} (hot keys, its page
 * file) and the lab-05 {@link LsmStore} (cold keys, with its own write-ahead log), run without
 * background threads, so a simulation is deterministic. Every key is in exactly one engine, the
 * one its route names (cold unless moved), except during a move.
 *
 * <p>A value the B+tree cannot hold (more than a quarter page, about 1000 bytes with 4 KiB pages)
 * is still promoted when its counters say so: the B+tree refuses it with an
 * {@link IllegalArgumentException}, which reaches the caller of the get or put that triggered the
 * move, on every access until the period's counters fall again. The key stays in the LSM tree,
 * readable once its counters fall. That is the blindspot at its bluntest.
 *
 * <p><b>Durability:</b> {@link #sync()} forces the LSM tree's log and checkpoints the B+tree. The
 * routes are not written anywhere: {@link #open} rebuilds them by scanning the B+tree (every key
 * there is hot), so a crash in the middle of a move can leave a key in both engines, or an older
 * value in the B+tree's checkpoint than in the LSM tree's log. Not thread-safe: one caller at a time.
 */
public final class SimpleHybridStore implements RoutedStore {

    /**
     * The simple engine's settings.
     *
     * @param hotWrites             writes in a period above which a key is hot (100)
     * @param promoteReads          reads in a period above which a key is promoted (1000)
     * @param period                how long counters count before they start again from zero (1 hour)
     * @param reclassifyProbability the chance that an access re-checks a hot key's class (0.01)
     * @param cacheEntries          values the LRU cache holds (0: no cache)
     * @param seed                  the seed of the reclassification's coin, so a run is repeatable
     * @param btree                 the B+tree's options
     * @param lsm                   the LSM tree's options (background work is always turned off)
     */
    public record Knobs(
            int hotWrites,
            int promoteReads,
            Duration period,
            double reclassifyProbability,
            int cacheEntries,
            long seed,
            BTreeOptions btree,
            LsmOptions lsm) {

        public Knobs {
            checkArgument(
                    hotWrites >= 0 && promoteReads >= 0,
                    "thresholds must be non-negative: %s writes, %s reads",
                    hotWrites,
                    promoteReads);
            checkArgument(
                    period != null && !period.isNegative() && !period.isZero(), "period must be positive: %s", period);
            checkArgument(
                    reclassifyProbability >= 0 && reclassifyProbability <= 1,
                    "reclassifyProbability must be within [0, 1]: %s",
                    reclassifyProbability);
            checkArgument(cacheEntries >= 0, "cacheEntries must be non-negative: %s", cacheEntries);
            Objects.requireNonNull(btree, "btree");
            Objects.requireNonNull(lsm, "lsm");
        }

        /** The episode's numbers: 100 writes, 1000 reads, hourly counters, a 1% re-check, 10,000 cached values. */
        public static Knobs defaults() {
            return new Knobs(
                    100, 1000, Duration.ofHours(1), 0.01, 10_000, 42, BTreeOptions.defaults(), LsmOptions.defaults());
        }

        public Knobs withCacheEntries(int n) {
            return new Knobs(hotWrites, promoteReads, period, reclassifyProbability, n, seed, btree, lsm);
        }

        public Knobs withReclassifyProbability(double p) {
            return new Knobs(hotWrites, promoteReads, period, p, cacheEntries, seed, btree, lsm);
        }

        public Knobs withSeed(long s) {
            return new Knobs(hotWrites, promoteReads, period, reclassifyProbability, cacheEntries, s, btree, lsm);
        }

        public Knobs withLsm(LsmOptions options) {
            return new Knobs(
                    hotWrites, promoteReads, period, reclassifyProbability, cacheEntries, seed, btree, options);
        }
    }

    /**
     * Estimated heap bytes of one counter-map entry besides its key's bytes, on a 64-bit JVM with
     * compressed references: the HashMap node (12-byte header, hash, key, value and next: 32 with
     * padding), the {@link Counter} (header, a long and two ints: 32), the {@link Bytes} key (header,
     * array reference, cached hash: 24) and its array's header (16). The table's slots are counted apart.
     */
    static final int COUNTER_ENTRY_OVERHEAD = 32 + 32 + 24 + 16;

    /** A key's counts in one period. */
    private static final class Counter {
        long period;
        int reads;
        int writes;
    }

    private final CountingStorage storage;
    private final Ticker ticker;
    private final Knobs knobs;
    private final BPlusTree btree;
    private final LsmStore lsm;
    private final Map<Bytes, Counter> counters = new HashMap<>();
    private final Set<Bytes> hot = new HashSet<>();
    private final LinkedHashMap<Bytes, Bytes> cache;
    private final SplittableRandom coin;
    private long counterKeyBytes;
    private long migrations;
    private long halfDoneMoves;
    private long cacheHits;
    private long cacheMisses;
    private long userBytesWritten;
    private boolean closed;

    private SimpleHybridStore(CountingStorage storage, Ticker ticker, Knobs knobs, BPlusTree btree, LsmStore lsm) {
        this.storage = storage;
        this.ticker = ticker;
        this.knobs = knobs;
        this.btree = btree;
        this.lsm = lsm;
        this.coin = new SplittableRandom(knobs.seed());
        int capacity = knobs.cacheEntries();
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Bytes, Bytes> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Opens the simple engine in {@code storage} with {@link Knobs#defaults()}; {@code ticker} times the periods. */
    public static SimpleHybridStore open(Storage storage, Ticker ticker) throws IOException {
        return open(storage, ticker, Knobs.defaults());
    }

    /**
     * Opens (or creates) the simple engine in {@code storage}: the B+tree's page file and the LSM
     * tree's files side by side. The routes are rebuilt from the B+tree's keys.
     */
    public static SimpleHybridStore open(Storage storage, Ticker ticker, Knobs knobs) throws IOException {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(knobs, "knobs");
        CountingStorage counting = new CountingStorage(storage);
        BPlusTree btree = BPlusTree.open(counting, knobs.btree());
        LsmStore lsm;
        try {
            lsm = LsmStore.open(counting, knobs.lsm().withBackgroundWork(false));
        } catch (IOException | RuntimeException e) {
            btree.close();
            throw e;
        }
        SimpleHybridStore store = new SimpleHybridStore(counting, ticker, knobs, btree, lsm);
        try (EntryIterator it = btree.scan(null, null)) {
            while (it.hasNext()) {
                store.hot.add(it.next().key());
            }
        }
        return store;
    }

    public Knobs knobs() {
        return knobs;
    }

    // ---------------------------------------------------------------- the store interface

    @Override
    public Optional<Bytes> get(Bytes key) throws IOException {
        KeyValueStore.checkKey(key);
        checkOpen();
        Counter c = count(key);
        c.reads++;
        reclassify(key, c);
        Bytes cached = cache.get(key);
        if (cached != null) {
            cacheHits++;
            return Optional.of(cached);
        }
        cacheMisses++;
        Optional<Bytes> v = engine(key).get(key);
        v.ifPresent(value -> cache.put(key, value));
        return v;
    }

    @Override
    public void put(Bytes key, Bytes value) throws IOException {
        KeyValueStore.checkKey(key);
        KeyValueStore.checkValue(value);
        checkOpen();
        Counter c = count(key);
        c.writes++;
        reclassify(key, c);
        engine(key).put(key, value);
        userBytesWritten += key.length() + value.length();
        if (knobs.cacheEntries() > 0) {
            cache.put(key, value);
        }
    }

    @Override
    public void delete(Bytes key) throws IOException {
        KeyValueStore.checkKey(key);
        checkOpen();
        Counter c = count(key);
        c.writes++;
        reclassify(key, c);
        engine(key).delete(key);
        userBytesWritten += key.length();
        cache.remove(key);
    }

    /**
     * Both engines' live entries, merged: a key is in one engine only, so the merge only orders
     * them (the B+tree's copy would win if a broken move left one in both).
     */
    @Override
    public EntryIterator scan(Bytes from, Bytes to) {
        checkOpen();
        return new MergingIterator(List.of(btree.scan(from, to), lsm.scan(from, to)), false);
    }

    @Override
    public EntryIterator scanReverse(Bytes from, Bytes to) {
        checkOpen();
        return new MergingIterator(List.of(btree.scanReverse(from, to), lsm.scanReverse(from, to)), true);
    }

    /** Forces the LSM tree's log and checkpoints the B+tree. The routes stay in memory only. */
    @Override
    public void sync() throws IOException {
        checkOpen();
        lsm.sync();
        btree.sync();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lsm.close();
        } finally {
            btree.close();
        }
    }

    // ---------------------------------------------------------------- routing

    /** {@link Tier#CACHE} if the LRU cache holds the key, else the engine it is routed to, or {@link Tier#NONE}. */
    @Override
    public Tier where(Bytes key) throws IOException {
        KeyValueStore.checkKey(key);
        checkOpen();
        if (cache.containsKey(key)) {
            return Tier.CACHE;
        }
        if (hot.contains(key)) {
            return btree.get(key).isPresent() ? Tier.HOT : Tier.NONE;
        }
        return lsm.get(key).isPresent() ? Tier.COLD : Tier.NONE;
    }

    /** The engine {@code key} is routed to now. */
    public Placement placement(Bytes key) {
        return hot.contains(key) ? Placement.HOT : Placement.COLD;
    }

    /**
     * Nothing: the simple engine does all of its work on the request path (moves, counter resets,
     * the LSM tree's flushes and compactions). Scenarios call it anyway, as they do for every engine.
     */
    @Override
    public void runMaintenance() {
        checkOpen();
    }

    @Override
    public HybridStats stats() {
        long hotBytes = 0;
        long coldBytes = 0;
        try {
            for (String name : storage.list()) {
                long size = storage.size(name);
                if (name.startsWith(BPlusTree.FILE_NAME)) {
                    hotBytes += size;
                } else {
                    coldBytes += size;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("listing " + storage.describe(""), e);
        }
        return new HybridStats(
                migrations,
                0,
                hot.size(),
                halfDoneMoves,
                trackerBytes(),
                cache.size(),
                cacheHits,
                cacheMisses,
                hotBytes,
                coldBytes,
                0,
                userBytesWritten,
                storage.bytesWritten());
    }

    /**
     * An estimate of the counter map's heap footprint: {@link #COUNTER_ENTRY_OVERHEAD} and the key's
     * bytes (rounded up to 8) per entry, plus a 4-byte slot per entry of the hash table, which holds
     * at least 4/3 slots per entry. It grows with every key ever seen.
     */
    long trackerBytes() {
        long entries = counters.size();
        long slots = Math.max(16, Long.highestOneBit(Math.max(1, (long) Math.ceil(entries / 0.75)) * 2 - 1));
        return entries * COUNTER_ENTRY_OVERHEAD + counterKeyBytes + 4 * slots;
    }

    /** The key's counter, started again from zero if it is from an earlier period. */
    private Counter count(Bytes key) {
        long period = ticker.read() / knobs.period().toNanos();
        Counter c = counters.get(key);
        if (c == null) {
            c = new Counter();
            Bytes own = Bytes.copyOf(key.toByteArray()); // the map keeps its own copy of every key
            counters.put(own, c);
            counterKeyBytes += (own.length() + 7) & ~7;
        }
        if (c.period != period) {
            c.period = period;
            c.reads = 0;
            c.writes = 0;
        }
        return c;
    }

    private boolean isHot(Counter c) {
        return c.writes > knobs.hotWrites() || c.reads > knobs.promoteReads();
    }

    /** Promotes a cold key over a threshold; with the re-check's probability, demotes a hot key under both. */
    private void reclassify(Bytes key, Counter c) throws IOException {
        boolean routedHot = hot.contains(key);
        if (!routedHot && isHot(c)) {
            move(key, Placement.HOT);
        } else if (routedHot && coin.nextDouble() < knobs.reclassifyProbability() && !isHot(c)) {
            move(key, Placement.COLD);
        }
    }

    /** Moves {@code key} inline: read from the old engine, put in the new one, delete from the old, switch the route. */
    private void move(Bytes key, Placement to) throws IOException {
        KeyValueStore from = to == Placement.HOT ? lsm : btree;
        KeyValueStore into = to == Placement.HOT ? btree : lsm;
        Optional<Bytes> value = from.get(key);
        if (value.isPresent()) {
            into.put(key, value.get()); // the B+tree refuses a value over a quarter page here
            try {
                from.delete(key);
            } catch (IOException | RuntimeException e) {
                halfDoneMoves++; // now in both engines
                throw e;
            }
        }
        if (to == Placement.HOT) {
            hot.add(key);
        } else {
            hot.remove(key);
        }
        migrations++;
    }

    private KeyValueStore engine(Bytes key) {
        return hot.contains(key) ? btree : lsm;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the store is closed");
        }
    }

    @Override
    public String toString() {
        return "SimpleHybridStore(" + storage + ")";
    }
}
