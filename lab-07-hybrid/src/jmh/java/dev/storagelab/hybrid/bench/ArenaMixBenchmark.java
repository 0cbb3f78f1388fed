package dev.storagelab.hybrid.bench;

import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.testkit.AnswerCheck;
import dev.storagelab.testkit.BenchData;
import dev.storagelab.wal.SyncMode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hybrid in a short run of the workbench's arena ({@code ./storagelab arena}, notes §7.15), for
 * lab-07's performance grade: the e-commerce store with data {@link #DATA_MULTIPLE} times a memory
 * budget of {@code arenaMemoryKiB}, split as the arena splits it (the B+tree's pool, the LSM
 * tree's memtables and block cache, a record cache), the log unforced. The setup loads the keys
 * in key order and runs {@link #WARMUP_OPS} operations so that the router has placed the hot set
 * (maintenance on the benchmark's thread every {@link #MAINTENANCE_EVERY} operations, a migration
 * budget that does not hold it back); each measured operation is one of the mix: 45% price
 * updates, 25% stock read-modify-writes, 15% price reads (Zipfian 0.99 over the products, 1% of
 * the keys), 10% order inserts keyed by customer then order (all over the key space), 4% reads of
 * a past order, 1% scans of 20 entries of one customer's history. The grade is the submission's
 * CPU time per operation over the reference's, both in one run.
 *
 * <p>The answers are checked ({@link AnswerCheck}), so that an engine that answers wrongly fails the
 * benchmark instead of earning points. Every value is derived from its key's number, its version
 * and the answers' seed ({@link #value}), so the benchmark knows what each key holds without a
 * copy of the data: a price's and a stock's version are counted per product, an order is written
 * once. Every read must find its key (a comparison of a reference, checked every time); on the
 * sample ({@link AnswerCheck#sampled}) its value must be the newest one put. Every scan must return
 * {@link #SCAN} entries in increasing key order from its start (the prices and stocks after the
 * orders are more than that); on the sample its entries must be the store's next {@value #SCAN}
 * keys with their newest values, computed from each customer's orders (kept as the benchmark
 * inserts them: a customer's orders are numbered in increasing order, so the list stays sorted).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ArenaMixBenchmark {

    static final int DATA_MULTIPLE = 8;
    /** The entries a history scan reads. */
    static final int SCAN = 20;

    static final int WARMUP_OPS = 20_000;
    static final int MAINTENANCE_EVERY = 1_000;
    /** The seed the values are drawn under: the answers' ({@value AnswerCheck#SEED_PROPERTY}, set by the grader per run). */
    private static final long ANSWERS_SEED = Long.getLong(AnswerCheck.SEED_PROPERTY, AnswerCheck.DEFAULT_SEED);

    @Param({"1024"})
    public int arenaMemoryKiB;

    private Path dir;
    private HybridStore store;
    private UniformRandomProvider rng;
    private org.apache.commons.rng.sampling.distribution.SharedStateDiscreteSampler zipf;
    private SplittableRandom dice;
    private long products;
    private long customers;
    private long orders;
    private long done;
    /** Per product {@code p}, the number of versions put of its price ({@code 2p}) and of its stock ({@code 2p + 1}). */
    long[] versions;
    /** Per customer, the numbers of its orders in increasing order, and how many there are. */
    private long[][] history;

    private int[] historySize;

    @Setup(Level.Trial)
    public void load() throws IOException {
        long budget = arenaMemoryKiB * 1024L;
        int entryBytes = orderKey(0).length() + BenchData.VALUE_BYTES;
        long keys = budget * DATA_MULTIPLE / entryBytes;
        products = Math.max(1, keys / 100);
        orders = keys - 2 * products;
        customers = Math.max(1, orders / 6);
        if (2 * products < SCAN) {
            throw new IllegalArgumentException("arenaMemoryKiB " + arenaMemoryKiB + " is too small: a scan must find "
                    + SCAN + " entries after any order");
        }
        long memtable = Math.max(64 << 10, budget / 16);
        int cacheEntries = (int) (budget / 8 / (entryBytes + 96));
        LsmOptions.Builder lsm =
                LsmOptions.defaults().withMemtableBytes(memtable).withBlockCacheBytes(budget / 8).toBuilder();
        lsm.maxImmutableMemtables = 2;
        int frames = (int)
                Math.max(64, (budget - 3 * memtable - budget / 8 - (long) cacheEntries * (entryBytes + 96)) / 4096);
        dir = BenchData.tempDir("arena-mix");
        BenchData.setUpIn(dir, () -> {
            store = HybridStore.open(
                    dir,
                    HybridOptions.defaults().toBuilder()
                            .syncMode(SyncMode.NONE)
                            .cache("arc", cacheEntries)
                            .maxDirtyEntries(Math.max(16, cacheEntries / 16))
                            .considerEvery(8)
                            .migrationBudget(1e6, 1_000_000)
                            .maintenance(Duration.ofSeconds(1), false)
                            .btree(BTreeOptions.defaults().withPoolFrames(frames))
                            .lsm(lsm.build())
                            .build());
            rng = RandomSource.XO_RO_SHI_RO_128_PP.create(42);
            dice = new SplittableRandom(7);
            zipf = RejectionInversionZipfSampler.of(rng, Math.toIntExact(products), 0.99);
            versions = new long[Math.toIntExact(2 * products)];
            history = new long[Math.toIntExact(customers)][];
            historySize = new int[history.length];
            List<Entry> all = new ArrayList<>();
            for (long p = 0; p < products; p++) {
                all.add(Entry.put(productKey("price/", p), value(2 * p, 0)));
                all.add(Entry.put(productKey("stock/", p), value(2 * p + 1, 0)));
            }
            for (long o = 0; o < orders; o++) {
                all.add(Entry.put(orderKey(o), value(orderId(o), 0)));
                addToHistory(o);
            }
            all.sort(Comparator.comparing(Entry::key));
            List<Entry> batch = new ArrayList<>();
            for (Entry e : all) {
                batch.add(e);
                if (batch.size() == 1000) {
                    store.write(batch);
                    batch.clear();
                }
            }
            store.write(batch);
            store.checkpoint();
            for (int i = 0; i < WARMUP_OPS; i++) {
                op();
            }
        });
    }

    /** The store under test (for the tests of the checks). */
    HybridStore store() {
        return store;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        BenchData.delete(dir);
    }

    @Benchmark
    public int op() throws IOException {
        if (++done % MAINTENANCE_EVERY == 0) {
            store.runMaintenance();
        }
        boolean sampled = AnswerCheck.sampled(done);
        int d = dice.nextInt(100);
        if (d < 45) {
            long id = 2 * hotProduct();
            store.put(productKey("price/", id / 2), value(id, ++versions[(int) id]));
        } else if (d < 70) {
            long id = 2 * hotProduct() + 1;
            Bytes k = productKey("stock/", id / 2);
            checkedGet(sampled, id, k, store.get(k));
            store.put(k, value(id, ++versions[(int) id]));
        } else if (d < 85) {
            long id = 2 * hotProduct();
            Bytes k = productKey("price/", id / 2);
            return checkedGet(sampled, id, k, store.get(k));
        } else if (d < 95) {
            long o = orders++;
            store.put(orderKey(o), value(orderId(o), 0));
            addToHistory(o);
        } else if (d < 99) {
            long o = dice.nextLong(orders);
            Bytes k = orderKey(o);
            return checkedGet(sampled, orderId(o), k, store.get(k));
        } else {
            long customer = dice.nextLong(customers);
            Entry[] got = new Entry[SCAN];
            int n = 0;
            try (EntryIterator it = store.scan(historyStart(customer), null)) {
                while (n < SCAN && it.hasNext()) {
                    got[n++] = it.next();
                }
            }
            return checkedScan(sampled, customer, got, n);
        }
        return 1;
    }

    /**
     * The value of version {@code version} of the key numbered {@code id} (a price {@code 2p}, a
     * stock {@code 2p + 1}, an order {@link #orderId}): {@link BenchData#valueBytes(long, long)}
     * under the answers' seed, so an engine cannot know the values before the run.
     */
    static Bytes value(long id, long version) {
        return Bytes.wrap(BenchData.valueBytes(id, version ^ ANSWERS_SEED));
    }

    /** The number of order {@code order}'s key, after the products' prices and stocks. */
    long orderId(long order) {
        return 2 * products + order;
    }

    /** The value the key numbered {@code id} holds now. */
    Bytes newest(long id) {
        return id < versions.length ? value(id, versions[(int) id]) : value(id, 0);
    }

    /**
     * Checks a get of the key numbered {@code id}: found, always (the benchmark reads only keys it
     * has put); on the sample, with the newest value put. Returns 1 for the benchmark to return.
     */
    int checkedGet(boolean sampled, long id, Bytes key, Optional<Bytes> got) {
        AnswerCheck.require(got.isPresent(), () -> "get(" + key + ") returned no value; the key was put");
        if (sampled) {
            AnswerCheck.require(
                    newest(id).equals(got.get()),
                    () -> "get(" + key + ") returned a value other than the newest" + " one put for it");
        }
        return 1;
    }

    /**
     * Checks the {@code n} entries a scan from {@code customer}'s history returned: {@value #SCAN} of
     * them, in increasing key order from the start, always; on the sample, the store's next keys,
     * each with its newest value. Returns {@code n}.
     */
    int checkedScan(boolean sampled, long customer, Entry[] got, int n) {
        Bytes start = historyStart(customer);
        AnswerCheck.require(
                n == SCAN,
                () -> "scan(" + start + ") returned " + n + " entries; the store holds more than " + SCAN
                        + " from there");
        for (int i = 0; i < n; i++) {
            Bytes previous = i == 0 ? start : got[i - 1].key();
            Bytes key = got[i].key();
            AnswerCheck.require(
                    i == 0 ? key.compareTo(previous) >= 0 : key.compareTo(previous) > 0,
                    () -> "scan(" + start + ") returned " + key + " after " + previous + "; a scan's keys increase");
        }
        if (sampled) {
            List<Entry> expected = expectedScan(customer);
            for (int i = 0; i < n; i++) {
                Entry want = expected.get(i);
                Entry e = got[i];
                int at = i;
                AnswerCheck.require(
                        want.key().equals(e.key()),
                        () -> "scan(" + start + ") returned " + e.key() + " at position " + at + "; the store holds "
                                + want.key() + " there");
                AnswerCheck.require(
                        want.value().equals(e.value()),
                        () -> "scan(" + start + ") returned " + e.key() + " with a"
                                + " value other than the newest one put for it");
            }
        }
        return n;
    }

    /** The store's first {@value #SCAN} entries from {@code customer}'s history: orders by customer, then prices, then stocks. */
    private List<Entry> expectedScan(long customer) {
        List<Entry> expected = new ArrayList<>(SCAN);
        for (long c = customer; c < customers && expected.size() < SCAN; c++) {
            for (int i = 0; i < historySize[(int) c] && expected.size() < SCAN; i++) {
                long o = history[(int) c][i];
                expected.add(Entry.put(orderKey(o), value(orderId(o), 0)));
            }
        }
        for (int kind = 0; kind < 2; kind++) {
            for (long p = 0; p < products && expected.size() < SCAN; p++) {
                long id = 2 * p + kind;
                expected.add(Entry.put(productKey(kind == 0 ? "price/" : "stock/", p), newest(id)));
            }
        }
        return expected;
    }

    private void addToHistory(long order) {
        int c = (int) customerOf(order);
        if (history[c] == null) {
            history[c] = new long[8];
        } else if (historySize[c] == history[c].length) {
            history[c] = Arrays.copyOf(history[c], 2 * history[c].length);
        }
        history[c][historySize[c]++] = order;
    }

    /** A product of the Zipfian hot set, its rank scrambled over the products. */
    private long hotProduct() {
        long h = zipf.sample() * 0x9E3779B97F4A7C15L;
        return Long.remainderUnsigned(h ^ (h >>> 29), products);
    }

    static Bytes productKey(String prefix, long product) {
        return Bytes.of(prefix + digits(product));
    }

    /** {@code order/CUSTOMER/ORDER}: the customer a hash of the order's number, so inserts land all over the key space. */
    Bytes orderKey(long order) {
        return Bytes.of("order/" + digits(customerOf(order)) + "/" + digits(order));
    }

    /** The customer of order {@code order}: a hash of its number. */
    long customerOf(long order) {
        long h = (order + 1) * 0x9E3779B97F4A7C15L;
        return Long.remainderUnsigned(h ^ (h >>> 31), Math.max(1, customers));
    }

    static Bytes historyStart(long customer) {
        return Bytes.of("order/" + digits(customer) + "/");
    }

    private static String digits(long v) {
        char[] d = new char[10];
        Arrays.fill(d, '0');
        for (int pos = 9; v > 0; pos--, v /= 10) {
            d[pos] = (char) ('0' + v % 10);
        }
        return new String(d);
    }
}
