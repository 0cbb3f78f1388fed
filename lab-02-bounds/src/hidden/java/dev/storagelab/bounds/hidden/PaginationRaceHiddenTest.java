package dev.storagelab.bounds.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import com.google.common.collect.Lists;
import dev.storagelab.bounds.Direction;
import dev.storagelab.bounds.KeysetPaginator;
import dev.storagelab.bounds.Page;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.ConcurrentSkipListMemtable;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.ForwardingMemtable;
import dev.storagelab.kv.Memtable;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
import dev.storagelab.testkit.TestThreads;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden race test of lab-02 T5's {@link KeysetPaginator}, which the handout calls thread-safe
 * (it holds no state between pages): one walk is stopped at each step of its scans in turn, and
 * at that step another walk takes a page of the same paginator and writes a key, before the
 * first walk goes on. A step is one call into a memtable's cursor, so the first walk is stopped
 * between any two entries of a page, and between its last entry and the look-ahead that decides
 * whether the page gets a cursor. Each stop is one deterministic interleaving (no timing), and
 * the first walk must still return every key that existed throughout exactly once, in order,
 * and the other page its own entries. It catches a paginator that keeps a page's state in a
 * field, where the other walk's page overwrites it (a page built in a shared buffer, a cursor
 * made from a shared "last key"): stress tests with one walker and one writer cannot see it.
 *
 * <p>The store keeps everything in a memtable that never fills, so no flush or compaction runs
 * on the store's own thread.
 */
@Tag("hidden")
class PaginationRaceHiddenTest {

    private static final byte[] SECRET = "pagination-race-test-secret-0123".getBytes(StandardCharsets.UTF_8);
    private static final String WALKER = "race-walker";
    /** Present throughout: the stopped walk must return each once, in order. */
    private static final List<String> STABLE = List.of("k0", "k2", "k4", "k6");
    /** The most steps a walk can take here; a walk stopped at none of them has been tried at every step. */
    private static final int MAX_STEPS = 500;

    @Test
    @Graded(
            task = "T5",
            points = 3,
            concept = "pagination not thread-safe: another walk's page, taken while a walk is between two "
                    + "steps of its page, makes it skip, repeat or misorder keys (page state kept in a shared field)")
    void aWalkInterruptedAtAnyStepByAnotherWalksPageReturnsEveryStableKeyOnce() throws Exception {
        for (Direction first : Direction.values()) {
            Direction other = first == Direction.FORWARD ? Direction.BACKWARD : Direction.FORWARD;
            int stops = 0;
            while (stopAtStep(first, 2, other, 1, stops)) {
                stops++;
                if (stops > MAX_STEPS) {
                    throw new AssertionError("a " + first + " walk over " + STABLE.size() + " keys took more than "
                            + MAX_STEPS + " steps: it does not end");
                }
            }
            assertThat("the " + first + " walk was stopped at some step", stops, greaterThan(0));
        }
    }

    /**
     * One interleaving: a walk in {@code first} direction with {@code limit} entries a page,
     * stopped at its step {@code step} while another thread takes the first page of a walk in
     * {@code other} direction and writes. Returns false if the walk ended before that step.
     */
    private static boolean stopAtStep(Direction first, int limit, Direction other, int otherLimit, int step)
            throws Exception {
        Steps steps = new Steps(step);
        SortedLogOptions options = SortedLogOptions.builder()
                .memtableBytes(1 << 20)
                .compactionTrigger(0)
                .memtableFactory(() -> new SteppingMemtable(new ConcurrentSkipListMemtable(), steps))
                .build();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicReference<List<String>> walked = new AtomicReference<>();
        AtomicReference<Page> otherPage = new AtomicReference<>();
        String what = first + " walk (" + limit + " a page) stopped at its step " + step
                + " while another thread took the " + "first " + other + " page (" + otherLimit
                + " a page) of the same paginator, put k1 and deleted k3";
        try (SortedLogStore store = SortedLogStore.open(new FaultInjectingStorage(), options)) {
            for (String k : STABLE) {
                store.put(Bytes.of(k), Bytes.of("stable " + k));
            }
            store.put(Bytes.of("k3"), Bytes.of("volatile k3"));
            KeysetPaginator paginator = new KeysetPaginator(store, SECRET);
            Thread walker = TestThreads.start(WALKER, () -> walked.set(walk(paginator, first, limit, what)), failures);
            boolean stopped = steps.awaitStopped(walker);
            try {
                if (stopped) {
                    Thread otherWalker = TestThreads.start(
                            "other-walker",
                            () -> {
                                otherPage.set(paginator.first(otherLimit, other));
                                store.put(Bytes.of("k1"), Bytes.of("volatile k1"));
                                store.delete(Bytes.of("k3"));
                            },
                            failures);
                    awaitDoneOrBlocked(otherWalker); // blocked: on a lock the stopped walk holds
                    steps.release();
                    TestThreads.joinAll(List.of(otherWalker));
                }
            } finally {
                steps.release();
            }
            TestThreads.joinAll(List.of(walker));
            assertThat(what + ": no call may fail", failures, empty());
            List<String> stable = new ArrayList<>(STABLE);
            if (first == Direction.BACKWARD) {
                stable = Lists.reverse(stable);
            }
            assertThat(
                    what + ": the stopped walk returns every key that existed throughout exactly once, in order",
                    walked.get(),
                    equalTo(stable));
            if (stopped) {
                List<String> keys = otherPage.get().entries().stream()
                        .map(e -> e.key().toUtf8())
                        .toList();
                List<String> expected = other == Direction.FORWARD ? List.of("k0") : List.of("k6");
                assertThat(what + ": the other walk's first page holds its own first entries", keys, equalTo(expected));
            }
            return stopped;
        }
    }

