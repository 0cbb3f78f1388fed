package dev.storagelab.workbench.workloads;

import dev.storagelab.kv.Bytes;
import dev.storagelab.testkit.BenchData;
import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.rng.UniformRandomProvider;

/**
 * The workloads, each a seeded generator of operations over a key space of {@code keys} keys
 * ({@link BenchData#keyBytes}: 16 bytes, sorted by number):
 * <ul>
 *   <li>db_bench's (LevelDB's benchmark tool): fillseq, fillrandom, overwrite, readrandom,
 *       readmissing, seekrandom (a seek and a scan of 100), readwhilewriting;</li>
 *   <li>YCSB's core workloads A to F (Cooper et al., SoCC 2010) with their mixes and request
 *       distributions: scrambled Zipfian 0.99, latest, uniform scan lengths;</li>
 *   <li>ecommerce: the store lab-07's hybrid exists for, as {@link #ECOMMERCE} states it: hot
 *       prices and stock levels updated in place with Zipfian skew, cold orders keyed by customer
 *       then time (so inserts land all over the key space) and read rarely, order-history scans of
 *       one customer;</li>
 *   <li>bank (lab-06): concurrent transfers as transactions and snapshot readers checking that the
 *       total never changes, on a {@link dev.storagelab.mvcc.TransactionalStore} only; it runs its
 *       own threads ({@link BankWorkload}) instead of a {@link #generator}.</li>
 * </ul>
 * Workloads other than the fills start from a loaded store: {@link #preload} keys put in a seeded
 * random order before the measured operations.
 */
public enum Workload {
    FILLSEQ("put keys 0, 1, 2, ... in order into an empty store", false),
    FILLRANDOM("put the keys in random order into an empty store", false),
    OVERWRITE("put random existing keys (new values)", true),
    READRANDOM("get random existing keys", true),
    READMISSING("get random keys that are not in the store, each between two that are", true),
    SEEKRANDOM("seek to a random key and scan the next 100 entries", true),
    READWHILEWRITING("get random keys while one more thread puts random keys (reads are measured)", true),
    YCSB_A("YCSB A, update heavy: 50% read, 50% update, scrambled Zipfian 0.99", true),
    YCSB_B("YCSB B, read mostly: 95% read, 5% update, scrambled Zipfian 0.99", true),
    YCSB_C("YCSB C, read only: 100% read, scrambled Zipfian 0.99", true),
    YCSB_D("YCSB D, read latest: 95% read, 5% insert, reads skewed to the newest keys", true),
    YCSB_E("YCSB E, short ranges: 95% scan of 1-100 entries, 5% insert, scrambled Zipfian 0.99", true),
    YCSB_F("YCSB F, read-modify-write: 50% read, 50% read-modify-write, scrambled Zipfian 0.99", true),
    /**
     * The episode's e-commerce store. Its parameters, each with its source, fixed before the
     * hybrid was measured on it (notes/07-hybrid.md §7.15):
     * <ul>
     *   <li>products: 1% of the keys, each with a price key and a stock key, so 2% of the keys are
     *       hot (the hybrid episode: "a few thousand keys" of prices and stock beside "millions" of orders);</li>
     *   <li>the mix (the hybrid episode: prices read on every page view, prices and stock updated on every
     *       sale, orders written once and read when a customer looks at the history): 45% price
     *       updates, 25% stock read-modify-writes, 15% price reads, 10% order inserts, 4% reads of a
     *       random past order, 1% order-history scans of 20 entries;</li>
     *   <li>which product: Zipfian with YCSB's constant 0.99 (Cooper et al., SoCC 2010), scrambled
     *       over the products, for prices and stock alike;</li>
     *   <li>orders keyed {@code order/CUSTOMER/ORDER}, as a store keys them for the history read
     *       by customer; one customer per 6 orders (the UCI Online Retail data set, Chen, Sain and
     *       Guo 2012: 25,900 invoices of 4,372 customers, 5.9 each), each order's customer uniform
     *       at random, so inserts land all over the order key space;</li>
     *   <li>an order-history scan starts at a customer chosen uniformly; a past-order read picks an
     *       order uniformly (cold reads);</li>
     *   <li>values of {@code --value-bytes} (100 by default, db_bench's), and, in the arena, data at
     *       least 8 times the memory budget (2-Tree, CIDR 2023).</li>
     * </ul>
     */
    ECOMMERCE(
            "hot prices and stock (2% of keys, Zipfian 0.99 updates in place), cold orders keyed by customer then time"
                    + " (inserts all over the key space), order-history scans of one customer",
            true),
    BANK(
            "transfers between --keys accounts as transactions on --threads threads, while --readers threads check that"
                    + " every snapshot keeps the total (kv, kv-lsm)",
            true);

