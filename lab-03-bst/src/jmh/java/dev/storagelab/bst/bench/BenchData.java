package dev.storagelab.bst.bench;

import dev.storagelab.kv.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The data every lab-03 benchmark uses, the same shape as lab-01's and lab-02's: 16-byte keys that
 * sort in the order of their number, 100-byte random values, and shuffles from a seeded generator,
 * so two runs insert the same keys in the same order.
 */
final class BenchData {

    /** Key length in bytes: {@code "key-"} and 12 digits. */
    static final int KEY_BYTES = 16;
    /** Value length in bytes. */
    static final int VALUE_BYTES = 100;
    /** The seed of every generator, so runs repeat. */
    static final long SEED = 42;

    private BenchData() {
    }

    /** The {@code i}-th key; keys sort by {@code i} because the number is zero-padded. */
    static Bytes key(long i) {
        return Bytes.wrap(String.format("key-%012d", i).getBytes(StandardCharsets.US_ASCII));
    }

    /** A fresh random value. */
    static Bytes value(Random random) {
        byte[] v = new byte[VALUE_BYTES];
        random.nextBytes(v);
        return Bytes.wrap(v);
    }

    /** The numbers 0 to {@code n - 1} in an order drawn from {@code seed}. */
    static int[] shuffled(int n, long seed) {
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        return order.stream().mapToInt(Integer::intValue).toArray();
    }
}
