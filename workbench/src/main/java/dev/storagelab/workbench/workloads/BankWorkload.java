package dev.storagelab.workbench.workloads;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.mvcc.ConflictException;
import dev.storagelab.mvcc.Transaction;
import dev.storagelab.mvcc.TransactionalStore;
import dev.storagelab.workbench.engines.Counters;
import dev.storagelab.workbench.engines.Engine;
import dev.storagelab.workbench.engines.EngineFactory;
import dev.storagelab.workbench.engines.Engines;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/**
 * The {@code bank} workload (lab-06): {@code keys} accounts start with {@value #INITIAL_BALANCE}
 * each; transfer threads move money between two random accounts, each transfer a transaction that
 * reads both balances and writes both, retried from the start (after a random back-off) when it
 * loses a first-committer-wins conflict; reader threads meanwhile read every balance in one snapshot (a scan and a get per
 * account, in turns) and check that the accounts are all there, none is negative, and the total
 * is what it was at the start. One transfer attempt in {@value #ABANDON_ONE_IN} is abandoned after
 * its writes ({@link Transaction#abort()}): none of it may ever show. At the end a plain scan
 * checks the total once more.
 *
 * <p>Under snapshot isolation the total never changes: a transfer's two writes become visible
 * together, a snapshot sees whole transfers only, and two transfers that read the same balance
 * cannot both commit (the second loses the conflict), so no update is lost. A store that let a
 * snapshot see half a transfer, applied an aborted one, or lost an update fails the check; the
 * workload reports every violation and the command exits non-zero.
 */
public final class BankWorkload {

    /** Every account's balance at the start. */
    static final long INITIAL_BALANCE = 1_000;
    /** A transfer moves 1 to this much, never more than the payer has. */
    static final int MAX_AMOUNT = 100;
    /** One transfer attempt in this many is abandoned after its writes. */
    static final int ABANDON_ONE_IN = 50;
    /** A transfer's first back-off after a conflict is at most this long; each further conflict doubles it. */
    static final int FIRST_BACKOFF_MICROS = 100;
    /** The longest back-off. */
    static final int MAX_BACKOFF_MICROS = 10_000;
    /** How many violation messages a report keeps (it counts them all). */
    static final int VIOLATIONS_KEPT = 5;

    /**
     * The bank's threads.
     *
     * @param transfers threads running transfers
     * @param readers   threads checking snapshots of every balance
     */
    public record Threads(int transfers, int readers) {
        /** Four transfer threads and two snapshot readers. */
        public static final Threads DEFAULT = new Threads(4, 2);

        public Threads {
            checkArgument(transfers >= 1, "the bank needs at least 1 transfer thread: %s", transfers);
            checkArgument(readers >= 1, "the bank needs at least 1 snapshot reader: %s", readers);
        }
    }

    /**
     * What the bank measured, beside the run's throughput and latency.
     *
     * @param accounts           accounts ({@code --keys})
     * @param initialBalance     each account's balance at the start
     * @param threads            transfer threads and snapshot readers
     * @param transfers          transfers committed
     * @param transfersPerSecond transfers committed per second of the measured run
     * @param conflicts          commits refused by a conflict (each transfer then began again)
     * @param aborts             transfer attempts abandoned on purpose after their writes
     * @param snapshotChecks     snapshots of every balance the readers checked
     * @param expectedTotal      the money in the bank: accounts times the initial balance
     * @param finalTotal         the total a plain scan found at the end
     * @param violations         checks that failed: a snapshot (or the final scan) with another
     *                           total, a missing account or a negative balance
     * @param firstViolations    what the first {@value #VIOLATIONS_KEPT} of them found
     */
    public record Report(
            long accounts,
            long initialBalance,
            Threads threads,
            long transfers,
            double transfersPerSecond,
            long conflicts,
            long aborts,
            long snapshotChecks,
            long expectedTotal,
            long finalTotal,
            long violations,
            List<String> firstViolations) {

        /** Whether every check held: no snapshot ever saw the money change. */
        public boolean invariantHeld() {
            return violations == 0;
        }
    }

    private BankWorkload() {}

    /** Account {@code i}'s key: {@code account/0000000042}, so keys sort by number. */
    static Bytes account(long i) {
        return Bytes.of(String.format("account/%010d", i));
    }