    /** YCSB's Zipfian constant. */
    public static final double THETA = 0.99;

    private final String description;
    private final boolean preloaded;

    Workload(String description, boolean preloaded) {
        this.description = description;
        this.preloaded = preloaded;
    }

    /** The workload's name on the command line: {@code readrandom}, {@code ycsb-a}, ... */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public String description() {
        return description;
    }

    /** The workload named {@code id}; the message lists the names there are. */
    public static Workload byId(String id) {
        for (Workload w : values()) {
            if (w.id().equals(id)) {
                return w;
            }
        }
        throw new IllegalArgumentException("no workload named '" + id + "'; the workloads are "
                + java.util.Arrays.stream(values()).map(Workload::id).toList());
    }

    /** Whether it runs transactions: only on an engine whose store is a {@link dev.storagelab.mvcc.TransactionalStore}. */
    public boolean transactional() {
        return this == BANK;
    }

    /** How many keys are put before the measured operations. */
    public long preload(long keys) {
        return preloaded ? keys : 0;
    }

    /** One operation. {@code scanLength} is used by scans only. */
    public record Op(Kind kind, Bytes key, int scanLength) {}

    /** What an operation does. */
    public enum Kind {
        GET,
        PUT,
        INSERT,
        SCAN,
        READ_MODIFY_WRITE
    }

    /** The key with number {@code i}. */
    public static Bytes key(long i) {
        return Bytes.wrap(BenchData.keyBytes(i));
    }

    /**
     * An absent key inside the key space: {@link #key key(i)} with one byte more ({@code '.'}), so it
     * sorts after key {@code i} and before key {@code i + 1}, as db_bench's readmissing makes its keys
     * ({@code "%016d."}). A store must look where the key would be (a Bloom filter's question, a
     * B+tree's descent to a leaf) rather than only compare it with its last key.
     */
    public static Bytes missingKey(long i) {
        byte[] present = BenchData.keyBytes(i);
        byte[] absent = Arrays.copyOf(present, present.length + 1);
        absent[present.length] = '.';
        return Bytes.wrap(absent);
    }

    /** The ecommerce workload's keys: {@code price/PRODUCT}, the product's number in ten digits. */
    static Bytes priceKey(long product) {
        return productKey(PRICE_PREFIX, product);
    }

    /** {@code stock/PRODUCT}, as {@link #priceKey}. */
    static Bytes stockKey(long product) {
        return productKey(STOCK_PREFIX, product);
    }

    /** Written digit by digit, not by {@code String.format}: a key is made for every operation, inside the measured intervals. */
    private static Bytes productKey(byte[] prefix, long product) {
        byte[] k = prefix.clone();
        digits(product, k, k.length - 1);
        return Bytes.wrap(k);
    }

