package dev.storagelab.btree;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.btree.BufferPool.Frame;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.CorruptionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-04 T6, the {@link LockedBufferPool}: {@link BufferPool#fetch},
 * {@link BufferPool#create}, {@link BufferPool#unpin}, {@link BufferPool#discard},
 * {@link BufferPool#flushAll} and the choice of a victim frame. A fetched or created page is pinned
 * and stays in its frame until every pin is dropped; then the replacer may pick its frame, and a
 * dirty page is written back (through the page table) before the frame is reused. When every frame
 * is pinned the pool refuses with an {@link IllegalStateException} instead of evicting a page in
 * use. The pool counts hits, misses, evictions and page writes.
 *
 * <p>The pools here have 3 frames over a page file of 512-byte pages, with the {@link LruReplacer}
 * of T4. Each page carries a marker number in its body, so a page read back can be told apart.
 * {@link LockFreeBufferPoolTest} runs the same tests on the lock-free pool of T12.
 */
class BufferPoolTest {

    private static final String NAME = "pool.pages";
    static final int PAGE_SIZE = 512;
    private static final int MARKER_OFFSET = 200;

    final FaultInjectingStorage storage = new FaultInjectingStorage(5);
    PageFile file;
    PageTable table;

    /** The pool under test: {@code frames} frames over {@code file}, evicting with {@code replacer}. */
    BufferPool newPool(PageFile file, PageTable table, int frames, Replacer replacer) {
        return new LockedBufferPool(file, table, frames, replacer);
    }

    /** A new page file of 512-byte pages, formatted and opened: {@link #file} and {@link #table}. */
    void openFile() throws IOException {
        openFile(storage);
    }

    /** {@link #openFile()}, the page file opened through {@code over}, a storage over {@link #storage}. */
    void openFile(Storage over) throws IOException {
        storage.create(NAME).close();
        file = new PageFile(over, NAME, PAGE_SIZE);
        PageTable.format(file);
        file.force();
        table = PageTable.open(file);
    }

    BufferPool pool(int frames) throws IOException {
        openFile();
        return newPool(file, table, frames, new LruReplacer(frames));
    }

    @AfterEach
    void closeFile() throws IOException {
        if (file != null) {
            file.close();
        }
    }

    static void mark(Frame f, long marker) {
        ByteBuffer.wrap(f.data()).putLong(MARKER_OFFSET, marker);
    }

    static long marker(Frame f) {
        return ByteBuffer.wrap(f.data()).getLong(MARKER_OFFSET);
    }

    /** Creates a leaf marked with its own page id, unpins it dirty, and returns its id. */
    static long createMarked(BufferPool pool) throws IOException {
        Frame f = pool.create(PageFormat.TYPE_LEAF);
        mark(f, 1000 + f.pageId());
        long id = f.pageId();
        pool.unpin(f, true);
        return id;
    }

    @Test
    void aCreatedPageIsPinnedAndAFetchOfAResidentPageIsAHit() throws IOException {
        BufferPool pool = pool(3);
        Frame f = pool.create(PageFormat.TYPE_LEAF);
        long id = f.pageId();
        assertThat("create() returns the new page pinned", pool.pinnedFrames(), is(1));
        assertThat(
                "create() formats the page as an empty node of the type asked for",
                f.page().isLeaf(),
                is(true));
        assertThat("the page's header carries its logical id", f.page().pageId(), is(id));
        pool.unpin(f, true);
        assertThat("unpin drops the only pin", pool.pinnedFrames(), is(0));
        Frame again = pool.fetch(id);
        assertThat("fetching a resident page returns the frame it is in", again, is(sameInstance(f)));
        assertThat(
                "a fetch of a resident page is a hit (create is neither a hit nor a miss)",
                pool.stats().hits(),
                is(1L));
        assertThat("no page was read from the file", pool.stats().misses(), is(0L));
        assertThat("fetch pins", pool.pinnedFrames(), is(1));
        pool.unpin(again, false);
    }

    @Test
    void dirtyPagesAreWrittenBackOnEvictionAndReadBackIntact() throws IOException {
        BufferPool pool = pool(3);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(createMarked(pool));
        }
        BufferPool.PoolStats afterCreates = pool.stats();
        assertThat("10 pages through 3 frames: the first 7 were evicted", afterCreates.evictions(), is(7L));
        assertThat(
                "each evicted page was dirty (never written), so each was written back",
                afterCreates.pageWrites(),
                is(7L));
        assertThat("3 pages are resident", afterCreates.resident(), is(3));
        for (int i = ids.size() - 1; i >= 0; i--) {
            long id = ids.get(i);
            Frame f = pool.fetch(id);
            assertThat(
                    "page " + id + " read back after its eviction holds what was written into it",
                    marker(f),
                    is(1000 + id));
            assertThat("the page read back is page " + id, f.pageId(), is(id));
            pool.unpin(f, false);
        }
        assertThat(
                "fetching newest first: the 3 resident pages are hits",
                pool.stats().hits(),
                is(3L));
        assertThat(
                "and the 7 evicted pages are read from the file: 7 misses",
                pool.stats().misses(),
                is(7L));
    }

    @Test
    void aCleanPageIsNotWrittenBackWhenEvicted() throws IOException {
        BufferPool pool = pool(3);
        long first = createMarked(pool);
        createMarked(pool);
        createMarked(pool);
        pool.flushAll();
        assertThat("flushAll wrote the 3 dirty pages", pool.stats().pageWrites(), is(3L));
        for (int i = 0; i < 3; i++) {
            createMarked(pool); // evicts the three clean pages
        }
        assertThat(
                "evicting a clean page writes nothing: its bytes are already in the file",
                pool.stats().pageWrites(),
                is(3L));
        Frame f = pool.fetch(first);
        assertThat("the clean page evicted is read back intact", marker(f), is(1000 + first));
        assertThat(
                "the fetch evicted one of the new dirty pages, which was written back",
                pool.stats().pageWrites(),
                is(4L));
        pool.unpin(f, false);
    }

    @Test
    void pinnedPagesAreNeverEvicted() throws IOException {
        BufferPool pool = pool(3);
        Frame pinned = pool.create(PageFormat.TYPE_LEAF);
        mark(pinned, 42);
        for (int i = 0; i < 20; i++) {
            createMarked(pool);
        }
        assertThat(
                "20 pages went through the 2 frames left, but the pinned page stayed",
                pool.isResident(pinned.pageId()),
                is(true));
        assertThat("its bytes are untouched", marker(pinned), is(42L));
        Frame again = pool.fetch(pinned.pageId());
        assertThat("fetching it is a hit in the same frame", again, is(sameInstance(pinned)));
        pool.unpin(again, false);
        assertThat("pinned twice, unpinned once: still pinned", pool.pinnedFrames(), is(1));
        for (int i = 0; i < 5; i++) {
            createMarked(pool);
        }
        assertThat("a page with one pin left is still never evicted", pool.isResident(pinned.pageId()), is(true));
        pool.unpin(pinned, true);
        assertThat("the last unpin releases the page", pool.pinnedFrames(), is(0));
    }

    @Test
    void aFullPoolOfPinnedPagesRefusesWithAClearError() throws IOException {
        BufferPool pool = pool(3);
        long evicted = createMarked(pool);
        Frame a = pool.create(PageFormat.TYPE_LEAF);
        Frame b = pool.create(PageFormat.TYPE_LEAF);
        Frame c = pool.create(PageFormat.TYPE_LEAF);
        assertThat("(setup) the unpinned page was evicted to make room", pool.isResident(evicted), is(false));
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> pool.fetch(evicted),
                "every frame is pinned: a miss must not evict a page someone is using");
        assertThat(
                "the error says why",
                e.getMessage(),
                allOf(containsString("buffer pool of 3 frames is full"), containsString("pinned")));
        assertThrows(
                IllegalStateException.class, () -> pool.create(PageFormat.TYPE_LEAF), "create() needs a frame too");
        assertThat("the refused calls pinned nothing", pool.pinnedFrames(), is(3));
        pool.unpin(b, true);
        Frame back = pool.fetch(evicted);
        assertThat(
                "once a frame is unpinned the fetch works, and the page reads back intact",
                marker(back),
                is(1000 + evicted));
        pool.unpin(back, false);
        pool.unpin(a, true);
        pool.unpin(c, true);
        assertThat("every pin was released", pool.pinnedFrames(), is(0));
    }

    @Test
    void unpinningAFrameThatIsNotPinnedFails() throws IOException {
        BufferPool pool = pool(3);
        Frame f = pool.create(PageFormat.TYPE_LEAF);
        pool.unpin(f, true);
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> pool.unpin(f, false),
                "an unpin without a pin is a bug that would let a page in use be evicted: it must fail");
        assertThat(
                "the message names the frame and says it is not pinned", e.getMessage(), containsString("not pinned"));
        assertThat("the failed unpin left the pin count at 0, not -1", pool.pinnedFrames(), is(0));
        Frame again = pool.fetch(f.pageId());
        assertThat("one fetch pins it once", pool.pinnedFrames(), is(1));
        pool.unpin(again, false);
        assertThrows(IllegalStateException.class, () -> pool.unpin(again, false), "and one unpin releases it");
    }

    @Test
    void aPageUnpinnedDirtyOnceStaysDirtyUntilWrittenBack() throws IOException {
        BufferPool pool = pool(3);
        long id = createMarked(pool);
        Frame f = pool.fetch(id);
        pool.unpin(f, false); // a reader: it changed nothing, but the page is still dirty from before
        for (int i = 0; i < 3; i++) {
            createMarked(pool);
        }
        assertThat("(setup) the page was evicted", pool.isResident(id), is(false));
        Frame back;
        try {
            back = pool.fetch(id);
        } catch (CorruptionException e) {
            throw new AssertionError(
                    "page " + id + " was unpinned dirty, then fetched and unpinned clean: it must"
                            + " still be written back when evicted, but it cannot be read: " + e.getMessage(),
                    e);
        }
        assertThat(
                "unpin(frame, false) must not clear the dirty flag an earlier unpin set: the page was written back"
                        + " when it was evicted and reads back intact",
                marker(back),
                is(1000 + id));
        pool.unpin(back, false);
    }

    @Test
    void theReplacerChoosesTheVictim() throws IOException {
        BufferPool pool = pool(3);
        long a = createMarked(pool);
        long b = createMarked(pool);
        long c = createMarked(pool);
        Frame f = pool.fetch(a);
        pool.unpin(f, false);
        createMarked(pool);
        assertThat(
                "with LRU, the page used least recently is evicted: b (a was fetched again after b and c)",
                pool.isResident(b),
                is(false));
        assertThat("a was used recently", pool.isResident(a), is(true));
        assertThat("c was used after b", pool.isResident(c), is(true));
    }

    @Test
    void theHitRateIsHitsOverFetches() throws IOException {
        BufferPool pool = pool(3);
        long a = createMarked(pool);
        assertThat(
                "no fetch yet: the hit rate is NaN", Double.isNaN(pool.stats().hitRate()), is(true));
        for (int i = 0; i < 3; i++) {
            pool.unpin(pool.fetch(a), false);
        }
        assertThat("3 fetches of a resident page: 3 hits", pool.stats().hitRate(), closeTo(1.0, 1e-9));
        for (int i = 0; i < 3; i++) {
            createMarked(pool);
        }
        pool.unpin(pool.fetch(a), false);
        BufferPool.PoolStats stats = pool.stats();
        assertThat("a was evicted, so the 4th fetch is a miss", stats.misses(), is(1L));
        assertThat("the 3 earlier fetches stay hits", stats.hits(), is(3L));
        assertThat("hit rate = 3 hits / 4 fetches", stats.hitRate(), closeTo(0.75, 1e-9));
        assertThat("stats() reports the pool's frame count", stats.frames(), is(3));
    }

    @Test
    void aCorruptPageFailsItsFetchAndTheFrameIsNotLost() throws IOException {
        BufferPool pool = pool(3);
        long bad = createMarked(pool);
        List<Long> others = List.of(createMarked(pool), createMarked(pool), createMarked(pool));
        assertThat("(setup) the first page was evicted and written", pool.isResident(bad), is(false));
        storage.flipBit(NAME, table.physicalForRead(bad) * PAGE_SIZE + MARKER_OFFSET, 3);
        assertThrows(
                CorruptionException.class, () -> pool.fetch(bad), "a page that fails its checksum is never handed out");
        assertThat("the corrupt page is not cached", pool.isResident(bad), is(false));
        assertThat("the failed fetch holds no pin", pool.pinnedFrames(), is(0));
        List<Frame> pinned = new ArrayList<>();
        for (long id : others) {
            pinned.add(pool.fetch(id));
        }
        assertThat(
                "all 3 frames can still be pinned at once: the frame taken for the failed read went back to the"
                        + " pool",
                pool.pinnedFrames(),
                is(3));
        for (Frame f : pinned) {
            assertThat("page " + f.pageId() + " reads back intact", marker(f), is(1000 + f.pageId()));
            pool.unpin(f, false);
        }
    }

    @Test
    void threadsFetchingAndUnpinningAtOnceLoseNoPin() throws Exception {
        BufferPool pool = pool(3);
        List<Long> ids = List.of(createMarked(pool), createMarked(pool), createMarked(pool));
        int threads = 2;
        int fetchesEach = 10_000;
        long fetchesBefore = pool.stats().fetches();
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    for (int i = 0; i < fetchesEach; i++) {
                        long id = ids.get(i % ids.size());
                        Frame f = pool.fetch(id);
                        if (f.pageId() != id || marker(f) != 1000 + id) {
                            throw new AssertionError("fetch of page " + id + " returned " + f);
                        }
                        pool.unpin(f, false);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        assertThat("no fetch failed or got another page: " + failures, failures.isEmpty(), is(true));
        assertThat(
                "every pin was dropped: two threads' pins and unpins must both count, so none is lost",
                pool.pinnedFrames(),
                is(0));
        assertThat(
                "every fetch counted as a hit or a miss",
                pool.stats().fetches() - fetchesBefore,
                is((long) threads * fetchesEach));
    }

    @Test
    void closingAGuardLetsGoOfItsLatchThenItsPinDirtyOnlyIfMarked() throws IOException {
        BufferPool pool = pool(2);
        long clean = createMarked(pool);
        long changed = createMarked(pool);
        pool.flushAll();
        try (PageGuard reader = pool.read(clean)) {
            assertThat("a read guard pins its page", pool.pinnedFrames(), is(1));
            assertThat("and latches it shared", reader.frame().isLatchedShared(), is(true));
        }
        try (PageGuard writer = pool.write(changed)) {
            assertThat(
                    "a write guard latches its page exclusive", writer.frame().isLatchedExclusive(), is(true));
            mark(writer.frame(), 77);
            writer.markDirty();
        }
        assertThat("closed guards leave no pin", pool.pinnedFrames(), is(0));
        long writesBefore = pool.stats().pageWrites();
        pool.flushAll();
        assertThat("only the page marked dirty is written back", pool.stats().pageWrites() - writesBefore, is(1L));
        try (PageGuard again = pool.pin(changed)) {
            assertThat("the change was kept", marker(again.frame()), is(77L));
            assertThat(
                    "a pin guard takes no latch",
                    again.frame().isLatchedShared() || again.frame().isLatchedExclusive(),
                    is(false));
        }
    }

    @Test
    void aGuardIsLetGoOnceWhateverWayItsBlockEnds() throws IOException {
        BufferPool pool = pool(2);
        long id = createMarked(pool);
        PageGuard guard = pool.write(id);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (guard) {
                throw new IllegalStateException("the block failed");
            }
        });
        assertThat(e.getMessage(), is("the block failed"));
        assertThat("an exception in the block still unpins", pool.pinnedFrames(), is(0));
        guard.close(); // a second close changes nothing: the pin is not dropped twice
        assertThat(pool.pinnedFrames(), is(0));
        assertThrows(IllegalStateException.class, guard::page, "a closed guard refuses to hand out its page");
        try (PageGuard reader = pool.read(id)) {
            reader.upgradeToExclusive();
            assertThat(
                    "an upgraded guard holds the latch exclusive",
                    reader.frame().isLatchedExclusive(),
                    is(true));
        }
        try (PageGuard writer = pool.write(id)) {
            assertThat(
                    "the upgraded guard let go of its exclusive latch", writer.latch(), is(PageGuard.Latch.EXCLUSIVE));
        }
    }

    @Test
    void aNewPageGuardIsDirtyAndADiscardedOneFreesItsPageAndItsFrame() throws IOException {
        BufferPool pool = pool(1);
        long id;
        try (PageGuard fresh = pool.newPage(PageFormat.TYPE_LEAF)) {
            assertThat("a new page exists nowhere else: dirty", fresh.isDirty(), is(true));
            id = fresh.pageId();
        }
        PageGuard doomed = pool.write(id);
        doomed.discard();
        assertThat("a discarded guard is closed", doomed.isClosed(), is(true));
        assertThat("its page left the pool", pool.isResident(id), is(false));
        doomed.close(); // nothing: the discard let go of the pin already
        try (PageGuard next = pool.newPage(PageFormat.TYPE_LEAF)) {
            assertThat("the one frame was free again", pool.pinnedFrames(), is(1));
        }
    }
}
