package dev.storagelab.hybrid.cache.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.storagelab.hybrid.cache.ReplacementPolicies;
import dev.storagelab.hybrid.cache.ReplacementPolicy;
import dev.storagelab.kv.Bytes;
import dev.storagelab.testkit.WrongAnswers;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The lab-07 cache benchmark checks its answers: the reference policies hit exactly the counts it
 * holds, and it throws, naming the wrong answer, on a policy that answers otherwise.
 */
class BenchmarkAnswersTest {

    @Test
    void theReferenceHitsAreTheReferencePoliciesHits() {
        for (Map.Entry<String, long[]> e : CacheBenchmark.REFERENCE_HITS.entrySet()) {
            String[] p = e.getKey().split(" ");
            Bytes[] stream = CacheBenchmark.stream(Integer.parseInt(p[2]));
            ReplacementPolicy<Bytes> policy = ReplacementPolicies.of(p[0], Integer.parseInt(p[1]));
            long[] hits = new long[e.getValue().length];
            for (int pass = 0; pass < hits.length; pass++) {
                for (Bytes key : stream) {
                    if (policy.reference(key, k -> {})) {
                        hits[pass]++;
                    }
                }
            }
            assertThat(
                    e.getKey() + ": the hits per pass the benchmark checks are the reference's (if the reference"
                            + " policy changed on purpose, copy these into CacheBenchmark.REFERENCE_HITS)",
                    hits,
                    equalTo(e.getValue()));
        }
    }

    private static CacheBenchmark bench(String policy) {
        CacheBenchmark bench = new CacheBenchmark();
        bench.cachePolicy = policy;
        bench.cacheEntries = 1000;
        bench.cacheKeySpace = 20_000;
        return bench;
    }

    @Test
    void theBenchmarkPassesTheReferenceArcThroughItsCheckedPass() {
        CacheBenchmark bench = bench("arc");
        bench.load();
        for (int n = 0; n < CacheBenchmark.STREAM + 1000; n++) {
            bench.reference();
        }
        bench.check();
    }

    @Test
    void anotherPolicyUnderArcsNameFailsTheWarmingPass() {
        CacheBenchmark bench = bench("arc");
        bench.load();
        bench.policy = ReplacementPolicies.of("lru", 1000); // LRU is cheaper than ARC, and hits less
        // The stream's second pass on a fresh LRU: a warm pass's worth of LRU hits, checked against ARC's.
        assertThat(
                WrongAnswers.within(CacheBenchmark.STREAM, bench::reference),
                allOf(
                        startsWith("wrong answer: arc with 1000 entries hit "),
                        containsString(
                                " of the 1048576 references of the measured pass 1; the policy as specified hits 703106")));
    }

    @Test
    void aPolicyThatClaimsHitsItDoesNotHaveFailsOnTheSample() {
        CacheBenchmark bench = bench("lru");
        bench.load();
        ReplacementPolicy<Bytes> lru = bench.policy;
        bench.policy = new ReplacementPolicy<>() {
            @Override
            public boolean reference(Bytes key, Consumer<? super Bytes> evicted) {
                lru.reference(key, evicted);
                return true; // every reference a hit: a perfect cache, on paper
            }

            @Override
            public boolean contains(Bytes key) {
                return lru.contains(key);
            }

            @Override
            public boolean remove(Bytes key) {
                return lru.remove(key);
            }

            @Override
            public int size() {
                return lru.size();
            }

            @Override
            public int capacity() {
                return lru.capacity();
            }

            @Override
            public String name() {
                return "lru";
            }
        };
        assertThat(
                WrongAnswers.within(CacheBenchmark.STREAM, bench::reference),
                allOf(
                        startsWith("wrong answer: lru: reference("),
                        containsString(") returned true for a key not resident before it")));
    }
}