    /**
     * Walks from the first page to the last and returns the stable keys in the order met, failing
     * on a key out of order or repeated, a page over the limit, or an empty page with a cursor.
     */
    private static List<String> walk(KeysetPaginator paginator, Direction direction, int limit, String what) {
        List<String> stable = new ArrayList<>();
        Bytes previous = null;
        Page page = paginator.first(limit, direction);
        for (int pages = 1; ; pages++) {
            assertThat(
                    what + ": page " + pages + " holds no more than the limit",
                    page.entries().size() <= limit,
                    equalTo(true));
            for (Entry e : page.entries()) {
                if (previous != null) {
                    int order = previous.compareTo(e.key());
                    assertThat(
                            what + ": " + e.key() + " came after " + previous + "; keys must be strictly "
                                    + (direction == Direction.FORWARD ? "increasing" : "decreasing") + " across pages",
                            direction == Direction.FORWARD ? order < 0 : order > 0,
                            equalTo(true));
                }
                previous = e.key();
                if (STABLE.contains(e.key().toUtf8())) {
                    stable.add(e.key().toUtf8());
                }
            }
            if (page.nextCursor() == null) {
                return stable;
            }
            assertThat(
                    what + ": page " + pages + " is empty yet has a cursor",
                    page.entries().isEmpty(),
                    equalTo(false));
            assertThat(what + ": the walk ends", pages <= 2 * (STABLE.size() + 3), equalTo(true));
            page = paginator.next(page.nextCursor(), limit);
        }
    }

    private static void awaitDoneOrBlocked(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
        while (thread.isAlive()
                && thread.getState() != Thread.State.BLOCKED
                && thread.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(thread.getName() + " neither finished nor blocked within "
                        + TestThreads.LIVENESS_BOUND_SECONDS + " s");
            }
            Thread.sleep(1);
        }
    }

    /**
     * Counts the calls the thread named {@link #WALKER} makes into memtable cursors, and holds it
     * at call number {@code stopAt} until {@link #release()}.
     */
    private static final class Steps {
        private final int stopAt;
        private int calls; // the walker's own
        private final CountDownLatch stopped = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        Steps(int stopAt) {
            this.stopAt = stopAt;
        }

        void step() {
            if (!Thread.currentThread().getName().equals(WALKER) || calls++ != stopAt) {
                return;
            }
            stopped.countDown();
            try {
                if (!released.await(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never released the stopped walk");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopped", e);
            }
        }

        /** Whether {@code walker} stopped at the step (false: it ended first). */
        boolean awaitStopped(Thread walker) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
            while (!stopped.await(1, TimeUnit.MILLISECONDS)) {
                if (!walker.isAlive()) {
                    return stopped.getCount() == 0;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "the walk neither stopped nor ended within " + TestThreads.LIVENESS_BOUND_SECONDS + " s");
                }
            }
            return true;
        }

        void release() {
            released.countDown();
        }
    }

    /** A memtable whose cursors count each call as a step of {@link Steps}. */
    private static final class SteppingMemtable extends ForwardingMemtable {
        private final Steps steps;

        SteppingMemtable(Memtable inner, Steps steps) {
            super(inner);
            this.steps = steps;
        }

        @Override
        public EntryIterator iterator(Bytes from) {
            return stepping(delegate.iterator(from));
        }

        @Override
        public EntryIterator descendingIterator(Bytes from) {
            return stepping(delegate.descendingIterator(from));
        }

        private EntryIterator stepping(EntryIterator cursor) {
            return new EntryIterator() {
                @Override
                public boolean hasNext() {
                    steps.step();
                    return cursor.hasNext();
                }

                @Override
                public Entry next() {
                    steps.step();
                    return cursor.next();
                }

                @Override
                public void close() {
                    cursor.close();
                }
            };
        }
    }
}
