package dev.storagelab.hybrid.cache.bench;

import dev.storagelab.hybrid.cache.HitRateSimulation;
import dev.storagelab.hybrid.cache.ReplacementPolicies;
import dev.storagelab.hybrid.cache.WriteBackCache;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import java.io.IOException;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What write-back saves (lab-07 T4): it counts, it does not time. A stream of {@code writes}
 * Zipfian writes (exponent 0.99, YCSB's) over {@code keys} keys goes through a
 * {@link WriteBackCache} of {@code cacheEntries} entries under each policy, for several
 * {@code maxDirty}; the sink counts the entries and batches that reach the engines. Write-through
 * would send every write, one at a time.
 *
 * <p>Run: {@code java -cp $CP dev.storagelab.hybrid.cache.bench.WriteCoalescing [writes keys cacheEntries]}
 * (default 1,000,000 writes over 100,000 keys, 65,536 entries: {@code HybridOptions.defaults()}'s cache).
 */
public final class WriteCoalescing {

    private WriteCoalescing() {}

    public static void main(String[] args) throws IOException {
        int writes = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int keys = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int cacheEntries = args.length > 2 ? Integer.parseInt(args[2]) : 65_536;
        Bytes[] stream = new Bytes[writes];
        Bytes[] byRank = new Bytes[keys];
        HitRateSimulation.Zipf zipf = new HitRateSimulation.Zipf(keys, 0.99, new SplittableRandom(7));
        for (int i = 0; i < writes; i++) {
            int r = zipf.next();
            if (byRank[r] == null) {
                byRank[r] = Bytes.of(String.format("key%013d", r));
            }
            stream[i] = byRank[r];
        }
        Bytes value = Bytes.of("v".repeat(100));
        System.out.printf(
                Locale.ROOT, "%d Zipfian writes over %d keys, a cache of %d entries%n", writes, keys, cacheEntries);
        System.out.printf(
                Locale.ROOT,
                "%-6s %9s %14s %9s %12s %16s %16s%n",
                "policy",
                "maxDirty",
                "entries sent",
                "batches",
                "per batch",
                "writes / entry",
                "dirty evictions");
        for (String policy : ReplacementPolicies.NAMES) {
            for (int maxDirty : new int[] {256, 4_096, 65_536}) {
                long[] sent = new long[2];
                WriteBackCache cache =
                        new WriteBackCache(ReplacementPolicies.of(policy, cacheEntries), maxDirty, batch -> {
                            sent[0] += batch.size();
                            sent[1]++;
                        });
                for (Bytes k : stream) {
                    cache.write(Entry.put(k, value));
                }
                cache.flush();
                WriteBackCache.Stats s = cache.stats();
                if (s.entriesFlushed() != sent[0] || s.flushes() != sent[1]) {
                    throw new IllegalStateException("the cache's statistics disagree with the sink: " + s);
                }
                System.out.printf(
                        Locale.ROOT,
                        "%-6s %9d %14d %9d %12.1f %16.2f %16d%n",
                        policy,
                        maxDirty,
                        sent[0],
                        sent[1],
                        (double) sent[0] / sent[1],
                        (double) writes / sent[0],
                        s.dirtyEvictions());
            }
        }
    }
}
