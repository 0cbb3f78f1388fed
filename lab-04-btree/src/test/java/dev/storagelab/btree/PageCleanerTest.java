package dev.storagelab.btree;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.btree.BufferPool.Frame;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.ForwardingWritableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The lock-free pool's {@link PageCleaner}: dirty pages written back ahead of the eviction hand, by
 * its own thread, so that a miss finds its victim clean.
 */
class PageCleanerTest {

    private static final String NAME = "cleaner.pages";
    private static final int FRAMES = PageCleaner.MIN_FRAMES;

    /** A storage that counts the page writes each thread makes. */
    private static final class WritesByThread extends ForwardingStorage {
        final Map<String, AtomicLong> writes = new ConcurrentHashMap<>();

        WritesByThread() {
            super(new FaultInjectingStorage());
        }

        @Override
        public WritableFile openAppend(String name) throws IOException {
            return new ForwardingWritableFile(super.openAppend(name)) {
                @Override
                public void writeAt(long position, ByteBuffer src) throws IOException {
                    writes.computeIfAbsent(Thread.currentThread().getName(), t -> new AtomicLong())
                            .incrementAndGet();
                    super.writeAt(position, src);
                }
            };
        }

        long by(String thread) {
            AtomicLong n = writes.get(thread);
            return n == null ? 0 : n.get();
        }
    }

    @Test
    void missesFindTheirVictimsCleanOnceTheCleanerHasWrittenThemAhead() throws Exception {
        WritesByThread storage = new WritesByThread();
        PageFile file = formattedFile(storage);
        PageTable table = PageTable.open(file);
        LockFreeBufferPool pool = lruTwoPool(file, table);
        // Twice as many pages as frames, each changed once: the pool is full of dirty pages, and
        // the creates of the second half evicted the first (their own thread wrote those back).
        List<Long> pages = new ArrayList<>();
        for (int i = 0; i < 2 * FRAMES; i++) {
            Frame f = pool.create(PageFormat.TYPE_LEAF);
            pages.add(f.pageId());
            pool.unpin(f, true);
        }
        String me = Thread.currentThread().getName();
        assertThat("the creates evicted dirty pages and wrote them back", storage.by(me), greaterThan(0L));
        // The evictions woke the cleaner: give it time to write the next victims back, until it has
        // written nothing more for a while (it may have started during the creates).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long seen = -1;
        while (System.nanoTime() < deadline) {
            Thread.sleep(200);
            long now = storage.by("storagelab-page-cleaner");
            if (now >= PageCleaner.AHEAD && now == seen) {
                break;
            }
            seen = now;
        }
        assertThat(
                "the cleaner wrote the next victims back",
                storage.by("storagelab-page-cleaner"),
                greaterThan(PageCleaner.AHEAD - 1L));
        long before = storage.by(me);
        // Misses on the first pages now evict the next victims: the cleaner left them clean.
        for (int i = 0; i < PageCleaner.AHEAD / 2; i++) {
            pool.unpin(pool.fetch(pages.get(i)), false);
        }
        assertThat("a miss wrote no page back itself: its victim was clean", storage.by(me) - before, equalTo(0L));
        Thread cleaner = pool.cleaner().thread();
        long written = storage.by("storagelab-page-cleaner");
        pool.close();
        assertThat("closing the pool waits for its cleaner's thread to end", cleaner.isAlive(), is(false));
        for (int i = PageCleaner.AHEAD; i < 2 * PageCleaner.AHEAD; i++) {
            Frame f = pool.fetch(pages.get(i));
            pool.unpin(f, true); // evictions of dirty pages after the close start no cleaner again
        }
        Thread.sleep(3 * PageCleaner.POLL_MILLIS);
        assertThat("no round after the close", storage.by("storagelab-page-cleaner"), equalTo(written));
        file.close();
    }

