package dev.storagelab.bounds.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.bounds.Direction;
import dev.storagelab.bounds.KeysetPaginator;
import dev.storagelab.bounds.Page;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.SortedLogStore;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Hidden tests of lab-02 T5, {@link KeysetPaginator}: a full walk, page by page, returns the
 * store's live entries in order with no repeats and no gaps, including when the store flushes,
 * compacts and takes writes between pages, and while a writer thread inserts and deletes; in
 * that case every key that existed for the whole walk comes exactly once.
 */
@Tag("hidden")
class PaginationHiddenTest {

    private static final byte[] SECRET = "pagination hidden test secret".getBytes(StandardCharsets.UTF_8);

    @Property(tries = 200)
    @Graded(
            task = "T5",
            points = 4,
            concept = "pagination skips, repeats or misorders keys, or ends with a page it should not "
                    + "have promised (forward or backward)")
    void aFullWalkReturnsEveryEntryOnceInOrder(
            @ForAll("contents") List<ScanOp> writes,
            @ForAll @IntRange(min = 1, max = 12) int limit,
            @ForAll Direction direction)
            throws IOException {
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        try (SortedLogStore store = Stores.open(new FaultInjectingStorage(), 0)) {
            for (ScanOp op : writes) {
                ScanOp.applyWrite(store, oracle, op);
            }
            KeysetPaginator paginator = new KeysetPaginator(store, SECRET);
            List<Entry> expected = new ArrayList<>();
            oracle.forEach((k, v) -> expected.add(Entry.put(k, v)));
            if (direction == Direction.BACKWARD) {
                Collections.reverse(expected);
            }
            String what = direction + " walk with limit " + limit + " over " + writes;
            List<Page> pages = walk(paginator, limit, direction, expected.size(), what, null);
            List<Entry> all = new ArrayList<>();
            pages.forEach(p -> all.addAll(p.entries()));
            assertThat(
                    what + ": the pages together must be the store's live entries, each once, in "
                            + (direction == Direction.FORWARD ? "increasing" : "decreasing") + " key order",
                    all,
                    equalTo(expected));
            if (!expected.isEmpty()) {
                assertThat(
                        what + ": a page that ends at the last entry is the last page (peek before handing out a "
                                + "cursor that leads nowhere)",
                        pages.get(pages.size() - 1).entries().isEmpty(),
                        equalTo(false));
            }
        }
    }

    @Property(tries = 150)
    @Graded(
            task = "T5",
            points = 3,
            concept = "pagination skips or repeats a key when the store flushes, compacts or takes writes "
                    + "between pages")
    void aWalkSurvivesChangesBetweenPages(
            @ForAll("contents") List<ScanOp> writes,
            @ForAll("changesBetweenPages") List<List<ScanOp>> changes,
            @ForAll @IntRange(min = 1, max = 6) int limit,
            @ForAll Direction direction)
            throws IOException {
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        try (SortedLogStore store = Stores.open(new FaultInjectingStorage(), 0)) {
            for (ScanOp op : writes) {
                ScanOp.applyWrite(store, oracle, op);
            }
            Map<Bytes, Bytes> initial = new TreeMap<>(oracle);
            Map<Bytes, Set<Optional<Bytes>>> history = new HashMap<>();
            KeysetPaginator paginator = new KeysetPaginator(store, SECRET);
            String what = direction + " walk with limit " + limit + " over " + writes + ", changing " + changes;
            int bound = oracle.size() + changes.stream().mapToInt(List::size).sum();
            List<Page> pages = walk(paginator, limit, direction, bound, what, pageNumber -> {
                if (pageNumber < changes.size()) {
                    for (ScanOp op : changes.get(pageNumber)) {
                        Bytes key = keyOf(op);
                        if (key != null) {
                            history.computeIfAbsent(key, k -> new LinkedHashSet<>())
                                    .add(Optional.ofNullable(oracle.get(key)));
                        }
                        ScanOp.applyWrite(store, oracle, op);
                        if (key != null) {
                            history.get(key).add(Optional.ofNullable(oracle.get(key)));
                        }
                    }
                }
            });
            checkWalk(pages, direction, initial, history, what);
        }
    }