    private static final byte[] PRICE_PREFIX = "price/0000000000".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] STOCK_PREFIX = "stock/0000000000".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Order {@code order} of {@code customers}: {@code order/CUSTOMER/ORDER}, its customer a hash of the order's number. */
    public static Bytes orderKey(long order, long customers) {
        byte[] k = ORDER_PREFIX.clone();
        digits(customerOf(order, customers), k, ORDER_PREFIX.length - 12);
        digits(order, k, ORDER_PREFIX.length - 1);
        return Bytes.wrap(k);
    }

    /** {@code order/CUSTOMER/ORDER} with both numbers zero, each of ten digits. */
    private static final byte[] ORDER_PREFIX =
            "order/0000000000/0000000000".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The first key at or after every order of {@code customer}: where its history scan starts. */
    static Bytes historyStart(long customer) {
        byte[] k = java.util.Arrays.copyOf(ORDER_PREFIX, ORDER_PREFIX.length - 10);
        digits(customer, k, k.length - 2);
        return Bytes.wrap(k);
    }

    /** Writes {@code v}'s decimal digits into {@code key} ending at {@code last}, over its zeros (as BenchData.keyBytes). */
    private static void digits(long v, byte[] key, int last) {
        for (int pos = last; v > 0; pos--, v /= 10) {
            key[pos] = (byte) ('0' + v % 10);
        }
    }

    /** The customer who placed order {@code order}: uniform over the customers, fixed by the order's number. */
    static long customerOf(long order, long customers) {
        return Long.remainderUnsigned(KeyChooser.fnv1a64(order), customers);
    }

    /** The ecommerce workload's customers for {@code keys} keys: one per {@link #ORDERS_PER_CUSTOMER} preloaded orders. */
    static long customers(long keys) {
        return Math.max(1, (keys - 2 * products(keys)) / ORDERS_PER_CUSTOMER);
    }

    /** Orders per customer (the UCI Online Retail data set: 25,900 invoices of 4,372 customers). */
    static final int ORDERS_PER_CUSTOMER = 6;

    /** The ecommerce workload's products: 1% of the keys, at least one. Each has a price and a stock key. */
    static long products(long keys) {
        return Math.max(1, keys / 100);
    }

    /** The {@code i}-th key of the preload, for the ecommerce workload's key space. */
    public Bytes preloadKey(long i, long keys) {
        if (this == BANK) {
            return BankWorkload.account(i);
        }
        if (this != ECOMMERCE) {
            return key(i);
        }
        long p = products(keys);
        return i < p ? priceKey(i) : i < 2 * p ? stockKey(i - p) : orderKey(i - 2 * p, customers(keys));
    }

    /** A generator of this workload's operations, after {@code keys} keys were preloaded (or none, for fills). */
    public Generator generator(long keys, UniformRandomProvider rng) {
        KeyChooser zipf = KeyChooser.scrambledZipfian(rng, THETA);
        KeyChooser uniform = KeyChooser.uniform(rng);
        KeyChooser latest = KeyChooser.latest(rng, THETA);
        long[] inserted = {keys}; // the key space grows with inserts
        return switch (this) {
            case FILLSEQ -> n -> new Op(Kind.PUT, key(n), 0);
            case FILLRANDOM, OVERWRITE -> n -> new Op(Kind.PUT, key(uniform.next(keys)), 0);
            case READRANDOM, READWHILEWRITING -> n -> new Op(Kind.GET, key(uniform.next(keys)), 0);
            case READMISSING -> n -> new Op(Kind.GET, missingKey(uniform.next(keys)), 0);
            case SEEKRANDOM -> n -> new Op(Kind.SCAN, key(uniform.next(keys)), 100);
            case YCSB_A ->
                n -> rng.nextInt(100) < 50
                        ? new Op(Kind.GET, key(zipf.next(keys)), 0)
                        : new Op(Kind.PUT, key(zipf.next(keys)), 0);
            case YCSB_B ->
                n -> rng.nextInt(100) < 95
                        ? new Op(Kind.GET, key(zipf.next(keys)), 0)
                        : new Op(Kind.PUT, key(zipf.next(keys)), 0);
            case YCSB_C -> n -> new Op(Kind.GET, key(zipf.next(keys)), 0);
            case YCSB_D ->
                n -> rng.nextInt(100) < 95
                        ? new Op(Kind.GET, key(latest.next(inserted[0])), 0)
                        : new Op(Kind.INSERT, key(inserted[0]++), 0);
            case YCSB_E ->
                n -> rng.nextInt(100) < 95
                        ? new Op(Kind.SCAN, key(zipf.next(inserted[0])), 1 + rng.nextInt(100))
                        : new Op(Kind.INSERT, key(inserted[0]++), 0);
            case YCSB_F ->
                n -> rng.nextInt(100) < 50
                        ? new Op(Kind.GET, key(zipf.next(keys)), 0)
                        : new Op(Kind.READ_MODIFY_WRITE, key(zipf.next(keys)), 0);
            case ECOMMERCE -> ecommerce(keys, rng, zipf, uniform);
            case BANK ->
                throw new UnsupportedOperationException("bank runs its own transfer and reader threads (BankWorkload),"
                        + " not a generator of single operations");
        };
    }

    private static Generator ecommerce(long keys, UniformRandomProvider rng, KeyChooser zipf, KeyChooser uniform) {
        long products = products(keys);
        long customers = customers(keys);
        long[] orders = {Math.max(0, keys - 2 * products)};
        return n -> {
            int dice = rng.nextInt(100);
            if (dice < 45) {
                return new Op(Kind.PUT, priceKey(zipf.next(products)), 0);
            } else if (dice < 70) {
                return new Op(Kind.READ_MODIFY_WRITE, stockKey(zipf.next(products)), 0);
            } else if (dice < 85) {
                return new Op(Kind.GET, priceKey(zipf.next(products)), 0);
            } else if (dice < 95 || orders[0] == 0) {
                return new Op(Kind.INSERT, orderKey(orders[0]++, customers), 0);
            } else if (dice < 99) {
                return new Op(Kind.GET, orderKey(uniform.next(orders[0]), customers), 0);
            }
            return new Op(Kind.SCAN, historyStart(uniform.next(customers)), 20);
        };
    }

    /** Hands out a workload's operations, one per call, numbered from 0. */
    @FunctionalInterface
    public interface Generator {
        Op next(long n);
    }
}
