package dev.storagelab.sortedlog.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.ConcurrentSkipListMemtable;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.ForwardingMemtable;
import dev.storagelab.kv.Memtable;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
import dev.storagelab.testkit.PausePoint;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden race tests of lab-01 T8's {@code SortedLogStore.lookup}: a reader stopped in the middle
 * of a lookup while the store's background thread switches its sources under it. The flush and
 * the compaction run on the store's own executor, which Lincheck's model checker does not control,
 * so the interleaving is forced instead: a {@link PausePoint} holds the reader at its first memtable
 * lookup or its first block read until the background work has installed a new version. Each test
 * is deterministic (one interleaving, no timing), and passes only if the lookup reads every source
 * from the version it was given, which the store retained for it: a lookup that reads the store's
 * {@code current} version instead meets sources that changed since the read began.
 */
@Tag("hidden")
class LookupRaceHiddenTest {

    private static final int BUDGET = 1024;
    private static final String READER = "race-reader";

    @Test
    @Graded(
            task = "T8",
            points = 2,
            concept = "a lookup mixes two versions: it takes the frozen memtable from the store's current "
                    + "version instead of the version it was given, and misses a value whose flush ended meanwhile")
    void aLookupThatStartedBeforeAFlushEndedStillSeesTheFrozenMemtable() throws Exception {
        GatedStorage storage = new GatedStorage(new FaultInjectingStorage());
        PausePoint pause = new PausePoint(READER);
        SortedLogOptions options = SortedLogOptions.builder()
                .memtableBytes(BUDGET)
                .blockSize(256)
                .compactionTrigger(0)
                .memtableFactory(() -> new PausingMemtable(new ConcurrentSkipListMemtable(), pause))
                .build();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicReference<Optional<Bytes>> seen = new AtomicReference<>();
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            try {
                // Fill the memtable to its budget; the next write freezes it and starts its flush,
                // which the gate holds: the frozen memtable alone holds key-000.
                long bytes = 0;
                for (int i = 0; bytes < BUDGET; i++) {
                    store.put(key(i), value(i));
                    bytes += Entry.put(key(i), value(i)).approximateBytes();
                }
                store.put(Bytes.of("written-after-rotation"), Bytes.of("in the new memtable"));
                storage.awaitFlushHeld();
                Thread reader = TestThreads.start(READER, () -> seen.set(store.get(key(0))), failures);
                awaitHeld(pause, reader, "the reader's lookup never asked the active memtable");
                storage.open(); // the flush writes its segment and installs a version without a frozen memtable
                awaitTrue(() -> store.segmentNames().size() == 1, "the held flush never installed its segment");
                pause.release();
                TestThreads.joinAll(List.of(reader));
            } finally {
                storage.open();
                pause.release();
            }
            assertThat("the reader's lookup may not fail", failures, empty());
            assertThat(
                    "a lookup that began while key-000 was in the frozen memtable, and was paused in the active "
                            + "memtable until the flush had moved key-000 into a segment, must still find it: the version it "
                            + "was given holds the frozen memtable, and the newest version is not the one it began on",
                    seen.get(),
                    equalTo(Optional.of(value(0))));
        }
    }

    @Test
    @Graded(
            task = "T8",
            points = 2,
            concept = "a lookup reads the store's current version instead of the one it was given, and "
                    + "loses its place in the segment list when a compaction replaces it")
    void aLookupThatStartedBeforeACompactionStillSeesTheSegmentsItReplaced() throws Exception {
        PausePoint pause = new PausePoint(READER);
        PausingStorage storage = new PausingStorage(new FaultInjectingStorage(), pause);
        SortedLogOptions options = SortedLogOptions.builder()
                .memtableBytes(1 << 20)
                .blockSize(256)
                .compactionTrigger(0)
                .build();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicReference<Optional<Bytes>> seen = new AtomicReference<>();
        try (SortedLogStore store = SortedLogStore.open(storage, options)) {
            try {
                store.put(Bytes.of("m"), Bytes.of("in the older segment"));
                store.flush();
                // The newer segment spans m without holding it: a lookup of m reads one of its blocks.
                store.put(Bytes.of("a"), Bytes.of("1"));
                store.put(Bytes.of("z"), Bytes.of("1"));
                store.flush();
                assertThat("two segments before the compaction", store.segmentNames(), hasSize(2));
                Thread reader = TestThreads.start(READER, () -> seen.set(store.get(Bytes.of("m"))), failures);
                awaitHeld(
                        pause,
                        reader,
                        "the reader's lookup of m never read a block of the newer segment, "
                                + "whose key range holds m");
                store.compact(); // both segments become one; the version the reader holds keeps them open
                assertThat("the compaction left one segment", store.segmentNames(), hasSize(1));
                pause.release();
                TestThreads.joinAll(List.of(reader));
            } finally {
                pause.release();
            }
            assertThat("the reader's lookup may not fail", failures, empty());
            assertThat(
                    "a lookup paused in the newer of two segments while a compaction merged both must go on to "
                            + "the older segment of the version it was given, and find m there",
                    seen.get(),
                    equalTo(Optional.of(Bytes.of("in the older segment"))));
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    private static Bytes key(int i) {
        return Bytes.of(String.format("key-%03d", i));
    }

    private static Bytes value(int i) {
        return Bytes.of("value " + i + " " + "v".repeat(i % 40));
    }

    private static void awaitTrue(Supplier<Boolean> condition, String otherwise) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(otherwise + " within " + TestThreads.LIVENESS_BOUND_SECONDS + " s");
            }
            Thread.sleep(1);
        }
    }

    /** Waits until {@code reader} is held at {@code pause}; fails with {@code otherwise} if it ends first. */
    private static void awaitHeld(PausePoint pause, Thread reader, String otherwise) throws InterruptedException {
        if (!pause.awaitHeld(reader)) {
            throw new AssertionError(otherwise);
        }
    }

    /** A memtable whose lookups are pause points. */
    private static final class PausingMemtable extends ForwardingMemtable {
        private final PausePoint pause;

        PausingMemtable(Memtable inner, PausePoint pause) {
            super(inner);
            this.pause = pause;
        }

        @Override
        public Entry get(Bytes key) {
            pause.point();
            return delegate.get(key);
        }
    }

    /** A storage whose file reads are pause points. */
    private static final class PausingStorage extends ForwardingStorage {
        private final PausePoint pause;

        PausingStorage(Storage inner, PausePoint pause) {
            super(inner);
            this.pause = pause;
        }

        @Override
        public ReadableFile openRead(String name) throws IOException {
            ReadableFile file = super.openRead(name);
            return new ReadableFile() {
                @Override
                public int read(long position, ByteBuffer dst) throws IOException {
                    pause.point();
                    return file.read(position, dst);
                }

                @Override
                public long size() throws IOException {
                    return file.size();
                }

                @Override
                public String name() {
                    return file.name();
                }

                @Override
                public void close() throws IOException {
                    file.close();
                }
            };
        }
    }
}
