package dev.storagelab.hybrid.cache;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * lab-07 T4, the write-back cache: writes are held dirty and read back; more than maxDirty dirty
 * entries, or a flush, send every dirty entry to the sink as one batch sorted by key (tombstones for
 * deletes), after which they stay cached clean; an evicted dirty entry is written before it goes; a
 * failing sink keeps the entries dirty for the next flush; fill never overwrites a dirty entry.
 */
class WriteBackCacheTest {

    /** A sink that records its batches as strings "k=v" ("k=-" for a tombstone) and fails while {@link #failing}. */
    private static final class RecordingSink implements WriteBackCache.Sink {
        final List<List<String>> batches = new ArrayList<>();
        boolean failing;

        @Override
        public void write(List<Entry> sortedBatch) throws IOException {
            if (failing) {
                throw new IOException("disk full (test)");
            }
            List<String> b = new ArrayList<>();
            for (Entry e : sortedBatch) {
                b.add(e.key().toUtf8() + "="
                        + (e.isTombstone() ? "-" : e.value().toUtf8()));
            }
            batches.add(b);
        }
    }

    private final RecordingSink sink = new RecordingSink();

    private static Bytes b(String s) {
        return Bytes.of(s);
    }

    private static Entry put(String k, String v) {
        return Entry.put(b(k), b(v));
    }

    private static WriteBackCache.Lookup value(String v) {
        return new WriteBackCache.Lookup(Optional.of(b(v)));
    }

    private static final WriteBackCache.Lookup ABSENT = new WriteBackCache.Lookup(Optional.empty());

    @Test
    void aWriteIsReadBackDirtyBeforeTheSinkSeesIt() throws IOException {
        WriteBackCache cache = new WriteBackCache(new LruPolicy<>(8), 4, sink);
        cache.write(put("k", "v1"));
        cache.write(Entry.tombstone(b("gone")));
        assertThat(cache.get(b("k")), equalTo(value("v1")));
        assertThat("a cached delete answers 'absent', not a miss", cache.get(b("gone")), equalTo(ABSENT));
        assertThat("a key never written or filled is a miss", cache.get(b("other")), nullValue());
        assertThat(cache.isDirty(b("k")), equalTo(true));
        assertThat("write-back: nothing reaches the sink yet", sink.batches, empty());
    }

    @Test
    void moreThanMaxDirtyEntriesFlushOneBatchSortedByKey() throws IOException {
        WriteBackCache cache = new WriteBackCache(new LruPolicy<>(16), 3, sink);
        cache.write(put("d", "4"));
        cache.write(put("b", "2"));
        cache.write(Entry.tombstone(b("c")));
        assertThat("3 dirty entries are not more than maxDirty = 3", sink.batches, empty());
        cache.write(put("a", "1"));
        assertThat(sink.batches, contains(List.of("a=1", "b=2", "c=-", "d=4")));
        assertThat(cache.dirtyCount(), equalTo(0));
        assertThat("flushed entries stay cached, clean", cache.get(b("b")), equalTo(value("2")));
        assertThat(cache.get(b("c")), equalTo(ABSENT));
    }

    @Test
    void aKeyWrittenManyTimesReachesTheSinkOnceWithItsNewestValue() throws IOException {
        WriteBackCache cache = new WriteBackCache(new LruPolicy<>(16), 100, sink);
        for (int i = 1; i <= 10; i++) {
            cache.write(put("k", "v" + i));
        }
        cache.write(put("j", "x"));
        cache.flush();
        assertThat(sink.batches, contains(List.of("j=x", "k=v10")));
        cache.flush();
        assertThat("a flush with nothing dirty does not call the sink", sink.batches.size(), equalTo(1));
        cache.write(put("k", "v11"));
        cache.flush();
        assertThat("a new dirty period: written again", sink.batches.get(1), contains("k=v11"));
    }

    @Test
    void evictingADirtyEntryWritesItBeforeItGoes() throws IOException {
        WriteBackCache cache = new WriteBackCache(new LruPolicy<>(2), 100, sink);
        cache.write(put("a", "1"));
        cache.write(put("b", "2"));
        cache.write(put("c", "3"));
        assertThat("LRU evicted a, which was dirty", sink.batches, contains(List.of("a=1")));
        assertThat(cache.get(b("a")), nullValue());
        assertThat(cache.dirtyRange(null, null), contains(put("b", "2"), put("c", "3")));
        assertThat(cache.stats().dirtyEvictions(), equalTo(1L));
    }

    @Test
    void evictingACleanEntryWritesNothing() throws IOException {
        WriteBackCache cache = new WriteBackCache(new LruPolicy<>(2), 100, sink);
        cache.fill(b("a"), Optional.of(b("1")));
        cache.fill(b("b"), Optional.empty());
        cache.write(put("c", "3"));
        assertThat(sink.batches, empty());
        assertThat(cache.get(b("a")), nullValue());
        assertThat(cache.get(b("b")), equalTo(ABSENT));
        assertThat(cache.stats().evictions(), equalTo(1L));
        assertThat(cache.stats().dirtyEvictions(), equalTo(0L));
    }