    /**
     * Runs the bank on {@code engine}, whose store must be a {@link TransactionalStore}: preloads
     * (unmeasured) and syncs, then {@code spec.ops()} transfers. {@code spec.valueBytes()} is not
     * used: a balance is its decimal digits.
     *
     * @throws IllegalArgumentException if the engine has no transactions, or fewer than 2 accounts
     * @throws IOException              if the store failed; a violated invariant is not an
     *                                  exception but the report's {@link Report#violations()}
     */
    static WorkloadRunner.Result run(
            Engine.Handle engine, WorkloadRunner.Spec spec, Threads threads, LongConsumer progress) throws IOException {
        if (!(engine.store() instanceof TransactionalStore bank)) {
            throw new IllegalArgumentException("the bank workload runs transactions, and "
                    + engine.engine().id()
                    + " has none: run it on "
                    + String.join(
                            ", ",
                            Engines.all().stream()
                                    .filter(EngineFactory::transactional)
                                    .map(EngineFactory::id)
                                    .toList()));
        }
        checkArgument(spec.keys() >= 2, "the bank needs at least 2 accounts (--keys): %s", spec.keys());
        OrderedStore store = engine.store();
        long accounts = spec.keys();
        long expected = accounts * INITIAL_BALANCE;

        long loadStart = System.nanoTime();
        List<Entry> batch = new ArrayList<>(WorkloadRunner.PRELOAD_BATCH);
        for (long i = 0; i < accounts; i++) {
            batch.add(Entry.put(account(i), balance(INITIAL_BALANCE)));
            if (batch.size() == WorkloadRunner.PRELOAD_BATCH || i == accounts - 1) {
                store.write(batch);
                batch.clear();
            }
        }
        store.sync();
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        Map<String, Long> before = engine.counts();

        Run run = new Run(bank, accounts, expected, spec.seed());
        List<Thread> transferThreads = new ArrayList<>();
        List<Thread> readerThreads = new ArrayList<>();
        AtomicLong tickets = new AtomicLong(spec.ops());
        long start = System.nanoTime();
        for (int i = 0; i < threads.transfers(); i++) {
            int n = i;
            transferThreads.add(run.start("bank-transfers-" + i, () -> run.transfers(n, tickets)));
        }
        for (int i = 0; i < threads.readers(); i++) {
            int n = i;
            readerThreads.add(run.start("bank-reader-" + i, () -> run.snapshots(n)));
        }
        long reported = 0;
        try {
            for (Thread t : transferThreads) {
                while (t.isAlive()) {
                    t.join(20);
                    long done = run.finished.get();
                    if (done > reported && done < spec.ops()) {
                        progress.accept(done);
                        reported = done;
                    }
                }
            }
            run.transfersDone.set(true);
            for (Thread t : readerThreads) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.fail(e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (run.failure.get() != null) {
            Throwable f = run.failure.get();
            throw f instanceof IOException io ? io : new IOException("the bank workload failed: " + f, f);
        }
        progress.accept(spec.ops());
        long finalTotal = run.finalCheck(store);

        long syncStart = System.nanoTime();
        store.sync();
        double syncSeconds = (System.nanoTime() - syncStart) / 1e9;
        Map<String, Long> after = engine.counts();
        Map<String, Object> gauges = engine.gauges();
        Map<String, WorkloadRunner.Latency> latency = new LinkedHashMap<>();
        latency.put("transfer", WorkloadRunner.Latency.of(run.merged(run.transferLatency)));
        latency.put("snapshot_check", WorkloadRunner.Latency.of(run.merged(run.checkLatency)));
        WorkloadRunner.Operations operations =
                new WorkloadRunner.Operations(run.gets.sum(), run.writes.sum(), run.scans.sum());
        long transfers = run.transfers.sum();
        Report report = new Report(
                accounts,
                INITIAL_BALANCE,
                threads,
                transfers,
                transfers / seconds,
                run.conflicts.sum(),
                run.aborts.sum(),
                run.checks.sum(),
                expected,
                finalTotal,
                run.violations.get(),
                List.copyOf(run.firstViolations));
        return new WorkloadRunner.Result(
                engine.engine().id(),
                Workload.BANK.id(),
                spec,
                loadSeconds,
                false,
                seconds,
                transfers / seconds,
                syncSeconds,
                latency,
                operations,
                Counters.withRatios(Counters.delta(before, after), operations.gets()),
                gauges,
                report,
                null);
    }

    /** A balance as the store holds it: its decimal digits. */
    static Bytes balance(long amount) {
        return Bytes.of(Long.toString(amount));
    }

    /** The threads' shared state. */
    private static final class Run {
        final TransactionalStore bank;
        final long accounts;
        final long expected;
        final long seed;
        final LongAdder transfers = new LongAdder();
        final LongAdder conflicts = new LongAdder();
        final LongAdder aborts = new LongAdder();
        final LongAdder checks = new LongAdder();
        final LongAdder gets = new LongAdder();
        final LongAdder writes = new LongAdder();
        final LongAdder scans = new LongAdder();
        final AtomicLong finished = new AtomicLong();
        final AtomicLong violations = new AtomicLong();
        final List<String> firstViolations = new ArrayList<>();
        final AtomicBoolean transfersDone = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Histogram> transferLatency = new ArrayList<>();
        final List<Histogram> checkLatency = new ArrayList<>();

        Run(TransactionalStore bank, long accounts, long expected, long seed) {
            this.bank = bank;
            this.accounts = accounts;
            this.expected = expected;
            this.seed = seed;
        }

        interface Body {
            void run() throws IOException;
        }

        Thread start(String name, Body body) {
            Thread t = new Thread(
                    () -> {
                        try {
                            body.run();
                        } catch (IOException | RuntimeException | Error e) {
                            fail(e);
                        }
                    },
                    name);
            t.setDaemon(true);
            t.start();
            return t;
        }

        void fail(Throwable e) {
            failure.compareAndSet(null, e);
        }

        void violation(String what) {
            violations.incrementAndGet();
            synchronized (firstViolations) {
                if (firstViolations.size() < VIOLATIONS_KEPT) {
                    firstViolations.add(what);
                }
            }
        }

        synchronized Histogram histogram(List<Histogram> all) {
            Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            all.add(h);
            return h;
        }

        synchronized Histogram merged(List<Histogram> all) {
            Histogram sum = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            all.forEach(sum::add);
            return sum;
        }

        /** Transfers until the tickets run out: each retried from its start until it commits. */
        void transfers(int thread, AtomicLong tickets) throws IOException {
            UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed + 1 + thread);
            Histogram latency = histogram(transferLatency);
            while (failure.get() == null && tickets.getAndDecrement() > 0) {
                long t0 = System.nanoTime();
                long from = rng.nextLong(accounts);
                long to = (from + 1 + rng.nextLong(accounts - 1)) % accounts; // any other account
                for (int conflicts = 0; failure.get() == null; ) {
                    Attempt a = transfer(rng, account(from), account(to));
                    if (a == Attempt.DONE) {
                        break;
                    }
                    if (a == Attempt.CONFLICT) {
                        backOff(rng, conflicts++);
                    }
                }
                latency.recordValue(Math.min(System.nanoTime() - t0, TimeUnit.SECONDS.toNanos(60)));
                finished.incrementAndGet();
            }
        }

        /**
         * Waits a random while, its bound doubling with each conflict the transfer lost
         * ({@value #FIRST_BACKOFF_MICROS} us to {@value #MAX_BACKOFF_MICROS} us): the commit it lost to
         * may still be on its way to the disk, invisible to a snapshot begun at once, and a transfer
         * that began again at once would lose to it again and again.
         */
        private static void backOff(UniformRandomProvider rng, int conflicts) {
            long bound = Math.min(MAX_BACKOFF_MICROS, (long) FIRST_BACKOFF_MICROS << Math.min(conflicts, 16));
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(1 + rng.nextLong(bound)));
        }

        /** How a transfer attempt ended. */
        private enum Attempt {
            DONE,
            CONFLICT,
            ABANDONED
        }

        /** One attempt: done once it committed, or found a violation and gave up (the check counts it). */
        private Attempt transfer(UniformRandomProvider rng, Bytes from, Bytes to) throws IOException {
            try (Transaction t = bank.begin()) {
                long a = read(t, from, "a transfer's");
                long b = read(t, to, "a transfer's");
                gets.add(2);
                if (a < 0 || b < 0) {
                    return Attempt.DONE; // the violation is counted; this transfer is skipped
                }
                long amount = Math.min(1 + rng.nextInt(MAX_AMOUNT), a);
                t.put(from, balance(a - amount));
                t.put(to, balance(b + amount));
                if (rng.nextInt(ABANDON_ONE_IN) == 0) {
                    t.abort();
                    aborts.increment();
                    return Attempt.ABANDONED;
                }
                t.commit();
                writes.add(2);
                transfers.increment();
                return Attempt.DONE;
            } catch (ConflictException e) {
                conflicts.increment();
                return Attempt.CONFLICT;
            }
        }

        /** A balance in {@code t}'s snapshot; -1 (and a violation) if missing, unreadable or negative. */
        private long read(Transaction t, Bytes key, String who) throws IOException {
            Optional<Bytes> v = t.get(key);
            if (v.isEmpty()) {
                violation(key.toUtf8() + " is missing from " + who + " snapshot at timestamp " + t.startTs());
                return -1;
            }
            return parse(key, v.get(), who + " snapshot at timestamp " + t.startTs());
        }

        private long parse(Bytes key, Bytes value, String where) {
            long balance;
            try {
                balance = Long.parseLong(value.toUtf8());
            } catch (NumberFormatException e) {
                violation(key.toUtf8() + " holds " + value + " in " + where + ", not a balance");
                return -1;
            }
            if (balance < 0) {
                violation(key.toUtf8() + " has a negative balance, " + balance + ", in " + where);
                return -1;
            }
            return balance;
        }

        /** Checks snapshots of every balance until the transfers are done (at least once). */
        void snapshots(int thread) throws IOException {
            Histogram latency = histogram(checkLatency);
            long n = thread;
            do {
                long t0 = System.nanoTime();
                try (Transaction t = bank.begin()) {
                    String where = "the snapshot at timestamp " + t.startTs() + (n % 2 == 0 ? " (a scan)" : " (gets)");
                    long[] found = n % 2 == 0 ? scanned(t, where) : got(t, where);
                    t.commit(); // read-only: nothing to validate
                    check(found, where);
                }
                checks.increment();
                latency.recordValue(Math.min(System.nanoTime() - t0, TimeUnit.SECONDS.toNanos(60)));
                n++;
            } while (!transfersDone.get() && failure.get() == null);
        }

        /** {accounts found, their total} by a scan of the accounts' range. */
        private long[] scanned(Transaction t, String where) throws IOException {
            long count = 0;
            long total = 0;
            try (EntryIterator it = t.scan(account(0), account(accounts))) {
                while (it.hasNext()) {
                    Entry e = it.next();
                    count++;
                    total += Math.max(0, parse(e.key(), e.value(), where));
                }
            }
            scans.increment();
            return new long[] {count, total};
        }

        /** {accounts found, their total} by a get of each account. */
        private long[] got(Transaction t, String where) throws IOException {
            long count = 0;
            long total = 0;
            for (long i = 0; i < accounts; i++) {
                Optional<Bytes> v = t.get(account(i));
                if (v.isPresent()) {
                    count++;
                    total += Math.max(0, parse(account(i), v.get(), where));
                }
            }
            gets.add(accounts);
            return new long[] {count, total};
        }

        private void check(long[] found, String where) {
            if (found[0] != accounts) {
                violation(where + " holds " + found[0] + " accounts, not " + accounts);
            } else if (found[1] != expected) {
                violation("the total in " + where + " is " + found[1] + ", not " + expected
                        + ": a transfer was seen half done, an aborted one applied, or an update lost");
            }
        }

        /** The final check, by a plain scan after every transfer: returns the total it found. */
        long finalCheck(OrderedStore store) {
            String where = "the final scan";
            long count = 0;
            long total = 0;
            try (EntryIterator it = store.scan(account(0), account(accounts))) {
                while (it.hasNext()) {
                    Entry e = it.next();
                    count++;
                    total += Math.max(0, parse(e.key(), e.value(), where));
                }
            }
            check(new long[] {count, total}, where);
            return total;
        }
    }
}
