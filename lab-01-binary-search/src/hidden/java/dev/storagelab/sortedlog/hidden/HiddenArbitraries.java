package dev.storagelab.sortedlog.hidden;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** Generators shared by the hidden property tests: keys rich in the bytes signed order gets wrong. */
final class HiddenArbitraries {

    private HiddenArbitraries() {}

    /** Keys of 1-6 bytes over an alphabet holding 0x00, 0x7f, 0x80 and 0xff, so collisions happen. */
    static Arbitrary<Bytes> keys() {
        return Arbitraries.of((byte) 0x00, (byte) 'a', (byte) 'b', (byte) 0x7f, (byte) 0x80, (byte) 0xff)
                .array(byte[].class)
                .ofMinSize(1)
                .ofMaxSize(6)
                .map(Bytes::copyOf);
    }

    /** Values of 0-{@code maxLength} arbitrary bytes; the empty value is a value, not a delete. */
    static Arbitrary<Bytes> values(int maxLength) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxLength).map(Bytes::copyOf);
    }

    /** A value or, one time in four, a tombstone. */
    static Arbitrary<Entry> entries(int maxValueLength) {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Combinators.combine(keys(), values(maxValueLength)).as(Entry::put)),
                Tuple.of(1, keys().map(Entry::tombstone)));
    }

    /** Entries with distinct keys, sorted by key: what a segment or one merge source holds. */
    static Arbitrary<List<Entry>> sortedRun(int minSize, int maxSize, int maxValueLength) {
        return entries(maxValueLength)
                .list()
                .ofMinSize(minSize)
                .ofMaxSize(maxSize)
                .map(list -> {
                    TreeMap<Bytes, Entry> byKey = new TreeMap<>();
                    list.forEach(e -> byKey.put(e.key(), e));
                    return List.copyOf(byKey.values());
                });
    }
}
