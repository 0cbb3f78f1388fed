package dev.storagelab.hybrid.cache.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.hybrid.cache.LruPolicy;
import dev.storagelab.hybrid.cache.ReplacementPolicy;
import dev.storagelab.hybrid.cache.WriteBackCache;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the write-back cache (lab-07 T4): random writes, deletes, reads (a miss reads the
 * engines and fills), flushes and invalidations, under LRU and a random eviction policy, against a {@link TreeMap}
 * model and a sink that applies its batches to a second TreeMap (the engines) and checks them:
 * every read answers the newest value, the engines overlaid with the dirty entries always equal the
 * model, every batch is sorted, every acknowledged write reaches the sink exactly once per dirty
 * period, evicted dirty entries are written in the call that evicts them, a failing sink keeps the
 * entries dirty; the flush threshold, fill against dirty entries, many threads, dirtyRange and the
 * statistics.
 */
@Tag("hidden")
class WriteBackCacheHiddenTest {

    /** 0-3 put, 4-5 delete, 6-9 read, 10 flush, 11 invalidate, 12 toggle the sink's failure. */
    record Op(int kind, int key, int value) {
        @Override
        public String toString() {
            return switch (kind) {
                case 0, 1, 2, 3 -> "put k" + key + "=" + value;
                case 4, 5 -> "delete k" + key;
                case 6, 7, 8, 9 -> "read k" + key;
                case 10 -> "flush";
                case 11 -> "invalidate k" + key;
                default -> "toggle sink failure";
            };
        }
    }