    @Test
    void fillNeverOverwritesADirtyEntry() throws IOException {
        WriteBackCache cache = new WriteBackCache(new LruPolicy<>(4), 10, sink);
        cache.write(put("k", "new"));
        cache.fill(b("k"), Optional.of(b("stale, from the engines")));
        assertThat(cache.get(b("k")), equalTo(value("new")));
        cache.write(Entry.tombstone(b("k")));
        cache.fill(b("k"), Optional.of(b("stale")));
        assertThat(cache.get(b("k")), equalTo(ABSENT));
        cache.flush();
        assertThat(sink.batches, contains(List.of("k=-")));
    }

    @Test
    void aFailingSinkKeepsTheEntriesDirtyAndTheNextFlushWritesThemAgain() throws IOException {
        WriteBackCache cache = new WriteBackCache(new LruPolicy<>(8), 2, sink);
        cache.write(put("a", "1"));
        cache.write(put("b", "2"));
        sink.failing = true;
        IOException e = assertThrows(IOException.class, () -> cache.write(put("c", "3")));
        assertThat(e.getMessage(), containsString("disk full"));
        assertThat("the failed flush dropped nothing", cache.dirtyCount(), equalTo(3));
        assertThat(cache.get(b("c")), equalTo(value("3")));
        assertThrows(IOException.class, cache::flush);
        sink.failing = false;
        cache.flush();
        assertThat(sink.batches, contains(List.of("a=1", "b=2", "c=3")));
        assertThat(cache.dirtyCount(), equalTo(0));
    }

    @Test
    void aDirtyEntryWhoseEvictionWriteFailedStaysReadableUntilAFlushWritesIt() throws IOException {
        WriteBackCache cache = new WriteBackCache(new LruPolicy<>(1), 100, sink);
        cache.write(put("a", "1"));
        sink.failing = true;
        assertThrows(IOException.class, () -> cache.write(put("b", "2")));
        assertThat("a was evicted but not written: it must still be there", cache.get(b("a")), equalTo(value("1")));
        assertThat(cache.dirtyRange(null, null), contains(put("a", "1"), put("b", "2")));
        sink.failing = false;
        cache.flush();
        assertThat(sink.batches, contains(List.of("a=1", "b=2")));
        assertThat("once written, the evicted entry leaves the cache", cache.get(b("a")), nullValue());
        assertThat(cache.get(b("b")), equalTo(value("2")));
    }

    @Test
    void dirtyRangeReturnsTheDirtyEntriesInAHalfOpenRangeSorted() throws IOException {
        WriteBackCache cache = new WriteBackCache(new LruPolicy<>(16), 100, sink);
        for (String k : List.of("e", "a", "c", "b", "d")) {
            cache.write(put(k, k.toUpperCase()));
        }
        cache.write(Entry.tombstone(b("c")));
        cache.fill(b("bb"), Optional.of(b("clean")));
        assertThat(cache.dirtyRange(b("b"), b("d")), contains(put("b", "B"), Entry.tombstone(b("c"))));
        assertThat(cache.dirtyRange(null, b("b")), contains(put("a", "A")));
        assertThat(cache.dirtyRange(b("d"), null), contains(put("d", "D"), put("e", "E")));
    }

    @Test
    void invalidateDropsACleanEntryButNotADirtyOne() throws IOException {
        WriteBackCache cache = new WriteBackCache(new LruPolicy<>(8), 100, sink);
        cache.write(put("dirty", "1"));
        cache.fill(b("clean"), Optional.of(b("2")));
        cache.invalidate(b("dirty"));
        cache.invalidate(b("clean"));
        assertThat(cache.get(b("dirty")), equalTo(value("1")));
        assertThat(cache.get(b("clean")), nullValue());
        assertThat(cache.size(), equalTo(1));
    }

    @Test
    void statsCountHitsMissesEvictionsAndFlushes() throws IOException {
        WriteBackCache cache = new WriteBackCache(new LruPolicy<>(2), 2, sink);
        cache.write(put("a", "1"));
        cache.get(b("a"));
        cache.get(b("zz"));
        cache.write(put("b", "2"));
        cache.write(put("c", "3")); // evicts a (dirty, written alone), then 2 dirty: no flush
        cache.flush();
        WriteBackCache.Stats s = cache.stats();
        assertThat(s, equalTo(new WriteBackCache.Stats(1, 1, 1, 1, 2, 3, 2, 0)));
        assertThat(s.hitRate(), equalTo(0.5));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new WriteBackCache(new LruPolicy<>(2), 0, sink));
        assertThat(e.getMessage(), containsString("maxDirty"));
    }
}
