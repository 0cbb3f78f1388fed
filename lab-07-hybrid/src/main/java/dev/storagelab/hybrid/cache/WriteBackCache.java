package dev.storagelab.hybrid.cache;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The RAM cache in front of the engines: it answers reads of the keys its {@link ReplacementPolicy}
 * keeps resident, and holds writes back. A write only marks its key <b>dirty</b> in the cache; the
 * dirty entries reach the engines (through the {@link Sink}) later, all at once, in <b>one batch
 * sorted by key</b>: when more than {@code maxDirty} are dirty, at a {@link #flush()}, or when the
 * policy evicts a dirty key. Many small random writes become one sorted batch, which a B+tree
 * applies leaf by leaf and an LSM tree as one run, and a key written ten times between flushes
 * reaches the engines once.
 *
 * <p>Holding writes back is safe only because the write-ahead log above the cache already holds
 * every acknowledged write: a crash loses the cache, never a write. Inside the cache the rule is
 * <b>nothing dirty is ever dropped</b>: an evicted dirty entry is written before it goes, and if the
 * sink fails, every entry it was given stays dirty (and readable) until a later flush succeeds.
 *
 * <p>An entry is a key and its answer: a value, or absent (a tombstone: the key is deleted, or the
 * engines do not have it). The resident keys are exactly the policy's; a dirty entry whose eviction
 * write failed stays in the cache outside the policy (an <i>orphan</i>) until a flush writes it.
 * All methods are {@code synchronized}; the sink is called under the cache's lock, so it must not
 * call back into the cache.
 */
public final class WriteBackCache {

    /** Where dirty entries go: one call per batch, its entries sorted by key, tombstones for deletes. */
    @FunctionalInterface
    public interface Sink {
        void write(List<Entry> sortedBatch) throws IOException;
    }

    /** A cached answer: the value, or empty if the key is cached as absent (deleted). */
    public record Lookup(Optional<Bytes> value) {}

    /**
     * What the cache did since it was created.
     *
     * @param hits             gets answered from the cache
     * @param misses           gets the cache could not answer
     * @param evictions        resident entries the policy evicted, clean or dirty
     * @param dirtyEvictions   of those, the dirty ones (each written to the sink before it went)
     * @param flushes          batches the sink accepted (flushes and eviction writes; an empty flush
     *                         calls no sink and is not counted)
     * @param entriesFlushed   entries in those batches
     * @param size             entries held now (resident, and orphans)
     * @param dirty            of those, the dirty ones
     */
    public record Stats(
            long hits,
            long misses,
            long evictions,
            long dirtyEvictions,
            long flushes,
            long entriesFlushed,
            int size,
            int dirty) {

        /** Hits over gets, 0 before the first get. */
        public double hitRate() {
            long gets = hits + misses;
            return gets == 0 ? 0 : (double) hits / gets;
        }
    }

    private static final Comparator<Entry> BY_KEY = Comparator.comparing(Entry::key);

    private final ReplacementPolicy<Bytes> policy;
    private volatile int maxDirty;
    private final Sink sink;
    /** The clean entries; every key here is resident in the policy. */
    private final Map<Bytes, Entry> clean = new HashMap<>();
    /** The dirty entries, sorted: resident ones, and orphans (evicted, their write failed). No key is in both maps. */
    private final TreeMap<Bytes, Entry> dirty = new TreeMap<>();

    private long hits;
    private long misses;
    private long evictions;
    private long dirtyEvictions;
    private long flushes;
    private long entriesFlushed;

    /**
     * A cache whose residency {@code policy} decides, flushing to {@code sink} when more than
     * {@code maxDirty} entries are dirty.
     *
     * @throws IllegalArgumentException if {@code policy} or {@code sink} is null, the policy is not
     *                                  empty, or {@code maxDirty < 1}
     */
    public WriteBackCache(ReplacementPolicy<Bytes> policy, int maxDirty, Sink sink) {
        checkArgument(policy != null, "policy must not be null");
        checkArgument(policy.size() == 0, "the policy must start empty: it holds %s keys", policy.size());
        checkArgument(maxDirty >= 1, "maxDirty must be at least 1: %s", maxDirty);
        checkArgument(sink != null, "sink must not be null");
        this.policy = policy;
        this.maxDirty = maxDirty;
        this.sink = sink;
    }

    /**
     * The cached answer for {@code key}, or null on a miss. A hit is a reference to the policy (it
     * makes the key recent or frequent); a miss is not: the caller reads the engines and then
     * {@link #fill}s the answer, and that reference admits the key. An orphan (see the class
     * comment) is a hit without a reference. Counted in {@link #stats()}.
     */
    public synchronized Lookup get(Bytes key) throws IOException {
        checkArgument(key != null, "key must not be null");
        Entry e = dirty.get(key);
        if (e == null) {
            e = clean.get(key);
        }
        if (e == null) {
            misses++;
            return null;
        }
        hits++;
        if (policy.contains(key)) {
            policy.reference(key, k -> {
                throw new IllegalStateException("policy " + policy.name() + " evicted " + k + " on a hit of " + key);
            });
        }
        return new Lookup(Optional.ofNullable(e.value()));
    }

    /**
     * Caches a clean answer read from the engines after a miss: {@code value}, or empty if the
     * engines do not have the key. If the cache holds {@code key} by now (another thread wrote or
     * filled it since the miss), nothing happens: a dirty entry is newer than anything the engines
     * hold, and a clean one is what the engines held when it was cached, which {@link #invalidate}
     * would have dropped had the engines' copy changed since. Otherwise the key is referenced (and
     * admitted), and the keys the policy evicts for it are handled as {@link #writeEvicted} says.
     *
     * <p>One race stays with the caller: a write of {@code key} that is flushed <em>and</em>
     * evicted between the caller's read of the engines and this fill leaves nothing here to
     * refuse the older value, so a caller whose reads can overlap writes of the same key orders
     * them (a lock per key, or the engine's read-write lock).
     *
     * @throws IOException if writing an evicted dirty entry failed (the filled entry is cached anyway)
     */
    public synchronized void fill(Bytes key, Optional<Bytes> value) throws IOException {
        checkArgument(key != null, "key must not be null");
        checkArgument(value != null, "value must not be null (Optional.empty() caches the key as absent)");
        if (dirty.containsKey(key) || clean.containsKey(key)) {
            return;
        }
        clean.put(key, new Entry(key, value.orElse(null)));
        writeEvicted(reference(key));
    }

    /**
     * Writes {@code entry} (a tombstone deletes) into the cache, dirty: it replaces whatever the
     * cache held for its key (clean or dirty), and the key is referenced (admitted if it was not
     * resident). Then, in this order:
     * <ol>
     *   <li>the keys the policy evicted for it are handled as {@link #writeEvicted} says (dirty ones
     *       written as one sorted batch);</li>
     *   <li>if more than {@code maxDirty} entries are now dirty, {@link #flush()}.</li>
     * </ol>
     * A key written many times before a flush is one dirty entry: only its newest value reaches the
     * sink.
     *
     * @throws IOException if the sink failed; the write took effect in the cache all the same (its
     *                     entry is dirty and readable), and nothing dirty was dropped
     */
    public synchronized void write(Entry entry) throws IOException {
        checkArgument(entry != null, "entry must not be null");
        // BEGIN SOLUTION lab-07 T4
        Bytes key = entry.key();
        clean.remove(key);
        dirty.put(key, entry);
        writeEvicted(reference(key));
        if (dirty.size() > maxDirty) {
            flush();
        }
        // END SOLUTION
    }

    /**
     * Writes every dirty entry (orphans included) to the sink in one batch sorted by key, then makes
     * them clean: the resident ones stay cached as clean entries, the orphans leave the cache. With
     * nothing dirty it does nothing (the sink is not called). If the sink throws, every entry stays
     * dirty, so the next flush writes them again, and the IOException propagates. Counted in
     * {@link #stats()} ({@link Stats#flushes()}, {@link Stats#entriesFlushed()}).
     */
    public synchronized void flush() throws IOException {
        // BEGIN SOLUTION lab-07 T4
        if (dirty.isEmpty()) {
            return;
        }
        List<Entry> batch = List.copyOf(dirty.values());
        writeBatch(batch);
        for (Entry e : batch) {
            if (policy.contains(e.key())) {
                clean.put(e.key(), e);
            }
        }
        dirty.clear();
        // END SOLUTION
    }

    /**
     * Handles the keys the policy just evicted in one call (the list {@link #reference} returned):
     * a clean entry simply leaves the cache; the dirty ones are written to the sink as <b>one</b>
     * batch sorted by key ({@link #writeBatch}), and leave the cache once the sink accepted them. If
     * the sink throws they stay dirty, as orphans (readable, no longer resident), so the next flush
     * writes them, and the IOException propagates. No evicted dirty entry: no sink call.
     */
    private void writeEvicted(List<Bytes> evicted) throws IOException {
        // BEGIN SOLUTION lab-07 T4
        List<Entry> batch = new ArrayList<>();
        for (Bytes k : evicted) {
            if (clean.remove(k) == null) {
                Entry e = dirty.get(k);
                if (e != null) {
                    batch.add(e);
                }
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        batch.sort(BY_KEY);
        writeBatch(batch);
        for (Entry e : batch) {
            dirty.remove(e.key());
        }
        // END SOLUTION
    }

    /**
     * References {@code key} in the policy and returns the keys it evicted (usually none or one),
     * counting them in {@link Stats#evictions()} and the dirty ones in {@link Stats#dirtyEvictions()}.
     */
    private List<Bytes> reference(Bytes key) {
        List<Bytes> evicted = new ArrayList<>(1);
        policy.reference(key, evicted::add);
        for (Bytes k : evicted) {
            evictions++;
            if (dirty.containsKey(k)) {
                dirtyEvictions++;
            }
        }
        return evicted;
    }

    /** Hands {@code sortedBatch} to the sink and counts it once the sink returned. */
    private void writeBatch(List<Entry> sortedBatch) throws IOException {
        sink.write(Collections.unmodifiableList(sortedBatch));
        flushes++;
        entriesFlushed += sortedBatch.size();
    }

    /** The dirty entries with {@code from <= key < to} (null: unbounded), sorted, tombstones included: what a scan merges first. */
    public synchronized List<Entry> dirtyRange(Bytes from, Bytes to) {
        NavigableMap<Bytes, Entry> range;
        if (from == null && to == null) {
            range = dirty;
        } else if (from == null) {
            range = dirty.headMap(to, false);
        } else if (to == null) {
            range = dirty.tailMap(from, true);
        } else {
            checkArgument(from.compareTo(to) <= 0, "range start %s is after its end %s", from, to);
            range = dirty.subMap(from, true, to, false);
        }
        List<Entry> out = new ArrayList<>();
        for (Entry e : range.values()) { // one pass: a sub-map's size() walks it, as List.copyOf would
            out.add(e);
        }
        return out;
    }

    /**
     * Drops {@code key}'s entry if it is clean (a dirty one stays: it is newer than the engines):
     * what the engine calls when the engines' copy of a key changed behind the cache. The policy
     * forgets the key too.
     */
    public synchronized void invalidate(Bytes key) {
        checkArgument(key != null, "key must not be null");
        if (clean.remove(key) != null) {
            policy.remove(key);
        }
    }

    /**
     * At most {@code limit} dirty entries of {@code [from, to)} (null: unbounded), tombstones
     * included: the smallest ones in increasing key order, or with {@code descending} the largest
     * ones in decreasing order. What a scan reads a chunk at a time instead of copying the whole
     * dirty range. The chunk carries {@link #sinkWrites()} as of the same moment, so the scan can
     * tell whether dirty entries left the cache since it opened its other iterators.
     */
    public synchronized DirtyChunk dirtyChunk(Bytes from, Bytes to, boolean descending, int limit) {
        checkArgument(limit >= 1, "limit must be at least 1: %s", limit);
        NavigableMap<Bytes, Entry> range;
        if (from == null && to == null) {
            range = dirty;
        } else if (from == null) {
            range = dirty.headMap(to, false);
        } else if (to == null) {
            range = dirty.tailMap(from, true);
        } else {
            if (from.compareTo(to) >= 0) {
                return new DirtyChunk(new ArrayList<>(), flushes);
            }
            range = dirty.subMap(from, true, to, false);
        }
        List<Entry> out = new ArrayList<>(Math.min(limit, 64));
        for (Entry e : descending ? range.descendingMap().values() : range.values()) {
            if (out.size() == limit) {
                break;
            }
            out.add(e);
        }
        return new DirtyChunk(out, flushes);
    }

    /** A chunk of dirty entries, and the sink calls made before it was read. */
    public record DirtyChunk(List<Entry> entries, long sinkWrites) {}

    /** Sink calls so far: it changes whenever dirty entries are about to leave the dirty set (a flush, a dirty eviction). */
    public synchronized long sinkWrites() {
        return flushes;
    }

    /**
     * The cached answer for {@code key}, or null if it is not cached, without counting a hit or a
     * miss and without a reference to the policy: what the shell's {@code where} asks.
     */
    public synchronized Lookup peek(Bytes key) {
        Entry e = dirty.get(key);
        if (e == null) {
            e = clean.get(key);
        }
        return e == null ? null : new Lookup(Optional.ofNullable(e.value()));
    }

    /** Whether {@code key} is dirty in the cache (written, not yet accepted by the sink). */
    public synchronized boolean isDirty(Bytes key) {
        return dirty.containsKey(key);
    }

    /** Entries held: resident ones and orphans. */
    public synchronized int size() {
        return clean.size() + dirty.size();
    }

    /** Dirty entries held. */
    public synchronized int dirtyCount() {
        return dirty.size();
    }

    /**
     * Changes the cache's size at run time (the tuner's knob, lab-07 T10): the policy's capacity
     * becomes {@code capacity} ({@link ReplacementPolicy#resize}; the keys it evicts are handled as
     * an eviction on a write is, dirty ones written to the sink as one sorted batch before they
     * go), and the dirty limit {@code maxDirty}; if more entries than that are dirty now,
     * {@link #flush()}.
     *
     * @throws IllegalArgumentException if {@code capacity < 1} or {@code maxDirty < 1}
     * @throws IOException if the sink failed (nothing dirty was dropped, as on a write)
     */
    public synchronized void resize(int capacity, int maxDirty) throws IOException {
        checkArgument(capacity >= 1, "capacity must be at least 1: %s", capacity);
        checkArgument(maxDirty >= 1, "maxDirty must be at least 1: %s", maxDirty);
        this.maxDirty = maxDirty;
        List<Bytes> evicted = new ArrayList<>();
        policy.resize(capacity, evicted::add);
        for (Bytes k : evicted) {
            evictions++;
            if (dirty.containsKey(k)) {
                dirtyEvictions++;
            }
        }
        if (!evicted.isEmpty()) {
            writeEvicted(evicted);
        }
        if (dirty.size() > maxDirty) {
            flush();
        }
    }

    /** The most dirty entries held before a write flushes. */
    public int maxDirty() {
        return maxDirty;
    }

    /** The policy's name: {@code arc}, {@code lru} or {@code lfu}. */
    public String policyName() {
        return policy.name();
    }

    /** The policy's capacity: the most resident entries. */
    public int capacity() {
        return policy.capacity();
    }

    public synchronized Stats stats() {
        return new Stats(
                hits,
                misses,
                evictions,
                dirtyEvictions,
                flushes,
                entriesFlushed,
                clean.size() + dirty.size(),
                dirty.size());
    }

    @Override
    public synchronized String toString() {
        return "WriteBackCache{" + policy.name() + " x" + policy.capacity() + ", size=" + size() + ", dirty="
                + dirty.size() + "/" + maxDirty + "}";
    }
}