    private static final int KEYS = 12;

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 11),
                        Arbitraries.integers().between(0, KEYS - 1),
                        Arbitraries.integers().between(0, 99))
                .as(Op::new)
                .list()
                .ofMinSize(1)
                .ofMaxSize(300);
    }

    @Provide
    Arbitrary<List<Op>> opsWithFailures() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, 12),
                        Arbitraries.integers().between(0, KEYS - 1),
                        Arbitraries.integers().between(0, 99))
                .as(Op::new)
                .list()
                .ofMinSize(1)
                .ofMaxSize(300);
    }

    /**
     * The policies the cache is tested under: the given LRU, a seeded random eviction (any resident
     * key may go: orders LRU never produces), and one that evicts up to three keys on a miss. None
     * is student code, so a broken ARC (T3) does not fail these T4 tests.
     */
    @Provide
    Arbitrary<String> policies() {
        return Arbitraries.of("lru", "random", "random-3");
    }

    static ReplacementPolicy<Bytes> policy(String name, int capacity) {
        return switch (name) {
            case "random" -> new RandomEvictionPolicy<>(capacity, capacity * 31L, 1);
            case "random-3" -> new RandomEvictionPolicy<>(capacity, capacity * 31L, 3);
            default -> new LruPolicy<>(capacity);
        };
    }

    static Bytes key(int k) {
        return Bytes.of(String.format("k%02d", k));
    }

    /** The model, the engines behind the sink, and the checks between them. */
    static final class Harness implements WriteBackCache.Sink {
        final TreeMap<Bytes, Bytes> model = new TreeMap<>();
        final TreeMap<Bytes, Bytes> engines = new TreeMap<>();
        /** Per key, its newest write not yet in any batch the sink accepted. */
        final Map<Bytes, Entry> pending = new HashMap<>();

        final List<List<Entry>> batches = new ArrayList<>();
        final ReplacementPolicy<Bytes> policy;
        final WriteBackCache cache;
        final int maxDirty;
        final boolean checkOnce;
        boolean failing;
        int sinkCalls;
        int sinkFailures;
        String step = "start";

        Harness(String policyName, int capacity, int maxDirty, boolean checkOnce) {
            this.policy = policy(policyName, capacity);
            this.maxDirty = maxDirty;
            this.checkOnce = checkOnce;
            this.cache = new WriteBackCache(policy, maxDirty, this);
        }

        @Override
        public void write(List<Entry> sortedBatch) throws IOException {
            sinkCalls++;
            if (failing) {
                sinkFailures++;
                throw new IOException("the engines are failing (test)");
            }
            assertThat(step + ": the sink got an empty batch", sortedBatch.isEmpty(), equalTo(false));
            for (int i = 1; i < sortedBatch.size(); i++) {
                assertThat(
                        step + ": a batch not sorted by key, or with a key twice: " + sortedBatch,
                        sortedBatch
                                        .get(i - 1)
                                        .key()
                                        .compareTo(sortedBatch.get(i).key())
                                < 0,
                        equalTo(true));
            }
            for (Entry e : sortedBatch) {
                if (checkOnce) {
                    Entry newest = pending.get(e.key());
                    assertThat(
                            step + ": " + e
                                    + " reached the sink though no write of it was pending (written twice in one "
                                    + "dirty period, or a clean entry written)",
                            newest == null,
                            equalTo(false));
                    assertThat(step + ": the sink got an older write than the newest", e, equalTo(newest));
                }
                pending.remove(e.key());
                if (e.isTombstone()) {
                    engines.remove(e.key());
                } else {
                    engines.put(e.key(), e.value());
                }
            }
            batches.add(List.copyOf(sortedBatch));
        }

        /** Applies {@code op}; returns the batches the sink accepted during it. */
        List<List<Entry>> apply(Op op) {
            step = op.toString();
            int batchesBefore = batches.size();
            int failuresBefore = sinkFailures;
            boolean threw = false;
            try {
                switch (op.kind()) {
                    case 0, 1, 2, 3, 4, 5 -> {
                        Entry e = op.kind() <= 3
                                ? Entry.put(key(op.key()), Bytes.of("v" + op.value()))
                                : Entry.tombstone(key(op.key()));
                        if (e.isTombstone()) {
                            model.remove(e.key());
                        } else {
                            model.put(e.key(), e.value());
                        }
                        pending.put(e.key(), e);
                        cache.write(e);
                    }
                    case 6, 7, 8, 9 -> {
                        Bytes k = key(op.key());
                        WriteBackCache.Lookup l = cache.get(k);
                        if (l != null) {
                            assertThat(
                                    step + ": a cache hit answered a stale value",
                                    l.value(),
                                    equalTo(Optional.ofNullable(model.get(k))));
                        } else {
                            assertThat(
                                    step + ": a miss, but the engines do not have the newest value (a dirty entry was "
                                            + "dropped or a write was not kept)",
                                    engines.get(k),
                                    equalTo(model.get(k)));
                            cache.fill(k, Optional.ofNullable(engines.get(k)));
                        }
                    }
                    case 10 -> cache.flush();
                    case 11 -> {
                        boolean wasDirty = cache.isDirty(key(op.key()));
                        cache.invalidate(key(op.key()));
                        assertThat(
                                step + ": invalidate dropped a dirty entry",
                                cache.isDirty(key(op.key())),
                                equalTo(wasDirty));
                    }
                    default -> failing = !failing;
                }
            } catch (IOException e) {
                threw = true;
                assertThat(
                        step + ": an IOException though the sink did not fail: " + e,
                        sinkFailures > failuresBefore,
                        equalTo(true));
            }
            if (sinkFailures > failuresBefore) {
                assertThat(step + ": the sink failed but the IOException was swallowed", threw, equalTo(true));
            }
            return batches.subList(batchesBefore, batches.size());
        }

        /** The engines overlaid with the cache's dirty entries equal the model; the dirty keys are the pending ones. */
        void checkNothingLost() {
            TreeMap<Bytes, Bytes> overlay = new TreeMap<>(engines);
            TreeMap<Bytes, Entry> dirty = new TreeMap<>();
            for (Entry e : cache.dirtyRange(null, null)) {
                dirty.put(e.key(), e);
                if (e.isTombstone()) {
                    overlay.remove(e.key());
                } else {
                    overlay.put(e.key(), e.value());
                }
            }
            assertThat(
                    step + ": the engines and the dirty entries together are not the writes acknowledged (a dirty "
                            + "entry dropped, or written stale)",
                    overlay,
                    equalTo(model));
            assertThat(
                    step + ": the dirty entries are not exactly the writes the sink has not accepted",
                    dirty.keySet(),
                    equalTo(new TreeMap<>(pending).keySet()));
        }

        /** A last flush with a working sink leaves the engines equal to the model. */
        void finish() throws IOException {
            failing = false;
            step = "the final flush";
            cache.flush();
            assertThat("after the final flush, the engines are not the model", engines, equalTo(model));
            assertThat(
                    "after the final flush, writes never reached the sink: " + pending.values(),
                    pending.isEmpty(),
                    equalTo(true));
            assertThat(cache.dirtyCount(), equalTo(0));
        }
    }

    @Property(tries = 300)
    @Graded(
            task = "T4",
            points = 4,
            concept =
                    "the write-back cache returns a stale value or loses a write: against a TreeMap given the "
                            + "same writes, deletes, reads with fills, flushes and invalidations, a read or the engines disagree")
    void matchesATreeMapModel(
            @ForAll("ops") List<Op> ops,
            @ForAll("policies") String policy,
            @ForAll @IntRange(min = 1, max = 6) int capacity,
            @ForAll @IntRange(min = 1, max = 8) int maxDirty)
            throws IOException {
        Harness h = new Harness(policy, capacity, maxDirty, false);
        for (Op op : ops) {
            h.apply(op);
            h.checkNothingLost();
            assertThat(
                    h.step + ": more than maxDirty = " + maxDirty + " dirty entries after the call",
                    h.cache.dirtyCount(),
                    lessThanOrEqualTo(maxDirty));
            assertThat(
                    h.step + ": more entries than the policy's capacity", h.cache.size(), lessThanOrEqualTo(capacity));
            if (op.kind() == 10) {
                assertThat(h.step + ": dirty entries left after a flush", h.cache.dirtyCount(), equalTo(0));
            }
        }
        h.finish();
    }

    @Property(tries = 300)
    @Graded(
            task = "T4",
            points = 3,
            concept = "an acknowledged write does not reach the sink exactly once per dirty period (written "
                    + "twice, a clean entry rewritten, an older value sent, or a batch not sorted by key)")
    void everyWriteReachesTheSinkExactlyOncePerDirtyPeriod(
            @ForAll("ops") List<Op> ops,
            @ForAll("policies") String policy,
            @ForAll @IntRange(min = 1, max = 8) int capacity,
            @ForAll @IntRange(min = 1, max = 10) int maxDirty)
            throws IOException {
        Harness h = new Harness(policy, capacity, maxDirty, true);
        for (Op op : ops) {
            h.apply(op);
        }
        h.finish();
    }

    @Property(tries = 300)
    @Graded(
            task = "T4",
            points = 3,
            concept = "evicting a dirty entry drops it, or does not write it (as one sorted batch of the call's "
                    + "evicted dirty entries) before the call returns")
    void evictedDirtyEntriesAreWrittenInTheCallThatEvictsThem(
            @ForAll("ops") List<Op> ops,
            @ForAll("policies") String policy,
            @ForAll @IntRange(min = 1, max = 5) int capacity)
            throws IOException {
        Harness h = new Harness(policy, capacity, 1_000, true);
        long evictedDirty = 0;
        for (Op op : ops) {
            if (op.kind() == 10) {
                continue; // no flushes: only evictions write
            }
            List<List<Entry>> during = h.apply(op);
            assertThat(h.step + ": more than one batch in one call: " + during, during.size(), lessThanOrEqualTo(1));
            for (List<Entry> batch : during) {
                for (Entry e : batch) {
                    assertThat(
                            h.step + ": " + e + " was written but is still resident (only evicted entries are written "
                                    + "below maxDirty)",
                            h.policy.contains(e.key()),
                            equalTo(false));
                    evictedDirty++;
                }
            }
            h.checkNothingLost();
            assertThat(h.step + ": dirtyEvictions", h.cache.stats().dirtyEvictions(), equalTo(evictedDirty));
        }
        h.finish();
    }

    @Property(tries = 300)
    @Graded(
            task = "T4",
            points = 3,
            concept = "a failing sink loses dirty entries (they must stay dirty, readable, and be written by a "
                    + "later flush), or its IOException is swallowed")
    void aFailingSinkKeepsEverythingDirtyUntilALaterFlush(
            @ForAll("opsWithFailures") List<Op> ops,
            @ForAll("policies") String policy,
            @ForAll @IntRange(min = 1, max = 5) int capacity,
            @ForAll @IntRange(min = 1, max = 6) int maxDirty)
            throws IOException {
        Harness h = new Harness(policy, capacity, maxDirty, true);
        for (Op op : ops) {
            h.apply(op);
            h.checkNothingLost();
        }
        h.finish();
        for (int k = 0; k < KEYS; k++) {
            WriteBackCache.Lookup l = h.cache.get(key(k));
            if (l != null) {
                assertThat(
                        "after the final flush, key " + k,
                        l.value(),
                        equalTo(Optional.ofNullable(h.model.get(key(k)))));
            }
        }
        assertThat(
                "entries held after the final flush (orphans must leave once written)",
                h.cache.size(),
                lessThanOrEqualTo(capacity));
    }

    @Test
    @Graded(
            task = "T4",
            points = 2,
            concept = "the cache does not flush exactly when more than maxDirty entries are dirty (too early, "
                    + "too late, or counting a rewrite of a dirty key as a new dirty entry)")
    void flushesExactlyWhenMoreThanMaxDirtyEntriesAreDirty() throws IOException {
        for (int maxDirty = 1; maxDirty <= 40; maxDirty++) {
            List<List<Entry>> batches = new ArrayList<>();
            WriteBackCache cache = new WriteBackCache(new LruPolicy<>(1_000), maxDirty, batches::add);
            for (int i = 0; i < maxDirty; i++) {
                cache.write(Entry.put(key(i), Bytes.of("a")));
                cache.write(Entry.put(key(i), Bytes.of("b")));
                cache.write(Entry.put(key(0), Bytes.of("c")));
            }
            assertThat(
                    "maxDirty = " + maxDirty + ": " + maxDirty + " dirty keys, rewritten: no flush yet",
                    batches,
                    empty());
            cache.write(Entry.tombstone(key(maxDirty)));
            assertThat(
                    "maxDirty = " + maxDirty + ": the write that makes it " + (maxDirty + 1) + " flushes once",
                    batches.size(),
                    equalTo(1));
            assertThat(batches.get(0).size(), equalTo(maxDirty + 1));
            assertThat(batches.get(0).get(0), equalTo(Entry.put(key(0), Bytes.of("c"))));
            assertThat(cache.dirtyCount(), equalTo(0));
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 2,
            concept =
                    "fill overwrites a dirty entry with the engines' older value (also an entry whose eviction "
                            + "write failed, or the clean entry a flush left), or a flushed entry is not kept clean for the next read")
    void fillNeverOverwritesADirtyEntry() throws IOException {
        AtomicBoolean failing = new AtomicBoolean();
        List<List<Entry>> batches = new ArrayList<>();
        WriteBackCache cache = new WriteBackCache(new LruPolicy<>(2), 100, batch -> {
            if (failing.get()) {
                throw new IOException("failing (test)");
            }
            batches.add(batch);
        });
        cache.write(Entry.put(key(1), Bytes.of("new")));
        cache.fill(key(1), Optional.of(Bytes.of("old")));
        assertThat(cache.get(key(1)).value(), equalTo(Optional.of(Bytes.of("new"))));
        failing.set(true);
        cache.write(Entry.put(key(2), Bytes.of("x")));
        assertThrows(
                IOException.class, () -> cache.write(Entry.put(key(3), Bytes.of("y")))); // evicts key 1, write fails
        cache.fill(key(1), Optional.of(Bytes.of("old")));
        assertThat(
                "the unwritten evicted entry is newer than the engines",
                cache.get(key(1)).value(),
                equalTo(Optional.of(Bytes.of("new"))));
        failing.set(false);
        cache.flush();
        assertThat(batches.size(), equalTo(1));
        assertThat(batches.get(0).get(0), equalTo(Entry.put(key(1), Bytes.of("new"))));
        assertThat(
                "a flushed resident entry stays cached, clean",
                cache.get(key(3)).value(),
                equalTo(Optional.of(Bytes.of("y"))));
        cache.fill(key(3), Optional.of(Bytes.of("y0")));
        assertThat(
                "a fill racing a flushed write must not replace the clean entry the flush left",
                cache.get(key(3)).value(),
                equalTo(Optional.of(Bytes.of("y"))));
        cache.write(Entry.tombstone(key(3)));
        cache.fill(key(3), Optional.of(Bytes.of("resurrected")));
        assertThat(cache.get(key(3)).value(), equalTo(Optional.empty()));
    }

    @Test
    @Graded(
            task = "T4",
            points = 2,
            concept = "the write-back cache is not thread-safe: concurrent writes, reads and flushes lose a "
                    + "write, call the sink concurrently, or send an unsorted batch")
    void manyThreadsLoseNothing() throws Exception {
        int threads = 4;
        int perThread = 3_000;
        AtomicBoolean inSink = new AtomicBoolean();
        TreeMap<Bytes, Bytes> engines = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        WriteBackCache cache = new WriteBackCache(new LruPolicy<>(64), 16, batch -> {
            if (!inSink.compareAndSet(false, true)) {
                problems.add("two sink calls at once");
            }
            for (int i = 1; i < batch.size(); i++) {
                if (batch.get(i - 1).key().compareTo(batch.get(i).key()) >= 0) {
                    problems.add("unsorted batch " + batch);
                }
            }
            for (Entry e : batch) {
                engines.put(e.key(), e.value());
            }
            inSink.set(false);
        });
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Map<Bytes, Bytes>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            results.add(pool.submit(() -> {
                SplittableRandom random = new SplittableRandom(id);
                Map<Bytes, Bytes> last = new HashMap<>();
                for (int i = 0; i < perThread; i++) {
                    Bytes k = Bytes.of("t" + id + "-" + random.nextInt(200));
                    Bytes v = Bytes.of("v" + i);
                    cache.write(Entry.put(k, v));
                    last.put(k, v);
                    if (random.nextInt(10) == 0) {
                        Bytes r = Bytes.of("t" + id + "-" + random.nextInt(200));
                        WriteBackCache.Lookup l = cache.get(r);
                        if (l != null && !l.value().equals(Optional.ofNullable(last.get(r)))) {
                            throw new AssertionError(
                                    "thread " + id + " read " + l + " for " + r + ", wrote " + last.get(r));
                        }
                    }
                    if (random.nextInt(100) == 0) {
                        cache.flush();
                    }
                }
                return last;
            }));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS), equalTo(true));
        Map<Bytes, Bytes> expected = new TreeMap<>();
        for (Future<Map<Bytes, Bytes>> f : results) {
            expected.putAll(f.get());
        }
        cache.flush();
        assertThat(problems, empty());
        assertThat(engines, equalTo(expected));
    }

    @Property(tries = 200)
    @Graded(
            task = "T4",
            points = 1,
            concept = "dirtyRange does not return exactly the dirty entries in [from, to), sorted, tombstones "
                    + "included")
    void dirtyRangeIsTheDirtyEntriesInTheRange(
            @ForAll("ops") List<Op> ops,
            @ForAll @IntRange(min = -1, max = KEYS) int from,
            @ForAll @IntRange(min = -1, max = KEYS) int to)
            throws IOException {
        Harness h = new Harness("random", 6, 8, false);
        for (Op op : ops) {
            h.apply(op);
        }
        Bytes lo = from < 0 ? null : key(from);
        Bytes hi = to < 0 ? null : key(Math.max(from, to));
        List<Entry> expected = new ArrayList<>();
        for (Entry e : new TreeMap<>(h.pending).values()) {
            if ((lo == null || e.key().compareTo(lo) >= 0)
                    && (hi == null || e.key().compareTo(hi) < 0)) {
                expected.add(e);
            }
        }
        assertThat("dirtyRange(" + lo + ", " + hi + ")", h.cache.dirtyRange(lo, hi), equalTo(expected));
    }

    @Property(tries = 200)
    @Graded(
            task = "T4",
            points = 1,
            concept = "the write-back cache's statistics do not add up (flushes and entries flushed against the "
                    + "sink's batches, hits and misses against the reads, size and dirty against the entries held)")
    void theStatisticsAddUp(
            @ForAll("ops") List<Op> ops,
            @ForAll("policies") String policy,
            @ForAll @IntRange(min = 1, max = 6) int capacity)
            throws IOException {
        Harness h = new Harness(policy, capacity, 4, false);
        long reads = 0;
        for (Op op : ops) {
            h.apply(op);
            if (op.kind() >= 6 && op.kind() <= 9) {
                reads++;
            }
        }
        WriteBackCache.Stats s = h.cache.stats();
        assertThat("hits + misses", s.hits() + s.misses(), equalTo(reads));
        assertThat("flushes", s.flushes(), equalTo((long) h.batches.size()));
        assertThat(
                "entries flushed",
                s.entriesFlushed(),
                equalTo(h.batches.stream().mapToLong(List::size).sum()));
        assertThat("dirty evictions <= evictions", s.dirtyEvictions(), lessThanOrEqualTo(s.evictions()));
        assertThat("dirty", s.dirty(), equalTo(h.pending.size()));
        assertThat("size", s.size(), equalTo(h.cache.size()));
        assertThat("size <= capacity", s.size(), lessThanOrEqualTo(capacity));
        assertThat(h.cache.get(key(KEYS + 1)), nullValue());
        assertThat("a miss counted", h.cache.stats().misses(), equalTo(s.misses() + 1));
    }
}