    @Example
    @Graded(task = "T5", points = 5, concept = "pagination skips or repeats a key under concurrent inserts and deletes")
    void concurrentWalksReturnEveryKeyThatExistedThroughoutExactlyOnce() throws Exception {
        int stable = 300;
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        try (SortedLogStore store = Stores.open(new FaultInjectingStorage(), 3)) {
            Map<Bytes, Bytes> stableEntries = new TreeMap<>();
            for (int i = 0; i < stable; i++) {
                Bytes key = Bytes.of(String.format("k%04d", i));
                stableEntries.put(key, Bytes.of("stable " + i));
                store.put(key, stableEntries.get(key));
            }
            store.flush();
            // The writer inserts and deletes keys between the stable ones, and right after them
            // (stable key + 0x00, the successor a forward page continues from), flushing as the
            // small memtable fills and compacting every third flush.
            Thread writer = TestThreads.start(
                    "writer",
                    () -> {
                        SplittableRandom random = new SplittableRandom(42);
                        while (!stop.get()) {
                            Bytes key = volatileKey(random.nextInt(stable), random.nextInt(3));
                            if (random.nextInt(3) == 0) {
                                store.delete(key);
                            } else {
                                store.put(key, Bytes.of("volatile " + key.toUtf8() + " " + writes.get()));
                            }
                            writes.incrementAndGet();
                        }
                    },
                    failures);
            KeysetPaginator paginator = new KeysetPaginator(store, SECRET);
            try {
                for (Direction direction : Direction.values()) {
                    for (int limit : new int[] {1, 7, 100}) {
                        String what = direction + " walk with limit " + limit + " while a writer inserts and deletes";
                        long[] lastSeen = {writes.get()};
                        List<Page> pages = walk(paginator, limit, direction, 4 * stable + 10, what, pageNumber -> {
                            awaitProgress(writes, lastSeen, failures);
                        });
                        checkConcurrentWalk(pages, direction, stableEntries, what);
                    }
                }
            } finally {
                stop.set(true);
                TestThreads.joinAll(List.of(writer));
            }
            assertThat("the writer must not fail", failures, empty());
            assertThat("the writer ran during the walks", writes.get(), greaterThan(0L));
        }
    }

