package dev.storagelab.btree.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.btree.BufferPool;
import dev.storagelab.btree.BufferPool.Frame;
import dev.storagelab.btree.BufferPool.PoolStats;
import dev.storagelab.btree.Internals;
import dev.storagelab.btree.LruKModel;
import dev.storagelab.btree.LruKReplacer;
import dev.storagelab.btree.LruReplacer;
import dev.storagelab.btree.PageFormat;
import dev.storagelab.btree.Replacer;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the buffer pool (lab-04 T6) and its replacers (T4 LRU, T5 LRU-K), on a
 * standalone pool over a fresh page file of 512-byte pages: pinned pages are never evicted, a pool
 * whose frames are all pinned refuses instead of evicting one, dirty pages are written back before
 * their frame is reused (and clean ones are not), hits and misses are counted exactly, LRU and
 * LRU-2 pick the victims their definitions say, and LRU-2 keeps hot pages through a scan.
 *
 * <p>Each page carries a stamp (a long at byte {@value #STAMP_AT}, in the page's free space) so a
 * test can tell a page's current bytes from a stale or foreign copy.
 */
@Tag("hidden")
class BufferPoolHiddenTest {

    private static final int PAGE = 512;
    private static final int STAMP_AT = 200;
    private static final String FILE = "pool.pages";

    private static BufferPool pool(FaultInjectingStorage storage, int frames, Replacer.Kind kind) throws IOException {
        return Internals.newPool(storage, FILE, PAGE, frames, kind.create(frames));
    }

    private static void stamp(Frame f, long stamp) {
        ByteBuffer.wrap(f.data()).putLong(STAMP_AT, stamp);
    }

    private static long stampOf(Frame f) {
        return ByteBuffer.wrap(f.data()).getLong(STAMP_AT);
    }

    /** Creates a page stamped with {@code stamp} and unpins it dirty; returns its id. */
    private static long newPage(BufferPool pool, long stamp) throws IOException {
        Frame f = pool.create(PageFormat.TYPE_LEAF);
        stamp(f, stamp);
        long id = f.pageId();
        pool.unpin(f, true);
        return id;
    }

    /** Fetches page {@code id}, checks its stamp, and unpins it clean. */
    private static void touch(BufferPool pool, long id, long stamp, String where) throws IOException {
        Frame f = pool.fetch(id);
        try {
            assertThat(
                    where + ": page " + id + " must come back with its last written bytes", stampOf(f), equalTo(stamp));
        } finally {
            pool.unpin(f, false);
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "buffer pool evicts a pinned page (or reuses its frame) while a caller still uses it")
    void pinnedPagesAreNeverEvicted() throws IOException {
        for (Replacer.Kind kind : Replacer.Kind.values()) {
            BufferPool pool = pool(new FaultInjectingStorage(), 4, kind);
            Frame pinnedA = pool.create(PageFormat.TYPE_LEAF);
            stamp(pinnedA, 1111);
            Frame pinnedB = pool.create(PageFormat.TYPE_INTERNAL);
            stamp(pinnedB, 2222);
            long idA = pinnedA.pageId();
            long idB = pinnedB.pageId();
            List<Long> others = new ArrayList<>();
            Random random = new Random(5);
            for (int i = 0; i < 60; i++) {
                String where = kind + ", step " + i;
                if (others.isEmpty() || random.nextInt(3) > 0) {
                    others.add(newPage(pool, 10_000 + others.size()));
                } else {
                    int j = random.nextInt(others.size());
                    touch(pool, others.get(j), 10_000 + j, where);
                }
                assertThat(where + ": pinned page " + idA + " stays resident", pool.isResident(idA), is(true));
                assertThat(where + ": pinned page " + idB + " stays resident", pool.isResident(idB), is(true));
                assertThat(
                        where + ": a pinned page's frame is never given to another page",
                        pinnedA.pageId(),
                        equalTo(idA));
                assertThat(
                        where + ": a pinned page's frame is never given to another page",
                        pinnedB.pageId(),
                        equalTo(idB));
                assertThat(where + ": a pinned page's bytes are never overwritten", stampOf(pinnedA), equalTo(1111L));
                assertThat(where + ": a pinned page's bytes are never overwritten", stampOf(pinnedB), equalTo(2222L));
                assertThat(where + ": two pages pinned", pool.pinnedFrames(), equalTo(2));
            }
            Frame again = pool.fetch(idA);
            assertThat(kind + ": fetching a pinned page returns its frame", again, sameInstance(pinnedA));
            pool.unpin(again, false);
            pool.unpin(pinnedA, true);
            pool.unpin(pinnedB, true);
            assertThat(kind + ": every pin released", pool.pinnedFrames(), equalTo(0));
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "a buffer pool with every frame pinned evicts a pinned page, or fails with "
                    + "something other than a clear 'pool is full' IllegalStateException, or breaks after it")
    void aFullPoolRefusesAndRecovers() throws IOException {
        BufferPool pool = pool(new FaultInjectingStorage(), 4, Replacer.Kind.LRU);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(newPage(pool, 500 + i));
        }
        List<Frame> pinned = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pinned.add(pool.fetch(ids.get(i)));
        }
        IllegalStateException fetchFull = assertThrows(
                IllegalStateException.class,
                () -> pool.fetch(ids.get(5)),
                "fetching a page into a pool whose 4 frames are all pinned must fail: no frame may be taken");
        assertThat("the message says the pool is full", fetchFull.getMessage(), containsString("full"));
        IllegalStateException createFull = assertThrows(
                IllegalStateException.class,
                () -> pool.create(PageFormat.TYPE_LEAF),
                "creating a page in a full pool must fail too");
        assertThat("the message says the pool is full", createFull.getMessage(), containsString("full"));
        for (int i = 0; i < 4; i++) {
            assertThat(
                    "after the refusals, pinned page " + ids.get(i) + " is intact in its frame",
                    pinned.get(i).pageId() == ids.get(i) && stampOf(pinned.get(i)) == 500 + i,
                    is(true));
        }
        assertThat("the refusals pinned nothing", pool.pinnedFrames(), equalTo(4));
        pool.unpin(pinned.get(2), false);
        touch(pool, ids.get(5), 505, "once a frame is unpinned the pool works again");
        assertThat("page " + ids.get(2) + " was the only evictable page", pool.isResident(ids.get(2)), is(false));
        for (int i : new int[] {0, 1, 3}) {
            pool.unpin(pinned.get(i), false);
        }
        for (int i = 0; i < 6; i++) {
            touch(pool, ids.get(i), 500 + i, "after the pool was full");
        }
        assertThat(pool.pinnedFrames(), equalTo(0));
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "a dirty page is evicted without being written back (its changes are lost), or a "
                    + "clean page is written back needlessly")
    void dirtyPagesAreWrittenBackAndCleanPagesAreNot() throws IOException {
        BufferPool pool = pool(new FaultInjectingStorage(), 3, Replacer.Kind.LRU);
        long x = newPage(pool, 1);
        List<Long> fillers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fillers.add(newPage(pool, 100 + i)); // the third evicts x, which is dirty
        }
        PoolStats s1 = pool.stats();
        assertThat("a dirty page evicted is written back first", s1.pageWrites(), equalTo(1L));
        assertThat("one eviction so far", s1.evictions(), equalTo(1L));
        touch(pool, x, 1, "after its eviction");

        Frame f = pool.fetch(x);
        stamp(f, 2);
        pool.unpin(f, true);
        Frame g = pool.fetch(x);
        pool.unpin(g, false); // a later clean unpin must not clear the dirty flag
        long writes = pool.stats().pageWrites();
        for (int i = 0; i < 3; i++) {
            fillers.add(newPage(pool, 200 + i));
        }
        assertThat(
                "evicting a page changed since it was read writes it back, even after a later clean unpin",
                pool.stats().pageWrites() - writes,
                greaterThanOrEqualTo(1L));
        touch(pool, x, 2, "after a change, a clean unpin and an eviction");

        pool.flushAll();
        long afterFlush = pool.stats().pageWrites();
        for (int i = 0; i < 3; i++) {
            touch(pool, fillers.get(i), 100 + i, "reading the first fillers back");
        }
        assertThat(
                "evicting clean pages (flushed, or only read) writes nothing",
                pool.stats().pageWrites(),
                equalTo(afterFlush));
        for (int i = 0; i < fillers.size(); i++) {
            touch(pool, fillers.get(i), i < 3 ? 100 + i : 200 + i - 3, "at the end");
        }
        touch(pool, x, 2, "at the end");
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "buffer pool counts hits, misses, evictions or resident pages wrongly "
                    + "(a create is neither a hit nor a miss; a miss is a page read)")
    void hitsMissesAndEvictionsAreCountedExactly() throws IOException {
        BufferPool pool = pool(new FaultInjectingStorage(), 3, Replacer.Kind.LRU);
        long a = newPage(pool, 1);
        long b = newPage(pool, 2);
        assertThat("two creates", pool.stats(), equalTo(new PoolStats(3, 2, 0, 0, 0, 0)));
        assertThat(
                "no fetch yet: the hit rate is undefined",
                Double.isNaN(pool.stats().hitRate()),
                is(true));
        touch(pool, a, 1, "hit");
        touch(pool, a, 1, "hit");
        touch(pool, b, 2, "hit");
        assertThat(
                "three fetches of resident pages are three hits",
                pool.stats(),
                equalTo(new PoolStats(3, 2, 3, 0, 0, 0)));
        long c = newPage(pool, 3);
        long d = newPage(pool, 4); // evicts a (least recently used), dirty
        assertThat(
                "a fourth page in three frames evicts one, written back",
                pool.stats(),
                equalTo(new PoolStats(3, 3, 3, 0, 1, 1)));
        touch(pool, a, 1, "miss"); // evicts b, dirty
        touch(pool, a, 1, "hit");
        assertThat(
                "a fetch of an evicted page is a miss and evicts another",
                pool.stats(),
                equalTo(new PoolStats(3, 3, 4, 1, 2, 2)));
        assertThat("hit rate: 4 hits of 5 fetches", pool.stats().hitRate(), equalTo(0.8));
        touch(pool, c, 3, "hit");
        touch(pool, d, 4, "hit");
        touch(pool, b, 2, "miss"); // evicts a, clean now
        assertThat("evicting a clean page writes nothing", pool.stats(), equalTo(new PoolStats(3, 3, 6, 2, 3, 2)));
    }

    @Test
    @Graded(
            task = "T4",
            points = 2,
            concept = "LRU replacer evicts the wrong frame: not the least recently used (or unpinned) "
                    + "evictable one, or a non-evictable one")
    void lruEvictsTheLeastRecentlyUsedFrame() throws IOException {
        LruReplacer lru = new LruReplacer(8);
        for (int f = 1; f <= 5; f++) {
            lru.recordAccess(f);
            lru.setEvictable(f, true);
        }
        assertThat("five evictable frames", lru.size(), equalTo(5));
        lru.recordAccess(2); // 2 becomes the most recent
        lru.setEvictable(3, false);
        lru.setEvictable(4, true); // already evictable: no change, and not an access
        assertThat("frame 3 is pinned again, 4 was already evictable", lru.size(), equalTo(4));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            order.add(lru.evict());
        }
        assertThat(
                "victims: least recently used first; a frame not evictable never; -1 when none is left",
                order,
                equalTo(List.of(1, 4, 5, 2, -1)));
        assertThat(lru.size(), equalTo(0));
        lru.setEvictable(3, true);
        lru.recordAccess(6);
        lru.setEvictable(6, true);
        lru.remove(6);
        assertThat("a removed frame is forgotten", lru.size(), equalTo(1));
        assertThat("the frame made evictable again is the victim", lru.evict(), equalTo(3));
        assertThat(lru.evict(), equalTo(-1));

        BufferPool pool = pool(new FaultInjectingStorage(), 4, Replacer.Kind.LRU);
        long[] p = new long[4];
        for (int i = 0; i < 4; i++) {
            p[i] = newPage(pool, i);
        }
        touch(pool, p[0], 0, "LRU pool");
        newPage(pool, 99); // order was p1, p2, p3, p0: evicts p1
        assertThat(
                "the pool evicts the least recently used page",
                residency(pool, p),
                equalTo(List.of(true, false, true, true)));
        touch(pool, p[2], 2, "LRU pool");
        newPage(pool, 98); // order p3, p0, 99, p2: evicts p3
        assertThat(
                "the pool evicts the least recently used page",
                residency(pool, p),
                equalTo(List.of(true, false, true, false)));
    }

    private static List<Boolean> residency(BufferPool pool, long[] ids) {
        List<Boolean> out = new ArrayList<>();
        for (long id : ids) {
            out.add(pool.isResident(id));
        }
        return out;
    }

    @Test
    @Graded(
            task = "T5",
            points = 3,
            concept = "LRU-K replacer differs from the LRU-K rule on random histories (K of 1 to 3, "
                    + "accesses to frames already evictable, removed frames coming back, the victim batch going stale)")
    void lruKMatchesAModelOnRandomHistories() {
        for (int k = 1; k <= 3; k++) {
            for (long seed = 0; seed < 60; seed++) {
                java.util.SplittableRandom random = new java.util.SplittableRandom(seed * 31 + k);
                int frames = 1 + random.nextInt(12);
                LruKReplacer replacer = new LruKReplacer(frames, k);
                LruKModel model = new LruKModel(frames, k);
                StringBuilder history = new StringBuilder();
                for (int step = 0; step < 300; step++) {
                    int f = random.nextInt(frames);
                    int op = random.nextInt(10);
                    String where = "LRU-" + k + " over " + frames + " frames, after " + history;
                    if (op < 5) {
                        replacer.recordAccess(f);
                        model.recordAccess(f);
                        history.append(" access(").append(f).append(')');
                    } else if (op < 7 && !model.history(f).isEmpty()) {
                        boolean on = random.nextInt(3) > 0;
                        replacer.setEvictable(f, on);
                        model.setEvictable(f, on);
                        history.append(on ? " evictable(" : " pinned(")
                                .append(f)
                                .append(')');
                    } else if (op < 9) {
                        int victim = replacer.evict();
                        assertThat(where + ": evict()", victim, equalTo(model.evict()));
                        history.append(" evict=").append(victim);
                    } else if (!model.history(f).isEmpty()) {
                        replacer.remove(f);
                        model.remove(f);
                        history.append(" remove(").append(f).append(')');
                    }
                    assertThat(where + ": size()", replacer.size(), equalTo(model.size()));
                    if (history.length() > 400) {
                        history.delete(0, history.length() - 400).insert(0, "...");
                    }
                }
            }
        }
    }

    @Test
    @Graded(
            task = "T5",
            points = 3,
            concept = "LRU-K replacer orders frames by their most recent (or oldest ever) access "
                    + "instead of their K-th most recent, or does not evict frames with fewer than K accesses first")
    void lru2EvictsByTheSecondMostRecentAccess() {
        LruKReplacer lru2 = new LruKReplacer(8, 2);
        int[] accesses = {0, 1, 1, 0, 2, 3, 4, 4, 4};
        for (int f : accesses) {
            lru2.recordAccess(f);
        }
        for (int f = 0; f <= 4; f++) {
            lru2.setEvictable(f, true);
        }
        // Times: 0 at t0 and t3; 1 at t1 and t2; 2 at t4; 3 at t5; 4 at t6, t7, t8.
        // Fewer than 2 accesses (infinite distance) first, oldest first access first: 2, 3.
        // Then by the second most recent access: 0 (t0), 1 (t1), 4 (t7).
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            order.add(lru2.evict());
        }
        assertThat(
                "LRU-2 victims for accesses " + java.util.Arrays.toString(accesses),
                order,
                equalTo(List.of(2, 3, 0, 1, 4, -1)));

        LruKReplacer again = new LruKReplacer(4, 2);
        for (int f : new int[] {0, 1, 1, 0, 0}) { // 0 at t0, t3, t4; 1 at t1, t2
            again.recordAccess(f);
        }
        again.setEvictable(0, true);
        again.setEvictable(1, true);
        assertThat(
                "frame 0's second most recent access (t3) is after frame 1's (t1): frame 1 goes first, although "
                        + "frame 0 has the oldest access of all",
                again.evict(),
                equalTo(1));
        again.recordAccess(1); // history cleared by the eviction: one access, infinite distance
        again.setEvictable(1, true);
        assertThat(
                "an evicted frame's history is forgotten: with one new access it goes first",
                again.evict(),
                equalTo(1));
        again.recordAccess(2);
        again.setEvictable(2, true);
        again.setEvictable(2, false);
        again.setEvictable(2, true);
        again.recordAccess(3);
        again.setEvictable(3, true);
        assertThat(
                "making a frame evictable is not an access: 2 (one access, at t6) before 3 (t7)",
                again.evict(),
                equalTo(2));
        again.remove(3);
        assertThat("remove forgets a frame", again.size(), equalTo(1));
        assertThat(again.evict(), equalTo(0));
        assertThat(again.evict(), equalTo(-1));
    }

    @Test
    @Graded(
            task = "T5",
            points = 2,
            concept = "LRU-2 buffer pool is not scan-resistant: a scan that reads each page once evicts "
                    + "the pages used again and again")
    void lru2KeepsHotPagesThroughAScan() throws IOException {
        BufferPool pool = pool(new FaultInjectingStorage(), 8, Replacer.Kind.LRU_2);
        long[] cold = new long[40];
        for (int i = 0; i < cold.length; i++) {
            cold[i] = newPage(pool, 1000 + i);
        }
        long[] hot = new long[4];
        for (int i = 0; i < hot.length; i++) {
            hot[i] = newPage(pool, i);
            touch(pool, hot[i], i, "warming the hot pages");
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < cold.length; i++) {
                touch(pool, cold[i], 1000 + i, "scan " + round);
            }
            for (int i = 0; i < hot.length; i++) {
                assertThat(
                        "after scan " + round + " of " + cold.length + " pages read once each through 8 frames, hot "
                                + "page " + hot[i] + " (used twice or more) must still be resident",
                        pool.isResident(hot[i]),
                        is(true));
            }
            long misses = pool.stats().misses();
            for (int i = 0; i < hot.length; i++) {
                touch(pool, hot[i], i, "using the hot pages after scan " + round);
            }
            assertThat(
                    "using the hot pages after a scan reads nothing from the file",
                    pool.stats().misses(),
                    equalTo(misses));
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 1,
            concept = "an unpin of a page that is not pinned is accepted (pin counts can go negative "
                    + "and a page in use becomes evictable), or marks the page changed before it is refused")
    void anUnpinWithoutAPinIsRefused() throws IOException {
        BufferPool pool = pool(new FaultInjectingStorage(), 4, Replacer.Kind.LRU_2);
        Frame f = pool.create(PageFormat.TYPE_LEAF);
        pool.unpin(f, true);
        assertThrows(
                IllegalStateException.class,
                () -> pool.unpin(f, false),
                "a second unpin of a page pinned once is a bug in the caller and must be refused");
        pool.flushAll();
        long writes = pool.stats().pageWrites();
        assertThrows(
                IllegalStateException.class,
                () -> pool.unpin(f, true),
                "an unpin (dirty) of a page that is not pinned must be refused");
        pool.flushAll();
        assertThat(
                "a refused unpin changes nothing: the clean page is not marked changed (written again)",
                pool.stats().pageWrites(),
                equalTo(writes));
        Frame g = pool.fetch(f.pageId());
        assertThat("the page is pinned once again", pool.pinnedFrames(), equalTo(1));
        pool.unpin(g, false);
        assertThat(pool.pinnedFrames(), equalTo(0));
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "a page that fails its checks on fetch leaks its frame, stays cached, or is "
                    + "returned as if good")
    void aCorruptPageDoesNotLeakAFrameOrGetCached() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        BufferPool pool = pool(storage, 4, Replacer.Kind.LRU);
        long[] ids = new long[8];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = newPage(pool, 300 + i);
        }
        pool.flushAll();
        assertThat("page " + ids[0] + " was evicted", pool.isResident(ids[0]), is(false));
        byte[] file = storage.contents(FILE);
        long physical = -1;
        for (long p = 2; p < file.length / PAGE; p++) {
            PageFileSpec.Page page = PageFileSpec.page(file, p, PAGE);
            if (page.sealed() && page.type() == PageFileSpec.TYPE_LEAF && page.pageId() == ids[0]) {
                physical = p;
            }
        }
        assertThat("page " + ids[0] + " was written back to the file", physical >= 2, is(true));
        storage.flipBit(FILE, physical * PAGE + STAMP_AT, 3);
        for (int attempt = 0; attempt < 3; attempt++) {
            IOException e = assertThrows(
                    IOException.class, () -> pool.fetch(ids[0]), "a fetch of a page with a flipped bit must fail");
            assertThat(
                    "a page that fails its checksum is a CorruptionException",
                    e,
                    instanceOf(CorruptionException.class));
            assertThat(
                    "the exception names the page's byte offset",
                    ((CorruptionException) e).offset(),
                    equalTo(physical * PAGE));
            assertThat("a page that failed its checks is not cached", pool.isResident(ids[0]), is(false));
            assertThat("a failed fetch pins nothing", pool.pinnedFrames(), equalTo(0));
        }
        List<Frame> all = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            all.add(pool.fetch(ids[i])); // fails if a failed fetch kept a frame
        }
        assertThat("all four frames can be pinned after three failed fetches", pool.pinnedFrames(), equalTo(4));
        for (int i = 0; i < 4; i++) {
            assertThat(stampOf(all.get(i)), equalTo(301L + i));
            pool.unpin(all.get(i), false);
        }
    }
}
