package dev.storagelab.lsm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Tests for {@link LiveFiles}, given code that runs over your T7 store: the open lists the directory
 * once and deletes what it finds, a crash's leftovers included; after it, every file that becomes
 * obsolete (a compaction's inputs, a flushed memtable's log) is deleted from the store's own record
 * of it, and the directory is not listed again.
 */
class LiveFilesTest {

    /** A storage that counts its listings. */
    private static final class ListingCounter extends ForwardingStorage {
        final AtomicInteger listings = new AtomicInteger();

        ListingCounter(FaultInjectingStorage delegate) {
            super(delegate);
        }

        @Override
        public List<String> list() throws IOException {
            listings.incrementAndGet();
            return super.list();
        }
    }

    private static Bytes key(int i) {
        return Bytes.of(String.format("key%06d", i));
    }

    private static Bytes value(int i, int round) {
        return Bytes.of("value-" + i + "-r" + round + "-" + "x".repeat(40));
    }

    private static long count(FaultInjectingStorage disk, String suffix) throws IOException {
        return disk.list().stream().filter(n -> n.endsWith(suffix)).count();
    }

    @Test
    void compactionsAndFlushesLeaveExactlyTheLiveFilesWithoutListingTheDirectory() throws IOException {
        FaultInjectingStorage disk = new FaultInjectingStorage(1);
        ListingCounter storage = new ListingCounter(disk);
        try (LsmStore store = LsmStore.open(storage, LsmOptions.tiny())) {
            int atOpen = storage.listings.get();
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < 800; i++) {
                    store.put(key(i), value(i, round));
                }
            }
            store.compactAll();
            LsmStore.Stats stats = store.stats();
            assertThat("the writes flushed many memtables", stats.metrics().flushes(), greaterThan(10L));
            assertThat("and compacted", stats.metrics().compactions(), greaterThan(3L));
            long inVersion = 0;
            for (long n : stats.filesPerLevel()) {
                inVersion += n;
            }
            assertThat("tables on disk " + disk.list() + " are the version's", count(disk, ".sst"), equalTo(inVersion));
            assertThat("one log is live: " + disk.list(), count(disk, ".log"), equalTo(1L));
            assertThat(
                    "one MANIFEST: " + disk.list(),
                    disk.list().stream()
                            .filter(n -> n.startsWith(LsmFileNames.MANIFEST_PREFIX))
                            .count(),
                    equalTo(1L));
            assertThat("nothing after the open listed the directory", storage.listings.get(), equalTo(atOpen));
            assertThat(store.get(key(7)), equalTo(Optional.of(value(7, 3))));
        }
    }

    @Test
    void theOpenDeletesATableNoVersionNames() throws IOException {
        FaultInjectingStorage disk = new FaultInjectingStorage(2);
        try (LsmStore store = LsmStore.open(disk, LsmOptions.tiny())) {
            for (int i = 0; i < 800; i++) {
                store.put(key(i), value(i, 0));
            }
        }
        String orphan = LsmFileNames.table(999_999); // as a compaction that crashed before its edit leaves
        disk.create(orphan).close();
        try (LsmStore store = LsmStore.open(disk, LsmOptions.tiny())) {
            assertThat("the open deleted " + orphan + ": " + disk.list(), disk.exists(orphan), equalTo(false));
            assertThat(store.get(key(3)), equalTo(Optional.of(value(3, 0))));
        }
    }
}