    @Example
    @Graded(
            task = "T5",
            points = 2,
            concept = "pagination skips the key right after the last key (lastKey + 0x00) or the key "
                    + "right before it (a prefix of the last key)")
    void keysThatExtendTheLastKeyByZeroBytesAreNotSkipped() throws IOException {
        List<Bytes> keys = List.of(
                Bytes.of("a"),
                Bytes.copyOf(new byte[] {'a', 0}),
                Bytes.copyOf(new byte[] {'a', 0, 0}),
                Bytes.copyOf(new byte[] {'a', 0, (byte) 0xff}),
                Bytes.copyOf(new byte[] {'a', 1}),
                Bytes.copyOf(new byte[] {'a', (byte) 0xff}),
                Bytes.of("b"),
                Bytes.copyOf(new byte[] {'b', 0}));
        try (SortedLogStore store = Stores.open(new FaultInjectingStorage(), 0)) {
            TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
            for (int i = 0; i < keys.size(); i++) {
                Bytes value = Bytes.of("value " + i);
                store.put(keys.get(i), value);
                oracle.put(keys.get(i), value);
                if (i % 3 == 2) {
                    store.flush(); // spread the keys over the memtable and several segments
                }
            }
            KeysetPaginator paginator = new KeysetPaginator(store, SECRET);
            for (Direction direction : Direction.values()) {
                for (int limit : new int[] {1, 2, 3}) {
                    List<Entry> expected = new ArrayList<>();
                    oracle.forEach((k, v) -> expected.add(Entry.put(k, v)));
                    if (direction == Direction.BACKWARD) {
                        Collections.reverse(expected);
                    }
                    String what = direction + " walk with limit " + limit + " over " + oracle.keySet();
                    List<Entry> all = new ArrayList<>();
                    walk(paginator, limit, direction, keys.size(), what, null).forEach(p -> all.addAll(p.entries()));
                    assertThat(
                            what + ": keys that differ from the last key only by trailing 0x00 bytes come right "
                                    + "next to it and must not be skipped",
                            all,
                            equalTo(expected));
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------- walking

    /** Runs between two pages; {@code pageNumber} is the number of the page just returned (0 = the first). */
    private interface BetweenPages {
        void run(int pageNumber) throws IOException;
    }

    /**
     * Walks from the first page until the cursor is null, checking each page's size, and fails if
     * the walk takes more pages than {@code maxEntries} entries could need.
     */
    private static List<Page> walk(
            KeysetPaginator paginator,
            int limit,
            Direction direction,
            int maxEntries,
            String what,
            BetweenPages between)
            throws IOException {
        List<Page> pages = new ArrayList<>();
        Page page = paginator.first(limit, direction);
        while (true) {
            pages.add(page);
            assertThat(
                    what + ": page " + (pages.size() - 1) + " holds more than the limit",
                    page.entries().size(),
                    lessThanOrEqualTo(limit));
            if (page.nextCursor() == null) {
                return pages;
            }
            assertThat(
                    what + ": page " + (pages.size() - 1) + " is empty yet has a cursor to continue from",
                    page.entries().isEmpty(),
                    equalTo(false));
            if (pages.size() > maxEntries + 1) {
                throw new AssertionError(what + ": " + pages.size() + " pages and still a cursor, more than "
                        + maxEntries + " entries need: the walk repeats itself");
            }
            if (between != null) {
                between.run(pages.size() - 1);
            }
            page = paginator.next(page.nextCursor(), limit);
        }
    }

    /** Strict order across pages; no repeat follows from it. */
    private static List<Entry> checkOrder(List<Page> pages, Direction direction, String what) {
        List<Entry> all = new ArrayList<>();
        pages.forEach(p -> all.addAll(p.entries()));
        for (int i = 1; i < all.size(); i++) {
            int order = all.get(i - 1).key().compareTo(all.get(i).key());
            assertThat(
                    what + ": " + all.get(i - 1).key() + " came before "
                            + all.get(i).key() + "; keys must be strictly "
                            + (direction == Direction.FORWARD ? "increasing" : "decreasing")
                            + " across pages, without repeats",
                    direction == Direction.FORWARD ? order < 0 : order > 0,
                    equalTo(true));
        }
        for (Entry e : all) {
            assertThat(what + ": a page holds live entries only, but it holds " + e, e.isTombstone(), equalTo(false));
        }
        return all;
    }

    /** Keys never written during the walk appear exactly as they were; written ones show a state they had. */
    private static void checkWalk(
            List<Page> pages,
            Direction direction,
            Map<Bytes, Bytes> initial,
            Map<Bytes, Set<Optional<Bytes>>> history,
            String what) {
        Map<Bytes, Bytes> got = new HashMap<>();
        checkOrder(pages, direction, what).forEach(e -> got.put(e.key(), e.value()));
        Set<Bytes> keys = new TreeSet<>(initial.keySet());
        keys.addAll(history.keySet());
        keys.addAll(got.keySet());
        for (Bytes key : keys) {
            Optional<Bytes> actual = Optional.ofNullable(got.get(key));
            Set<Optional<Bytes>> allowed = history.get(key);
            if (allowed == null) {
                assertThat(
                        what + ": " + key + " was not written during the walk, so it must appear exactly as it was "
                                + "(empty = absent)",
                        actual,
                        equalTo(Optional.ofNullable(initial.get(key))));
            } else {
                assertThat(
                        what + ": " + key + " was written during the walk; it may show any state it had " + allowed
                                + " (empty = absent)",
                        allowed,
                        hasItem(actual));
            }
        }
    }

    private static void checkConcurrentWalk(
            List<Page> pages, Direction direction, Map<Bytes, Bytes> stable, String what) {
        Map<Bytes, Bytes> got = new HashMap<>();
        for (Entry e : checkOrder(pages, direction, what)) {
            got.put(e.key(), e.value());
            if (!stable.containsKey(e.key())) {
                assertThat(
                        what + ": " + e + " is neither a stable key nor one the writer wrote",
                        e.value().toUtf8().startsWith("volatile " + e.key().toUtf8() + " "),
                        equalTo(true));
            }
        }
        for (Map.Entry<Bytes, Bytes> e : stable.entrySet()) {
            assertThat(
                    what + ": " + e.getKey() + " existed for the whole walk, so it must appear exactly once, with its "
                            + "value",
                    got.get(e.getKey()),
                    equalTo(e.getValue()));
        }
    }

    /** Waits (bounded) until the writer has written since the last page, so writes land between pages. */
    private static void awaitProgress(AtomicLong writes, long[] lastSeen, ConcurrentLinkedQueue<Throwable> failures) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
        while (writes.get() == lastSeen[0] && failures.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the writer made no progress for " + TestThreads.LIVENESS_BOUND_SECONDS
                        + " s: a write is stuck (deadlock with the paginator's snapshots?)");
            }
            LockSupport.parkNanos(20_000);
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("the writer failed", failures.peek());
        }
        lastSeen[0] = writes.get();
    }

    /** Keys the writer inserts and deletes: before, between and right after the stable keys. */
    private static Bytes volatileKey(int i, int kind) {
        Bytes stableKey = Bytes.of(String.format("k%04d", i));
        return switch (kind) {
            case 0 -> Bytes.of(String.format("k%04d-v", i)); // between k{i} and k{i+1}
            case 1 -> Bytes.wrap(Arrays.copyOf(stableKey.toByteArray(), stableKey.length() + 1)); // k{i} + 0x00
            default -> Bytes.of(String.format("j%04d", i)); // before every stable key
        };
    }

    // ---------------------------------------------------------------------------------- store

    private static Bytes keyOf(ScanOp op) {
        return op instanceof ScanOp.Put p ? p.key() : op instanceof ScanOp.Delete d ? d.key() : null;
    }

    // ------------------------------------------------------------------------------- generators

    private static Arbitrary<ScanOp> writes() {
        Arbitrary<Bytes> keys = Stores.keys(2);
        return Arbitraries.frequencyOf(
                Tuple.of(8, Combinators.combine(keys, Stores.values()).as(ScanOp.Put::new)),
                Tuple.of(2, keys.map(ScanOp.Delete::new)),
                Tuple.of(1, Arbitraries.just(new ScanOp.Flush())),
                Tuple.of(1, Arbitraries.just(new ScanOp.Compact())));
    }

    @Provide
    Arbitrary<List<ScanOp>> contents() {
        return writes().list().ofMaxSize(80).withSizeDistribution(RandomDistribution.uniform());
    }

    @Provide
    Arbitrary<List<List<ScanOp>>> changesBetweenPages() {
        return writes().list().ofMaxSize(4).list().ofMaxSize(12).withSizeDistribution(RandomDistribution.uniform());
    }
}
