package dev.storagelab.workbench.workloads;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import dev.storagelab.kv.Bytes;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

class WorkloadTest {

    @Test
    void aMissingKeySortsBetweenTwoPresentKeys() {
        // 9 -> 10 and 999,999 -> 1,000,000 carry into another digit: the order must hold there too.
        for (long i : new long[] {0, 9, 99, 123_456, 999_999}) {
            Bytes absent = Workload.missingKey(i);
            assertThat("missing key of " + i + " after key " + i, absent.compareTo(Workload.key(i)), greaterThan(0));
            assertThat(
                    "missing key of " + i + " before key " + (i + 1),
                    absent.compareTo(Workload.key(i + 1)),
                    lessThan(0));
        }
    }

    @Test
    void readmissingGetsAbsentKeysSpreadInsideThePreloadedRange() {
        long keys = 1_000;
        Workload.Generator ops = Workload.READMISSING.generator(keys, RandomSource.XO_RO_SHI_RO_128_PP.create(7));
        Set<Bytes> present = new HashSet<>();
        for (long i = 0; i < keys; i++) {
            present.add(Workload.key(i));
        }
        int inLowerHalf = 0;
        int draws = 4_000;
        for (int n = 0; n < draws; n++) {
            Workload.Op op = ops.next(n);
            assertThat(op.kind(), is(Workload.Kind.GET));
            assertThat("an absent key: " + op.key().toUtf8(), present.contains(op.key()), is(false));
            assertThat("after the first key", op.key().compareTo(Workload.key(0)), greaterThan(0));
            assertThat("before the last key's successor", op.key().compareTo(Workload.key(keys)), lessThan(0));
            if (op.key().compareTo(Workload.key(keys / 2)) < 0) {
                inLowerHalf++;
            }
        }
        // Uniform over the key space, not bunched at one end (the past-the-end keys were all above).
        assertThat(inLowerHalf, greaterThan(draws * 2 / 5));
        assertThat(inLowerHalf, lessThan(draws * 3 / 5));
    }
}
