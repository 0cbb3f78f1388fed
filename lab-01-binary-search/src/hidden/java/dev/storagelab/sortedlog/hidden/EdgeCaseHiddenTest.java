package dev.storagelab.sortedlog.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.HashIndexLog;
import dev.storagelab.sortedlog.SegmentReader;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Edge cases, each run on both engines through every path a key can take (memtable, flush,
 * compaction, reopen): the empty store, one key, the largest key, rejected input, binary keys in
 * unsigned order, many versions of one key, deleting what is absent, the empty value, and
 * segments with one entry per block. They touch lab-01 T2 and T4 (HashIndexLog) and T6-T9
 * (SortedLogStore).
 */
@Tag("hidden")
class EdgeCaseHiddenTest {

    private static final List<Engine> ENGINES = List.of(Engine.hashIndexLog(false), Engine.sortedLogStore(false, 3));

    @Test
    @Graded(task = "T8", points = 1, concept = "empty store, or the reopen of one, misbehaves")
    void emptyStoreAnswersAbsentAndReopensEmpty() throws IOException {
        for (Engine engine : ENGINES) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            try (KeyValueStore store = engine.open(storage)) {
                assertAbsent(engine + ", new and empty", store, Bytes.of("a"), Bytes.copyOf(new byte[] {0x00}));
                Engine.flush(store);
                Engine.compact(store);
                assertAbsent(engine + ", empty after flush and compact", store, Bytes.of("a"));
            }
            for (int reopen = 0; reopen < 2; reopen++) {
                try (KeyValueStore store = engine.strict().open(storage)) {
                    assertAbsent(engine + ", empty store reopened", store, Bytes.of("a"));
                    if (store instanceof SortedLogStore s) {
                        assertThat(engine + ": an empty store writes no segment", s.segmentNames(), empty());
                    } else {
                        assertThat(engine + ": an empty store holds no key", ((HashIndexLog) store).size(), equalTo(0));
                    }
                }
            }
        }
    }

    @Test
    @Graded(task = "T8", points = 1, concept = "a store holding a single key loses it on some path")
    void singleKeySurvivesEveryPath() throws IOException {
        Bytes key = Bytes.of("only");
        for (Engine engine : ENGINES) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            try (KeyValueStore store = engine.open(storage)) {
                store.put(key, Bytes.of("one"));
                assertValue(engine + ", in the memtable", store, key, Bytes.of("one"));
                Engine.flush(store);
                assertValue(engine + ", after a flush", store, key, Bytes.of("one"));
                Engine.compact(store);
                assertValue(engine + ", after a compaction", store, key, Bytes.of("one"));
            }
            try (KeyValueStore store = engine.open(storage)) {
                assertValue(engine + ", after a reopen", store, key, Bytes.of("one"));
                store.delete(key);
                assertAbsent(engine + ", deleted", store, key);
            }
            try (KeyValueStore store = engine.open(storage)) {
                assertAbsent(engine + ", deleted and reopened", store, key);
            }
        }
    }

    @Test
    @Graded(
            task = "T8",
            points = 2,
            concept = "the largest allowed key (16 KiB) breaks a log record, a block or the sparse index")
    void largestKeyIsAcceptedThroughEveryPath() throws IOException {
        byte[] raw = new byte[KeyValueStore.MAX_KEY_BYTES];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) i;
        }
        Bytes big = Bytes.wrap(raw);
        Bytes bigValue = Bytes.wrap(new byte[40_000]);
        Bytes before = Bytes.copyOf(new byte[] {0x00});
        Bytes after = Bytes.copyOf(new byte[] {0x00, 0x01, 0x02, 0x04});
        for (Engine engine : ENGINES) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            try (KeyValueStore store = engine.open(storage)) {
                store.put(before, Bytes.of("before"));
                store.put(big, bigValue);
                store.put(after, Bytes.of("after"));
                Engine.flush(store);
                store.put(big, Bytes.of("second version"));
                Engine.flush(store);
                Engine.compact(store);
                assertValue(
                        engine + ", a " + raw.length + "-byte key after flushes and a compaction",
                        store,
                        big,
                        Bytes.of("second version"));
            }
            try (KeyValueStore store = engine.strict().open(storage)) {
                assertValue(
                        engine + ", a " + raw.length + "-byte key after a reopen",
                        store,
                        big,
                        Bytes.of("second version"));
                assertValue(engine + ", the key just before it", store, before, Bytes.of("before"));
                assertValue(engine + ", the key just after it", store, after, Bytes.of("after"));
                assertAbsent(engine + ", a prefix of the big key", store, Bytes.copyOf(raw, 0, 1000));
            }
        }
    }

    @Test
    @Graded(
            task = "T8",
            points = 1,
            concept = "oversized or empty key, or oversized value, not rejected with the limit in the message")
    void oversizedInputIsRejectedWithTheLimitInTheMessage() throws IOException {
        Bytes tooLongKey = Bytes.wrap(new byte[KeyValueStore.MAX_KEY_BYTES + 1]);
        Bytes tooLongValue = Bytes.wrap(new byte[KeyValueStore.MAX_VALUE_BYTES + 1]);
        for (Engine engine : ENGINES) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            try (KeyValueStore store = engine.open(storage)) {
                IllegalArgumentException key = assertThrows(
                        IllegalArgumentException.class,
                        () -> store.put(tooLongKey, Bytes.of("v")),
                        engine + ": a key over the limit is refused");
                assertThat(
                        engine + ": the message gives the limit",
                        key.getMessage(),
                        containsString(String.valueOf(KeyValueStore.MAX_KEY_BYTES)));
                IllegalArgumentException value = assertThrows(
                        IllegalArgumentException.class,
                        () -> store.put(Bytes.of("k"), tooLongValue),
                        engine + ": a value over the limit is refused");
                assertThat(
                        engine + ": the message gives the limit",
                        value.getMessage(),
                        containsString(String.valueOf(KeyValueStore.MAX_VALUE_BYTES)));
                IllegalArgumentException empty = assertThrows(
                        IllegalArgumentException.class,
                        () -> store.put(Bytes.EMPTY, Bytes.of("v")),
                        engine + ": the empty key is refused");
                assertThat(engine + ": the message says why", empty.getMessage(), containsString("empty"));
                assertThrows(
                        IllegalArgumentException.class,
                        () -> store.delete(tooLongKey),
                        engine + ": deleting a key over the limit is refused too");
                store.put(Bytes.of("k"), Bytes.of("fine"));
            }
            try (KeyValueStore store = engine.strict().open(storage)) {
                assertValue(
                        engine + ": refused writes leave nothing behind; a good write after them survives",
                        store,
                        Bytes.of("k"),
                        Bytes.of("fine"));
            }
        }
    }

    @Test
    @Graded(task = "T7", points = 2, concept = "keys ordered as signed bytes (0x80-0xff sorted before 0x00-0x7f)")
    void binaryKeysOrderUnsignedThroughFlushAndCompaction() throws IOException {
        List<Bytes> keys = new ArrayList<>();
        for (byte[] k : new byte[][] {
            {0x00},
            {0x00, 0x00},
            {0x00, (byte) 0xff},
            {0x01},
            {0x7f},
            {0x7f, (byte) 0xff},
            {(byte) 0x80},
            {(byte) 0x80, 0x00},
            {(byte) 0xfe},
            {(byte) 0xff},
            {(byte) 0xff, 0x00},
            {(byte) 0xff, (byte) 0xff}
        }) {
            keys.add(Bytes.copyOf(k));
        }
        List<Bytes> shuffled = new ArrayList<>(keys);
        Collections.shuffle(shuffled, new Random(3));
        FaultInjectingStorage storage = new FaultInjectingStorage();
        SortedLogOptions options = SortedLogOptions.builder()
                .memtableBytes(1 << 20)
                .blockSize(64)
                .compactionTrigger(0)
                .build();
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            // Two segments with interleaved keys, so the compaction's merge orders them too.
            for (int i = 0; i < shuffled.size(); i++) {
                if (i == shuffled.size() / 2) {
                    store.flush();
                }
                store.put(shuffled.get(i), Bytes.of("value of " + shuffled.get(i)));
            }
            store.flush();
            store.compact();
            assertThat("one segment after compaction", store.segmentNames(), hasSize(1));
            try (SegmentReader segment =
                            SegmentReader.open(storage, store.segmentNames().get(0), null);
                    EntryIterator it = segment.iterator()) {
                List<Bytes> order = new ArrayList<>();
                it.forEachRemaining(e -> order.add(e.key()));
                assertThat(
                        "the compacted segment holds every key in unsigned byte order (0x7f < 0x80 < 0xff, "
                                + "a prefix first)",
                        order,
                        equalTo(keys));
            }
            for (Bytes k : keys) {
                assertValue("binary key " + k, store, k, Bytes.of("value of " + k));
            }
        }
    }

    @Test
    @Graded(task = "T8", points = 2, concept = "an older version of a much-overwritten key resurfaces")
    void manyVersionsOfOneKeyResolveToTheNewest() throws IOException {
        Bytes hot = Bytes.of("hot");
        for (Engine engine : ENGINES) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            KeyValueStore store = engine.open(storage);
            try {
                for (int i = 0; i < 1500; i++) {
                    store.put(hot, Bytes.of("version " + i));
                    if (i % 100 == 99) {
                        Engine.flush(store);
                        assertValue(
                                engine + ", after version " + i + " and a flush", store, hot, Bytes.of("version " + i));
                    }
                    if (i % 500 == 499) {
                        Engine.compact(store);
                        store.close();
                        store = engine.open(storage);
                        assertValue(
                                engine + ", after version " + i + ", a compaction and a reopen",
                                store,
                                hot,
                                Bytes.of("version " + i));
                    }
                }
                store.put(hot, Bytes.of("last"));
                assertValue(
                        engine + ", the newest version in the memtable over many older ones on disk",
                        store,
                        hot,
                        Bytes.of("last"));
            } finally {
                store.close();
            }
        }
    }

    @Test
    @Graded(task = "T8", points = 1, concept = "deleting a key that was never written fails or disturbs other keys")
    void deletingAnAbsentKeyIsHarmless() throws IOException {
        Bytes ghost = Bytes.of("never-written");
        Bytes other = Bytes.of("other");
        for (Engine engine : ENGINES) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            try (KeyValueStore store = engine.open(storage)) {
                store.put(other, Bytes.of("kept"));
                store.delete(ghost);
                store.delete(ghost);
                Engine.flush(store);
                Engine.compact(store);
                assertAbsent(engine + ", a deleted never-written key", store, ghost);
                assertValue(engine + ", another key", store, other, Bytes.of("kept"));
            }
            try (KeyValueStore store = engine.open(storage)) {
                assertAbsent(engine + ", a deleted never-written key after reopen", store, ghost);
                assertValue(engine + ", another key after reopen", store, other, Bytes.of("kept"));
                store.put(ghost, Bytes.of("now real"));
                assertValue(engine + ", the key written after its delete", store, ghost, Bytes.of("now real"));
            }
        }
    }

    @Test
    @Graded(
            task = "T2",
            points = 2,
            concept = "an empty value is stored as a delete (length 0 mistaken for a tombstone)")
    void emptyValuesAreValuesNotDeletes() throws IOException {
        Bytes key = Bytes.of("empty-valued");
        for (Engine engine : ENGINES) {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            try (KeyValueStore store = engine.open(storage)) {
                store.put(key, Bytes.of("something"));
                Engine.flush(store);
                store.put(key, Bytes.EMPTY);
                assertValue(engine + ", an empty value in the memtable", store, key, Bytes.EMPTY);
                Engine.flush(store);
                assertValue(engine + ", an empty value flushed over an older value", store, key, Bytes.EMPTY);
                Engine.compact(store);
                assertValue(
                        engine + ", an empty value after compaction, which drops tombstones", store, key, Bytes.EMPTY);
            }
            try (KeyValueStore store = engine.open(storage)) {
                assertValue(engine + ", an empty value after a reopen", store, key, Bytes.EMPTY);
            }
        }
    }

    @Test
    @Graded(task = "T7", points = 2, concept = "store lookups fail when every segment block holds a single entry")
    void segmentsWithOneEntryPerBlockServeEveryKey() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        SortedLogOptions options = SortedLogOptions.builder()
                .memtableBytes(1 << 20)
                .blockSize(64)
                .compactionTrigger(0)
                .build();
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            for (int round = 0; round < 2; round++) {
                for (int i = round; i < 40; i += 2) {
                    Bytes key = Bytes.of(String.format("key-%02d", i));
                    Bytes value = Bytes.of(("round " + round + " value " + i + " ").repeat(5));
                    store.put(key, value);
                    oracle.put(key, value);
                }
                store.flush();
            }
            for (String name : store.segmentNames()) {
                try (SegmentReader segment = SegmentReader.open(storage, name, null)) {
                    assertThat(
                            "every entry is larger than the 64-byte block target, so each block holds one",
                            (long) segment.blockCount(),
                            equalTo(segment.entryCount()));
                }
            }
            assertMatches("two segments of one-entry blocks", store, oracle);
            store.compact();
            assertMatches("one compacted segment of one-entry blocks", store, oracle);
        }
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            assertMatches("one-entry blocks after a reopen", store, oracle);
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    private static void assertValue(String when, KeyValueStore store, Bytes key, Bytes expected) throws IOException {
        assertThat(when + ": get(" + Op.abbreviate(key) + ")", store.get(key), equalTo(Optional.of(expected)));
    }

    private static void assertAbsent(String when, KeyValueStore store, Bytes... keys) throws IOException {
        for (Bytes key : keys) {
            assertThat(when + ": get(" + Op.abbreviate(key) + ")", store.get(key), equalTo(Optional.empty()));
        }
    }

    private static void assertMatches(String when, KeyValueStore store, TreeMap<Bytes, Bytes> oracle)
            throws IOException {
        for (var e : oracle.entrySet()) {
            assertValue(when, store, e.getKey(), e.getValue());
        }
        for (int i = 0; i < 40; i++) {
            Bytes between = Bytes.of(String.format("key-%02d+", i));
            assertAbsent(when + ", a key between two stored ones", store, between);
        }
    }
}
