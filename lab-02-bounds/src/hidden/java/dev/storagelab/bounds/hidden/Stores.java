package dev.storagelab.bounds.hidden;

import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.IOException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** The store the scan and pagination tests run on, and the keys they write. */
final class Stores {

    private Stores() {}

    /** A 1 KiB memtable and 64-byte blocks: a few dozen writes flush, and segments have many blocks. */
    static SortedLogOptions small(int compactionTrigger) {
        return SortedLogOptions.builder()
                .memtableBytes(1024)
                .blockSize(64)
                .compactionTrigger(compactionTrigger)
                .build();
    }

    static SortedLogStore open(Storage storage, int compactionTrigger) throws IOException {
        return SortedLogStore.open(storage, small(compactionTrigger));
    }

    /** The bytes keys are made of: the ones signed order and prefix arithmetic get wrong. */
    static final List<Byte> ALPHABET =
            List.of((byte) 0x00, (byte) 'a', (byte) 'b', (byte) 0x7f, (byte) 0x80, (byte) 0xff);

    /** Keys of 1-{@code maxLength} bytes over {@link #ALPHABET}, so keys collide, nest and end in 0xFF. */
    static Arbitrary<Bytes> keys(int maxLength) {
        return Arbitraries.of(ALPHABET)
                .array(byte[].class)
                .ofMinSize(1)
                .ofMaxSize(maxLength)
                .map(Bytes::copyOf);
    }

    /** Short readable values; the empty value is a value, not a delete. */
    static Arbitrary<Bytes> values() {
        return Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(24).map(Bytes::of);
    }
}
