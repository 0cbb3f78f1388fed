package dev.storagelab.mvcc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** lab-06 T4: the MVCC store: reads at a timestamp, tombstone versions, scans that seek past versions. */
class MvccStoreTest {

    private final MemoryOrderedStore engine = new MemoryOrderedStore();
    private final MvccStore store = new MvccStore(engine);

    private static Bytes b(String s) {
        return Bytes.of(s);
    }

    private void put(long ts, String key, String value) throws IOException {
        store.write(ts, List.of(Entry.put(b(key), b(value))));
    }

    private void delete(long ts, String key) throws IOException {
        store.write(ts, List.of(Entry.tombstone(b(key))));
    }

    private static List<String> drain(EntryIterator it) {
        List<String> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(e -> out.add(e.key().toUtf8() + "=" + e.value().toUtf8()));
        }
        return out;
    }

    @Test
    void getReturnsTheNewestVersionAtOrBeforeTheReadTimestamp() throws IOException {
        put(2, "k", "two");
        put(5, "k", "five");
        put(9, "k", "nine");
        assertThat("no version at or before 1", store.get(b("k"), 1), equalTo(Optional.empty()));
        assertThat(store.get(b("k"), 2), equalTo(Optional.of(b("two"))));
        assertThat(store.get(b("k"), 4), equalTo(Optional.of(b("two"))));
        assertThat(store.get(b("k"), 5), equalTo(Optional.of(b("five"))));
        assertThat(store.get(b("k"), 8), equalTo(Optional.of(b("five"))));
        assertThat(store.get(b("k"), Long.MAX_VALUE), equalTo(Optional.of(b("nine"))));
        assertThat("another key", store.get(b("k2"), 100), equalTo(Optional.empty()));
    }

    @Test
    void aDeleteIsATombstoneVersionNotAnEngineDelete() throws IOException {
        put(3, "k", "v");
        delete(6, "k");
        assertThat(
                "the snapshot before the delete still reads the value",
                store.get(b("k"), 5),
                equalTo(Optional.of(b("v"))));
        assertThat("the delete hides it from 6 on", store.get(b("k"), 6), equalTo(Optional.empty()));
        assertThat("two versions in the engine, the tombstone one of them", engine.size(), equalTo(2));
        assertThat(engine.deletes(), equalTo(0L));
        assertThat(
                "a tombstone's engine value is its kind byte alone",
                engine.contents().get(new VersionedKey(b("k"), 6).encode()),
                equalTo(Bytes.wrap(new byte[] {MvccStore.KIND_TOMBSTONE})));
        assertThat(
                engine.contents().get(new VersionedKey(b("k"), 3).encode()),
                equalTo(Bytes.wrap(new byte[] {MvccStore.KIND_VALUE, 'v'})));
    }

    @Test
    void aGetSeeksToItsVersionInsteadOfWalkingTheNewerOnes() throws IOException {
        for (long ts = 1; ts <= 300; ts++) {
            put(ts, "hot", "v" + ts);
        }
        long scans = engine.scansOpened();
        long entries = engine.entriesRead();
        assertThat(store.get(b("hot"), 7), equalTo(Optional.of(b("v7"))));
        assertThat("one engine scan per get", engine.scansOpened() - scans, equalTo(1L));
        assertThat(
                "a get reads one engine entry, not the 293 newer versions",
                engine.entriesRead() - entries,
                lessThanOrEqualTo(1L));
    }

    @Test
    void aScanReturnsOneLiveEntryPerKeyAtTheSnapshot() throws IOException {
        put(1, "a", "a1");
        put(1, "b", "b1");
        put(1, "c", "c1");
        put(2, "b", "b2");
        delete(3, "c");
        put(4, "d", "d4");
        put(5, "a", "a5");
        assertThat(drain(store.scan(null, null, 0)), empty());
        assertThat(drain(store.scan(null, null, 1)), contains("a=a1", "b=b1", "c=c1"));
        assertThat(drain(store.scan(null, null, 3)), contains("a=a1", "b=b2"));
        assertThat(drain(store.scan(null, null, 4)), contains("a=a1", "b=b2", "d=d4"));
        assertThat(drain(store.scan(null, null, 9)), contains("a=a5", "b=b2", "d=d4"));
        assertThat("[b, d) at 2", drain(store.scan(b("b"), b("d"), 2)), contains("b=b2", "c=c1"));
    }

    @Test
    void aScanKeepsPrefixKeysApartAndInOrder() throws IOException {
        Bytes a = b("a");
        Bytes aZero = Bytes.wrap(new byte[] {'a', 0});
        Bytes ab = b("ab");
        store.write(1, List.of(Entry.put(a, b("1")), Entry.put(aZero, b("2")), Entry.put(ab, b("3"))));
        List<Bytes> keys = new ArrayList<>();
        try (EntryIterator it = store.scan(null, null, 1)) {
            it.forEachRemaining(e -> keys.add(e.key()));
        }
        assertThat(keys, contains(a, aZero, ab));
        List<Bytes> from = new ArrayList<>();
        try (EntryIterator it = store.scan(aZero, ab, 1)) {
            it.forEachRemaining(e -> from.add(e.key()));
        }
        assertThat("[a\\x00, ab)", from, contains(aZero));
    }

    @Test
    void aScanSeeksPastManyVersionsInsteadOfWalkingThem() throws IOException {
        for (long ts = 1; ts <= 500; ts++) {
            put(ts, "many", "v" + ts);
        }
        put(1, "next", "n");
        long entries = engine.entriesRead();
        assertThat(drain(store.scan(null, null, 250)), contains("many=v250", "next=n"));
        assertThat(
                "the scan should pass the 250 newer and 249 older versions with a few steps and a seek each",
                engine.entriesRead() - entries,
                lessThanOrEqualTo(4L * MvccStore.MAX_SEQUENTIAL_SKIP + 4));
    }

    @Test
    void newestCommitTsIsTheNewestVersionWhateverItIs() throws IOException {
        assertThat(store.newestCommitTs(b("k")), equalTo(OptionalLong.empty()));
        put(4, "k", "v");
        delete(11, "k");
        put(12, "l", "w");
        assertThat(store.newestCommitTs(b("k")), equalTo(OptionalLong.of(11)));
    }
}
