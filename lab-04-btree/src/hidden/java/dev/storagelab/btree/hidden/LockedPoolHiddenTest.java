package dev.storagelab.btree.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;

import dev.storagelab.btree.BufferPool;
import dev.storagelab.btree.BufferPool.Frame;
import dev.storagelab.btree.Internals;
import dev.storagelab.btree.PageFormat;
import dev.storagelab.btree.Replacer;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of lab-04 T6, the buffer pool under one lock ({@code LockedBufferPool}), aimed at the
 * bugs a pool written for the first time has: a pin that is never dropped (the page can never be
 * evicted), a frame evicted while a hit holds it, a dirty page lost on eviction, a replacer that is
 * not told of a pin or an unpin (so it picks the wrong victim), a flush that writes clean pages or
 * leaves pages dirty, and a resident page read into a second frame.
 *
 * <p>The pools run over a fresh page file of 512-byte pages with {@link ExactLru}, an LRU replacer
 * written here, so that these tests depend on T6 alone (not on the LRU of T4), and each page carries
 * a stamp (a long at byte {@value #STAMP_AT}) so that a test can tell its bytes from another's.
 */
@Tag("hidden")
class LockedPoolHiddenTest {

    private static final int PAGE = 512;
    private static final int STAMP_AT = 200;
    private static final String FILE = "locked.pages";

    /**
     * LRU by the later of a frame's last access and the moment it became evictable (as T4's), over
     * a list: the least recent evictable frame first. It checks the calls it gets as the pool's
     * contract says: {@code evict} is asked only when no frame is free, never about a frame it was
     * not told of.
     */
    static class ExactLru implements Replacer {
        private final LinkedHashSet<Integer> evictable = new LinkedHashSet<>();
        int accesses;

        @Override
        public void recordAccess(int frame) {
            accesses++;
            if (evictable.remove(frame)) {
                evictable.add(frame);
            }
        }

        @Override
        public void setEvictable(int frame, boolean canEvict) {
            if (canEvict && !evictable.contains(frame)) {
                evictable.add(frame);
            } else if (!canEvict) {
                evictable.remove(frame);
            }
        }

        @Override
        public int evict() {
            if (evictable.isEmpty()) {
                return -1;
            }
            int victim = evictable.iterator().next();
            evictable.remove(victim);
            return victim;
        }

        @Override
        public void remove(int frame) {
            evictable.remove(frame);
        }

        @Override
        public int size() {
            return evictable.size();
        }
    }

    private static BufferPool pool(int frames, Replacer replacer) throws IOException {
        return Internals.newPool(new FaultInjectingStorage(), FILE, PAGE, frames, replacer);
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
        Frame f;
        try {
            f = pool.fetch(id);
        } catch (CorruptionException e) {
            throw new AssertionError(
                    where + ": page " + id + " cannot be read back (" + e.getMessage()
                            + "): its last changes were never written, or were written over",
                    e);
        }
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
            concept = "buffer pool leaks a pin (a fetch pins twice, an unpin or a discard does not drop "
                    + "one): a page no one uses any more can never be evicted")
    void everyPinDroppedLeavesEveryPageEvictable() throws IOException {
        BufferPool pool = pool(4, new ExactLru());
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(newPage(pool, 100 + i)); // the last two evict the first two
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < ids.size(); i++) {
                long id = ids.get(i);
                Frame first = pool.fetch(id); // a miss or a hit
                Frame second = pool.fetch(id); // a hit on a pinned page
                assertThat(
                        "two fetches of page " + id + " while it is pinned return one frame",
                        second,
                        sameInstance(first));
                pool.unpin(second, round == 1); // dirty in one round, clean in the others
                pool.unpin(first, false);
                assertThat(
                        "round " + round + ", page " + id + ": two fetches, two unpins: no pin left",
                        pool.pinnedFrames(),
                        equalTo(0));
            }
        }
        Frame doomed = pool.create(PageFormat.TYPE_LEAF);
        pool.discard(doomed);
        assertThat("a discard drops the caller's pin", pool.pinnedFrames(), equalTo(0));
        List<Long> fresh = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            fresh.add(newPage(pool, 900 + i)); // needs every frame: the discarded one and three evictions
        }
        for (long id : ids) {
            assertThat(
                    "4 new pages in 4 frames: every earlier page, unpinned as often as it was pinned, was"
                            + " evicted (page " + id + " is still resident: a pin was never dropped)",
                    pool.isResident(id),
                    is(false));
        }
        for (int i = 0; i < ids.size(); i++) {
            touch(pool, ids.get(i), 100 + i, "read back after the pins");
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "buffer pool evicts a frame that a hit has pinned again: a hit does not tell the "
                    + "replacer the frame is no longer evictable")
    void aFramePinnedAgainByAHitIsNotEvicted() throws IOException {
        BufferPool pool = pool(3, new ExactLru());
        long a = newPage(pool, 1);
        long b = newPage(pool, 2);
        long c = newPage(pool, 3);
        Frame held = pool.fetch(a); // a hit on an evictable frame: it must stop being evictable
        for (int i = 0; i < 6; i++) {
            newPage(pool, 10 + i); // each needs a victim; a, pinned, is never one
            assertThat(
                    "new page " + i + ": page " + a + ", pinned by a hit, is still resident",
                    pool.isResident(a),
                    is(true));
            assertThat("new page " + i + ": the frame a hit holds still holds its page", held.pageId(), equalTo(a));
            assertThat(
                    "new page " + i + ": the bytes of the page a hit holds are untouched", stampOf(held), equalTo(1L));
        }
        assertThat("only the hit's page is pinned", pool.pinnedFrames(), equalTo(1));
        pool.unpin(held, false);
        touch(pool, b, 2, "after the hit let go");
        touch(pool, c, 3, "after the hit let go");
        touch(pool, a, 1, "after the hit let go");
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "a dirty page is lost on eviction: a created page is not dirty, a later clean unpin "
                    + "clears another pinner's dirty mark, or the victim is written after its frame took the next page")
    void aDirtyPageIsWrittenBackBeforeItsFrameIsReused() throws IOException {
        BufferPool pool = pool(2, new ExactLru());
        Frame created = pool.create(PageFormat.TYPE_LEAF);
        stamp(created, 7);
        long fresh = created.pageId();
        pool.unpin(created, false); // a new page is dirty by itself: it exists nowhere else
        long other = newPage(pool, 8);
        newPage(pool, 9); // evicts fresh, never written
        newPage(pool, 10); // evicts other
        touch(pool, fresh, 7, "a created page unpinned clean, then evicted");
        touch(pool, other, 8, "a page evicted to make room for the one read before it");

        Frame writer = pool.fetch(fresh);
        Frame reader = pool.fetch(fresh);
        stamp(writer, 70);
        pool.unpin(writer, true);
        pool.unpin(reader, false); // must not clear the writer's mark
        newPage(pool, 11);
        newPage(pool, 12); // both evict: fresh among them
        assertThat("(setup) page " + fresh + " was evicted", pool.isResident(fresh), is(false));
        touch(pool, fresh, 70, "changed by one pinner, unpinned clean by another, then evicted");

        for (int i = 0; i < 3; i++) { // each miss evicts the other page, dirty: written before it is read over
            Frame f = pool.fetch(i % 2 == 0 ? other : fresh);
            stamp(f, 200 + i);
            pool.unpin(f, true);
        }
        touch(pool, fresh, 201, "after misses that each evicted a dirty page");
        touch(pool, other, 202, "after misses that each evicted a dirty page");
    }

    @Test
    @Graded(
            task = "T6",
            points = 3,
            concept = "the replacer is not told of every pin and unpin (recordAccess, setEvictable), so "
                    + "it picks the wrong victim or does not know which frames are evictable")
    void theReplacerHearsOfEveryPinAndUnpinAndPicksTheRightVictim() throws IOException {
        ExactLru replacer = new ExactLru();
        int frames = 4;
        BufferPool pool = pool(frames, replacer);
        Random random = new Random(38);
        Map<Long, Long> stamps = new HashMap<>();
        Map<Long, Integer> pins = new HashMap<>();
        List<Frame> held = new ArrayList<>();
        // The model: resident pages, least recent first (an access or a last unpin makes a page the most recent).
        LinkedHashSet<Long> recency = new LinkedHashSet<>();
        int accessesExpected = 0;
        for (int step = 0; step < 400; step++) {
            String where = "step " + step;
            int op = random.nextInt(10);
            if (op < 3 && held.size() < frames - 1) {
                Long victim = expectedVictim(recency, pins, frames);
                Frame f = pool.create(PageFormat.TYPE_LEAF);
                checkEviction(pool, victim, recency, where + " (a create)");
                long id = f.pageId();
                stamp(f, 5000 + step);
                stamps.put(id, 5000L + step);
                recency.add(id);
                pins.merge(id, 1, Integer::sum);
                held.add(f);
                accessesExpected++;
            } else if (op < 7 && held.size() < frames - 1 && !stamps.isEmpty()) {
                List<Long> ids = new ArrayList<>(stamps.keySet());
                long id = ids.get(random.nextInt(ids.size()));
                Long victim = recency.contains(id) ? null : expectedVictim(recency, pins, frames);
                Frame f = pool.fetch(id);
                checkEviction(pool, victim, recency, where + " (a fetch of page " + id + ")");
                assertThat(where + ": page " + id + " fetched", stampOf(f), equalTo(stamps.get(id)));
                recency.remove(id);
                recency.add(id);
                pins.merge(id, 1, Integer::sum);
                held.add(f);
                accessesExpected++;
            } else if (!held.isEmpty()) {
                Frame f = held.remove(random.nextInt(held.size()));
                long id = f.pageId();
                pool.unpin(f, random.nextBoolean());
                if (pins.merge(id, -1, Integer::sum) == 0) {
                    pins.remove(id);
                    recency.remove(id);
                    recency.add(id); // evictable from now: the most recent of the evictable
                }
            }
            assertThat(
                    where + ": the replacer heard of an access for every fetch and every create",
                    replacer.accesses,
                    equalTo(accessesExpected));
            assertThat(
                    where + ": the replacer knows as evictable exactly the resident pages without a pin ("
                            + recency.size() + " resident, " + pins.size() + " pinned)",
                    replacer.size(),
                    equalTo(recency.size() - pins.size()));
        }
        for (Frame f : held) {
            pool.unpin(f, false);
        }
        assertThat(pool.pinnedFrames(), equalTo(0));
    }

    /**
     * The page the next miss or create must evict when the model's pool is full (the least recent
     * resident page without a pin), taken out of the model; null while a frame is free.
     */
    private static Long expectedVictim(LinkedHashSet<Long> recency, Map<Long, Integer> pins, int frames) {
        if (recency.size() < frames) {
            return null;
        }
        long victim = recency.stream()
                .filter(id -> !pins.containsKey(id))
                .findFirst()
                .orElseThrow(() -> new AssertionError("(test) the model has no victim"));
        recency.remove(victim);
        return victim;
    }

    /** After a miss or a create: the expected victim is gone, and every other page of the model is resident. */
    private static void checkEviction(BufferPool pool, Long victim, Set<Long> resident, String where) {
        if (victim != null) {
            assertThat(
                    where + ": LRU's victim is page " + victim + ", the least recently used of the pages without"
                            + " a pin",
                    pool.isResident(victim),
                    is(false));
        }
        for (long id : resident) {
            assertThat(
                    where + ": page " + id + " was not the victim and stays resident", pool.isResident(id), is(true));
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "flushAll writes clean pages, misses a dirty one, or leaves pages dirty (written "
                    + "again by the next flush or eviction)")
    void flushAllWritesEachDirtyPageOnceAndNoCleanPage() throws IOException {
        BufferPool pool = pool(4, new ExactLru());
        long a = newPage(pool, 1);
        long b = newPage(pool, 2);
        pool.flushAll();
        assertThat("flushAll writes the 2 dirty pages", pool.stats().pageWrites(), equalTo(2L));
        pool.flushAll();
        assertThat(
                "a second flushAll writes nothing: flushed pages are clean",
                pool.stats().pageWrites(),
                equalTo(2L));
        touch(pool, a, 1, "read, unpinned clean");
        Frame pinned = pool.fetch(b);
        stamp(pinned, 20);
        pool.unpin(pinned, true);
        Frame stillPinned = pool.fetch(b);
        long c = newPage(pool, 3);
        pool.flushAll();
        assertThat(
                "flushAll writes the changed pages (b, pinned now, and the new c), not the clean one (a)",
                pool.stats().pageWrites(),
                equalTo(4L));
        assertThat(
                "a flush keeps pages resident",
                pool.isResident(a) && pool.isResident(b) && pool.isResident(c),
                is(true));
        assertThat("a flush keeps pins", pool.pinnedFrames(), equalTo(1));
        pool.unpin(stillPinned, false);
        long evictionsBefore = pool.stats().evictions();
        for (int i = 0; i < 4; i++) {
            newPage(pool, 40 + i); // evicts a, b, c (clean) and the empty frame is used first
        }
        assertThat("(setup) a, b and c were evicted", pool.stats().evictions() - evictionsBefore, equalTo(3L));
        assertThat(
                "evicting pages that a flush left clean writes nothing",
                pool.stats().pageWrites(),
                equalTo(4L));
        touch(pool, a, 1, "after the flushes");
        touch(pool, b, 20, "after the flushes");
        touch(pool, c, 3, "after the flushes");
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "a fetch of a page already in the pool reads it into a second frame (a created or "
                    + "read page is not mapped to its frame): two copies of one page drift apart")
    void aResidentPageIsNeverReadIntoASecondFrame() throws IOException {
        BufferPool pool = pool(4, new ExactLru());
        Frame created = pool.create(PageFormat.TYPE_LEAF);
        long fresh = created.pageId();
        stamp(created, 5);
        Frame again;
        try {
            again = pool.fetch(fresh);
        } catch (CorruptionException e) {
            throw new AssertionError(
                    "page " + fresh + " was created and is still pinned, yet its fetch read it from"
                            + " the file, where it has never been written: " + e.getMessage(),
                    e);
        }
        assertThat("a fetch of a page created and still pinned returns its frame", again, sameInstance(created));
        assertThat("and reads nothing from the file", pool.stats().misses(), equalTo(0L));
        pool.unpin(again, false);
        pool.unpin(created, true);
        for (int i = 0; i < 4; i++) {
            newPage(pool, 60 + i); // evicts fresh
        }
        Frame read = pool.fetch(fresh); // a miss
        Frame readAgain = pool.fetch(fresh);
        assertThat(
                "a fetch of a page read by a miss, still pinned, returns the frame it was read into",
                readAgain,
                sameInstance(read));
        stamp(read, 55);
        pool.unpin(readAgain, false);
        pool.unpin(read, true);
        Frame hit = pool.fetch(fresh);
        assertThat(
                "and once unpinned too: a hit sees the change made through the first frame",
                stampOf(hit),
                equalTo(55L));
        pool.unpin(hit, false);
        assertThat("one miss for the one read", pool.stats().misses(), equalTo(1L));
        assertThat("4 frames hold 4 distinct pages", pool.stats().resident(), equalTo(4));
    }

    /** {@link ExactLru} that also notes which frames it was told to forget. */
    static final class ForgettingLru extends ExactLru {
        final List<Integer> removed = new ArrayList<>();

        @Override
        public void remove(int frame) {
            removed.add(frame);
            super.remove(frame);
        }
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "buffer pool's discard leaves its bookkeeping behind (the page id not given back to the"
                    + " page table, the page still resident or known to the replacer, the frame not free, a second"
                    + " discard accepted)")
    void aDiscardGivesBackThePageIdTheFrameAndForgetsThePage() throws IOException {
        ForgettingLru replacer = new ForgettingLru();
        BufferPool pool = pool(2, replacer);
        Frame held = pool.create(PageFormat.TYPE_LEAF); // stays pinned: the discarded frame is the only other
        Frame doomed = pool.create(PageFormat.TYPE_LEAF);
        long doomedId = doomed.pageId();
        int doomedFrame = doomed.index();
        pool.discard(doomed);
        assertThat("a discarded page is no longer resident", pool.isResident(doomedId), is(false));
        assertThat(
                "a discard tells the replacer to forget the frame (Replacer.remove)",
                replacer.removed.contains(doomedFrame),
                is(true));
        try {
            pool.discard(doomed);
            throw new AssertionError("a second discard of a frame the caller no longer pins must be refused");
        } catch (IllegalStateException expected) {
            // the Javadoc's contract
        }
        Frame next;
        try {
            next = pool.create(PageFormat.TYPE_LEAF);
        } catch (RuntimeException e) {
            throw new AssertionError(
                    "a 2-frame pool with one page pinned and one discarded must have a free frame for a new page (" + e
                            + "): the discard with no pin left did not free its frame",
                    e);
        }
        assertThat("the new page takes the discarded page's frame", next.index(), equalTo(doomedFrame));
        assertThat(
                "the discarded page's id went back to the page table, which hands out the lowest free id first",
                next.pageId(),
                equalTo(doomedId));
        pool.unpin(next, true);
        pool.unpin(held, true);
        assertThat("every pin dropped", pool.pinnedFrames(), equalTo(0));
    }
}
