package dev.storagelab.lsm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link LazyTableIterator}: a table a scan seeks at or before its first entry is not read until
 * the scan takes that entry; a short scan of one key range reads no block of another range's
 * level-0 table.
 */
class LazyTableIteratorTest {

    /** A memtable of {@code keys} (values "v" + key) as a table's stand-in, and the manifest entry naming its range. */
    private static MemTable memtable(String... keys) {
        MemTable m = new MemTable();
        long sequence = 1;
        for (String k : keys) {
            m.add(sequence++, Bytes.of(k), Bytes.of("v" + k));
        }
        return m;
    }

    private static FileMeta meta(MemTable m) throws IOException {
        try (InternalIterator it = m.iterator()) {
            it.seekToFirst();
            InternalKey first = internalKey(it);
            InternalKey last = first;
            while (it.valid()) {
                last = internalKey(it);
                it.next();
            }
            return new FileMeta(7, 100, first, last);
        }
    }

    /** The table {@code m} stands for, opened lazily; {@code opens[0]} counts its openings. */
    private static LazyTableIterator counting(MemTable m, int[] opens) throws IOException {
        return new LazyTableIterator(meta(m), f -> {
            opens[0]++;
            return m.iterator();
        });
    }

    /** The seek target of {@code user}: its newest version first. */
    private static byte[] seekKey(String user) {
        return InternalKey.seekKey(Bytes.of(user), InternalKey.MAX_SEQUENCE).encode();
    }

    /** The internal key of the entry {@code it} is on. */
    private static InternalKey internalKey(InternalIterator it) throws IOException {
        return InternalKey.decode(it.key(), 0, it.key().length, "memtable", 0);
    }

    /** The user key of the entry {@code it} is on. */
    private static Bytes userKey(InternalIterator it) throws IOException {
        return internalKey(it).userKey();
    }

    @Test
    void aSeekBeforeTheFirstEntryOpensNothingUntilTheEntryIsTaken() throws IOException {
        MemTable m = memtable("m1", "m2", "m3");
        int[] opens = {0};
        try (LazyTableIterator it = counting(m, opens)) {
            it.seek(seekKey("a"));
            assertThat(it.valid(), is(true));
            assertThat(
                    "on the first entry, by the manifest's key",
                    it.key(),
                    equalTo(meta(m).smallest().encode()));
            assertThat("nothing read yet", opens[0], is(0));
            assertThat(Bytes.wrap(it.value()), equalTo(Bytes.of("vm1")));
            assertThat(opens[0], is(1));
            it.next();
            assertThat(userKey(it), equalTo(Bytes.of("m2")));
        }
    }

    @Test
    void aSeekInsideTheTableReadsIt() throws IOException {
        MemTable m = memtable("m1", "m2", "m3");
        int[] opens = {0};
        try (LazyTableIterator it = counting(m, opens)) {
            it.seek(seekKey("m2"));
            assertThat(opens[0], is(1));
            assertThat(userKey(it), equalTo(Bytes.of("m2")));
            it.seek(seekKey("n"));
            assertThat("past the last entry", it.valid(), is(false));
        }
    }

    @Test
    void aTableWhoseFirstEntryIsNotTheManifestsIsCorrupt() throws IOException {
        MemTable named = memtable("m1", "m2");
        MemTable actual = memtable("m0", "m2");
        try (LazyTableIterator it = new LazyTableIterator(meta(named), f -> actual.iterator())) {
            it.seekToFirst();
            UncheckedIOException e = assertThrows(UncheckedIOException.class, it::value);
            assertThat(e.getCause(), instanceOf(CorruptionException.class));
            assertThat(e.getCause().getMessage(), containsString(LsmFileNames.table(7)));
            assertThat(e.getCause().getMessage(), containsString("the manifest says"));
        }
    }

    @Test
    void aScanOfOneRangeReadsNoBlockOfAnotherRangesLevelZeroTable() throws IOException {
        LsmOptions.Builder b = LsmOptions.tiny().withBlockCacheBytes(0).toBuilder();
        b.l0CompactionTrigger = 4; // both tables stay in level 0
        try (LsmStore store = LsmStore.open(new FaultInjectingStorage(1), b.build())) {
            for (int i = 0; i < 20; i++) {
                store.put(Bytes.of(String.format("a%03d", i)), Bytes.of("va" + i));
            }
            store.flush();
            for (int i = 0; i < 20; i++) {
                store.put(Bytes.of(String.format("z%03d", i)), Bytes.of("vz" + i));
            }
            store.flush();
            assertThat("two tables in level 0", store.stats().filesPerLevel()[0], is(2L));
            long before = store.stats().blockReads();
            List<Bytes> got = new ArrayList<>();
            try (EntryIterator it = store.scan(Bytes.of("a005"), null)) {
                for (int i = 0; i < 3 && it.hasNext(); i++) {
                    Entry e = it.next();
                    got.add(e.key());
                }
            }
            assertThat(got, equalTo(List.of(Bytes.of("a005"), Bytes.of("a006"), Bytes.of("a007"))));
            assertThat(
                    "one block of the a-table, none of the z-table",
                    store.stats().blockReads() - before,
                    is(1L));
            try (EntryIterator it = store.scan(Bytes.of("m"), null)) {
                assertThat(it.next(), equalTo(Entry.put(Bytes.of("z000"), Bytes.of("vz0"))));
            }
            assertThat(store.stats().blockReads() - before, is(2L));
        }
    }
}