    @Test
    void aTreeWithACleanerKeepsEveryWriteAcrossCheckpointsAndAReopen() throws IOException {
        // 60,000 random puts of 60-byte values over 40,000 keys make about 1,100 leaves of 4 KiB,
        // twice the pool: the cleaner runs beside the writer and a reader, and a checkpoint every
        // 5,000 puts waits for its writes.
        FaultInjectingStorage storage = new FaultInjectingStorage();
        BTreeOptions options = BTreeOptions.defaults().withPoolFrames(FRAMES);
        TreeMap<Bytes, Bytes> expected = new TreeMap<>();
        Random random = new Random(3);
        try (BPlusTree tree = BPlusTree.open(storage, options)) {
            AtomicLong readerFailures = new AtomicLong();
            Thread reader = new Thread(() -> {
                Random r = new Random(4);
                try {
                    for (int i = 0; i < 40_000; i++) {
                        Optional<Bytes> v = tree.get(key(r.nextInt(40_000)));
                        if (v.isPresent() && v.get().length() != 60) {
                            readerFailures.incrementAndGet();
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    readerFailures.incrementAndGet();
                }
            });
            reader.start();
            for (int i = 0; i < 60_000; i++) {
                Bytes k = key(random.nextInt(40_000));
                byte[] v = new byte[60];
                random.nextBytes(v);
                tree.put(k, Bytes.wrap(v));
                expected.put(k, Bytes.wrap(v));
                if (i % 5_000 == 4_999) {
                    tree.checkpoint();
                }
            }
            reader.join();
            assertThat("the reader saw only whole values", readerFailures.get(), is(0L));
            assertThat("the pool wrote pages back", tree.poolStats().pageWrites(), greaterThan(0L));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        try (BPlusTree reopened = BPlusTree.open(storage, options)) {
            assertThat(reopened.size(), equalTo((long) expected.size()));
            for (Map.Entry<Bytes, Bytes> e : expected.entrySet()) {
                assertThat(reopened.get(e.getKey()), equalTo(Optional.of(e.getValue())));
            }
        }
    }

    @Test
    void aMissTakesACleanVictimBeforeADirtyOneAndLeavesTheDirtyPageResident() throws IOException {
        WritesByThread storage = new WritesByThread();
        PageFile file = formattedFile(storage);
        LockFreeBufferPool pool = lruTwoPool(file, PageTable.open(file));
        List<Long> pages = pagesInVictimOrder(pool, 1);
        String me = Thread.currentThread().getName();
        long written = storage.by(me);
        long first = pages.get(0);
        long second = pages.get(1);
        pool.unpin(pool.fetch(pages.get(pages.size() - 1)), false); // a miss: the pool is full
        assertThat("the miss wrote no page back", storage.by(me), equalTo(written));
        assertThat("the dirty first victim stayed resident", pool.isResident(first), is(true));
        assertThat("the clean second victim was evicted in its place", pool.isResident(second), is(false));
        assertThat(
                "no cleaner started: no eviction wrote its victim back",
                pool.cleaner().thread() == null,
                is(true));
        pool.close();
        file.close();
    }

    @Test
    void aWriteWritesBackDirtyNextVictimsItselfOnceAMissHasReadAPage() throws IOException {
        WritesByThread storage = new WritesByThread();
        PageFile file = formattedFile(storage);
        LockFreeBufferPool pool = lruTwoPool(file, PageTable.open(file));
        List<Long> pages = pagesInVictimOrder(pool, FRAMES); // every resident page dirty
        long outside = pages.remove(pages.size() - 1);
        String me = Thread.currentThread().getName();
        long written = storage.by(me);
        writeMany(pool);
        assertThat(
                "no miss has read a page (a sequential fill's never do): the writes write nothing back",
                storage.by(me),
                equalTo(written));
        pool.unpin(pool.fetch(outside), false); // a miss that reads a page (and writes its dirty victim)
        written = storage.by(me);
        pool.afterWrite();
        long cleaned = storage.by(me) - written;
        assertThat("a round wrote back dirty next victims", cleaned, greaterThan(0L));
        assertThat("a round writes back at most " + LockFreeBufferPool.WRITER_CLEANS, cleaned, lessThanOrEqualTo((long)
                LockFreeBufferPool.WRITER_CLEANS));
        long clean = 0;
        for (long page : pages) {
            if (pool.isResident(page)) {
                Frame f = pool.fetch(page);
                clean += f.dirty ? 0 : 1;
                pool.unpin(f, false);
            }
        }
        assertThat("the pages the round wrote stayed resident, clean", clean, equalTo(cleaned));
        pool.close();
        file.close();
    }

    @Test
    void aWriteWritesNothingBackWhileAFrameIsFree() throws IOException {
        WritesByThread storage = new WritesByThread();
        PageFile file = formattedFile(storage);
        PageTable table = PageTable.open(file);
        LockFreeBufferPool first = lruTwoPool(file, table);
        List<Long> pages = new ArrayList<>();
        for (int i = 0; i < FRAMES / 2; i++) {
            Frame f = first.create(PageFormat.TYPE_LEAF);
            pages.add(f.pageId());
            first.unpin(f, true);
        }
        first.flushAll();
        first.close();
        // A second pool over the same pages reads each (misses that read) and dirties it: half its
        // frames are free.
        LockFreeBufferPool pool = lruTwoPool(file, table);
        for (long page : pages) {
            pool.unpin(pool.fetch(page), true);
        }
        String me = Thread.currentThread().getName();
        long written = storage.by(me);
        writeMany(pool);
        assertThat(
                "no page is about to be evicted: a page written now might be dirtied and written again",
                storage.by(me),
                equalTo(written));
        pool.close();
        file.close();
    }

    /** The ends of a hundred writes ({@link LockFreeBufferPool#afterWrite}). */
    private static void writeMany(LockFreeBufferPool pool) {
        for (int i = 0; i < 100; i++) {
            pool.afterWrite();
        }
    }

    /**
     * Fills {@code pool} (which has no cleaner thread yet) so that its replacer's next victims are
     * the pages returned, in order, and only the first {@code dirty} of them are dirty; the list ends
     * with a page of the file that is not resident. No eviction wrote a page back, so no cleaner
     * runs.
     */
    private static List<Long> pagesInVictimOrder(LockFreeBufferPool pool, int dirty) throws IOException {
        List<Long> pages = new ArrayList<>();
        for (int i = 0; i < FRAMES; i++) {
            Frame f = pool.create(PageFormat.TYPE_LEAF);
            pages.add(f.pageId());
            pool.unpin(f, true);
        }
        pool.flushAll(); // every page clean
        Frame extra = pool.create(PageFormat.TYPE_LEAF); // evicts the first page, clean
        long outside = pages.remove(0);
        pages.add(extra.pageId());
        pool.unpin(extra, true);
        pool.flushAll();
        // A second access to each, in the order of the first: under LRU-2 each then ranks by its
        // first access, so the victims come in this order; the first ones are dirtied at theirs.
        // cleanAhead(0) hands each access to the replacer at once (it drains the queue and writes
        // nothing), so that none counts as correlated with the last creates and goes untold.
        for (int i = 0; i < pages.size(); i++) {
            pool.unpin(pool.fetch(pages.get(i)), i < dirty);
            pool.cleanAhead(0);
        }
        assertThat(
                "nothing was evicted dirty, so no cleaner runs", pool.cleaner().thread() == null, is(true));
        pages.add(outside);
        return pages;
    }

    @Test
    void aSmallPoolHasNoCleaner() throws IOException {
        PageFile file = formattedFile(new FaultInjectingStorage());
        PageTable table = PageTable.open(file);
        LockFreeBufferPool small = new LockFreeBufferPool(file, table, FRAMES - 1, new LruKReplacer(FRAMES - 1, 2));
        assertThat("no cleaner below " + FRAMES + " frames", PageCleaner.of(small) == null, is(true));
        file.close();
    }

    /** A pool of {@link #FRAMES} frames under LRU-2 over {@code file}. */
    private static LockFreeBufferPool lruTwoPool(PageFile file, PageTable table) {
        return new LockFreeBufferPool(file, table, FRAMES, new LruKReplacer(FRAMES, 2));
    }

    /** A page file of the smallest pages on {@code storage}, its page table formatted and forced. */
    private static PageFile formattedFile(Storage storage) throws IOException {
        storage.create(NAME).close();
        PageFile file = new PageFile(storage, NAME, PageFormat.MIN_PAGE_SIZE);
        PageTable.format(file);
        file.force();
        return file;
    }

    private static Bytes key(int i) {
        return Bytes.of(String.format("key%08d", i));
    }
}
