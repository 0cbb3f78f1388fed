package dev.storagelab.mvcc.check;

import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.NotImplementedException;
import dev.storagelab.mvcc.ConflictException;
import dev.storagelab.mvcc.Transaction;
import dev.storagelab.mvcc.TransactionalStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives any {@link TransactionalStore} with concurrent random list-append transactions and records
 * the {@link History} for {@link HistoryChecker}.
 *
 * <p>Each of {@code threads} threads runs {@code txnsPerThread} transactions, one after another.
 * A transaction is one to {@link Workload#maxOpsPerTxn()} micro-operations over {@link
 * Workload#keys()} keys: a read of a key's list, or an append of a new element to it. As in
 * Jepsen's list-append workload, keys are retired once they hold about {@link
 * Workload#appendsPerKey()} elements and fresh ones take their place (the threads' {@code n}-th
 * transactions all use the same generation of keys, {@code k0 ... k<keys-1>} first, then
 * {@code k<keys> ...}), so lists stay short, and reading and checking them stays cheap, however
 * long the run. A key's value is
 * its list encoded as comma-separated decimal numbers ({@code "3,17,42"}; an absent key is the
 * empty list), so an append is a read-modify-write inside the transaction: {@code get}, then
 * {@code put} of the list with the element added. The history records both: the read (what
 * {@code get} returned) and the append. Every element is unique in the whole run.
 *
 * <p>A {@link ConflictException} from any call records the transaction as aborted; any other
 * exception, as of unknown outcome (with the exception's class and message), except a {@link
 * NotImplementedException}, which ends the run: it is thrown as it is. After every thread is done,
 * one more transaction reads every key, so each key's final order is known.
 *
 * <p>What each thread does is fixed by the seed (its transactions, their keys and elements); how
 * the threads interleave is up to the scheduler, so two runs with one seed may see different
 * anomalies. A run is bounded by its transaction count; a store that never finishes a transaction
 * fails the run after {@value #LIVENESS_SECONDS} seconds with the stuck threads' stacks.
 */
public final class HistoryRunner {

    /** How long a run may take, far beyond any healthy one: a deadlocked store fails with a message instead of hanging. */
    public static final long LIVENESS_SECONDS = 100;

    /**
     * The shape of the transactions.
     *
     * @param keys          how many keys are in use at a time; few keys, more contention
     * @param maxOpsPerTxn  each transaction has 1 to this many micro-operations
     * @param readFraction  the chance a micro-operation is a read (else an append)
     * @param appendsPerKey about how many elements a key gets before fresh keys replace it; 0: never
     * @param finalRead     whether one last transaction reads every key once all threads are done
     */
    public record Workload(int keys, int maxOpsPerTxn, double readFraction, int appendsPerKey, boolean finalRead) {
        public Workload {
            if (keys < 1) {
                throw new IllegalArgumentException("keys must be at least 1: " + keys);
            }
            if (maxOpsPerTxn < 1) {
                throw new IllegalArgumentException("maxOpsPerTxn must be at least 1: " + maxOpsPerTxn);
            }
            if (!(readFraction >= 0 && readFraction <= 1)) {
                throw new IllegalArgumentException("readFraction must be in [0, 1]: " + readFraction);
            }
            if (appendsPerKey < 0) {
                throw new IllegalArgumentException("appendsPerKey must not be negative: " + appendsPerKey);
            }
        }

        /**
         * How many consecutive transactions of each thread use one generation of keys, so that
         * {@code threads} threads append about {@link #appendsPerKey()} elements to each key.
         */
        int txnsPerGeneration(int threads) {
            double appendsPerTxn = (1 + maxOpsPerTxn) / 2.0 * (1 - readFraction);
            if (appendsPerKey == 0 || appendsPerTxn == 0) {
                return Integer.MAX_VALUE;
            }
            return (int) Math.max(1, Math.round(appendsPerKey * keys / (threads * appendsPerTxn)));
        }

        /**
         * Up to 4 micro-operations, half of them reads, keys retired at about 32 elements, and a
         * final read: with 2 to 4 keys, contended enough for lost updates, read skew and write skew
         * to show up in a few hundred transactions wherever the store allows them.
         */
        public static Workload listAppend(int keys) {
            return new Workload(keys, 4, 0.5, 32, true);
        }
    }

    private HistoryRunner() {}

    /** Runs {@link Workload#listAppend(int) the default list-append workload} over {@code keys} keys. */
    public static History run(TransactionalStore store, int threads, int txnsPerThread, int keys, long seed) {
        return run(store, threads, txnsPerThread, Workload.listAppend(keys), seed);
    }

    /**
     * Runs {@code threads} threads of {@code txnsPerThread} transactions each against {@code store}
     * and returns what they saw. Transaction {@code T<n>} is thread {@code (n-1) / txnsPerThread}'s;
     * the final read, if any, is {@code T<threads * txnsPerThread + 1>}, on thread {@code threads},
     * and reads every key any transaction may have used.
     *
     * @throws IllegalStateException   if a thread did not finish within {@value #LIVENESS_SECONDS} s,
     *                                 or died of an {@link Error}
     * @throws NotImplementedException if the store's code throws it: the store is not written yet
     */
    public static History run(TransactionalStore store, int threads, int txnsPerThread, Workload workload, long seed) {
        if (threads < 1 || txnsPerThread < 0) {
            throw new IllegalArgumentException("need at least one thread and no negative count: threads=" + threads
                    + ", txnsPerThread=" + txnsPerThread);
        }
        int perGeneration = workload.txnsPerGeneration(threads);
        AtomicLong clock = new AtomicLong();
        List<List<Txn>> recorded = new ArrayList<>(); // one list per thread, read after the joins
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int thread = t;
            List<Txn> mine = new ArrayList<>(txnsPerThread);
            recorded.add(mine);
            workers[t] = new Thread(
                    () -> {
                        try {
                            go.await();
                            Random random = new Random(seed * 0x9E3779B97F4A7C15L + thread);
                            for (int i = 0; i < txnsPerThread; i++) {
                                int global = thread * txnsPerThread + i;
                                mine.add(runOne(
                                        store,
                                        global + 1,
                                        thread,
                                        plan(random, workload, global, i / perGeneration),
                                        clock));
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    },
                    "history-runner-" + t);
            workers[t].setDaemon(true);
            workers[t].start();
        }
        go.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIVENESS_SECONDS);
        for (Thread w : workers) {
            try {
                w.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the history's threads", e);
            }
            if (w.isAlive()) {
                StackTraceElement[] stack = w.getStackTrace();
                Arrays.stream(workers).forEach(Thread::interrupt);
                throw new IllegalStateException(
                        w.getName() + " did not finish its transactions within " + LIVENESS_SECONDS
                                + " s (a deadlock or a lost wake-up in the store?); it is at:\n  "
                                + String.join(
                                        "\n  ",
                                        Arrays.stream(stack)
                                                .limit(12)
                                                .map(String::valueOf)
                                                .toList()));
            }
        }
        if (!failures.isEmpty()) {
            if (failures.get(0) instanceof NotImplementedException e) {
                throw e;
            }
            IllegalStateException e =
                    new IllegalStateException("a history thread died: " + failures.get(0), failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
        if (workload.finalRead()) {
            List<Op> reads = new ArrayList<>();
            int generations = txnsPerThread == 0 ? 1 : (txnsPerThread - 1) / perGeneration + 1;
            for (int k = 0; k < generations * workload.keys(); k++) {
                reads.add(new Op(keyName(k), false, 0));
            }
            recorded.add(List.of(runOne(store, threads * txnsPerThread + 1, threads, reads, clock)));
        }
        List<Txn> ordered = new ArrayList<>();
        recorded.forEach(ordered::addAll);
        ordered.sort(Comparator.comparingLong(Txn::startOrder));
        return new History(ordered);
    }

    /** One planned micro-operation: a read, or an append of {@code element}. */
    private record Op(String key, boolean append, long element) {}

    private static List<Op> plan(Random random, Workload w, int global, int generation) {
        int n = 1 + random.nextInt(w.maxOpsPerTxn());
        List<Op> ops = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            String key = keyName(generation * w.keys() + random.nextInt(w.keys()));
            boolean append = random.nextDouble() >= w.readFraction();
            ops.add(new Op(key, append, append ? (long) global * w.maxOpsPerTxn() + j + 1 : 0));
        }
        return ops;
    }

    private static Txn runOne(TransactionalStore store, int id, int thread, List<Op> plan, AtomicLong clock) {
        long start = clock.incrementAndGet();
        List<MicroOp> ops = new ArrayList<>();
        Txn.Status status;
        String error = null;
        Transaction tx = null;
        try {
            tx = store.begin();
            for (Op op : plan) {
                Bytes key = Bytes.of(op.key());
                List<Long> value = decode(op.key(), tx.get(key));
                ops.add(new MicroOp.Read(op.key(), value));
                if (op.append()) {
                    List<Long> appended = new ArrayList<>(value);
                    appended.add(op.element());
                    ops.add(new MicroOp.Append(op.key(), op.element()));
                    tx.put(key, encode(appended));
                }
                // Let another thread run between two steps of a transaction, as a network round
                // trip would: without it, a fast store on few cores runs transactions nearly one
                // at a time, and anomalies need overlapping transactions to show.
                Thread.yield();
            }
            tx.commit();
            status = Txn.Status.COMMITTED;
        } catch (NotImplementedException e) {
            throw e; // not an outcome of the transaction: a history of these would check nothing
        } catch (ConflictException e) {
            status = Txn.Status.ABORTED;
            error = describe(e);
        } catch (IOException | RuntimeException e) {
            status = Txn.Status.UNKNOWN;
            error = describe(e);
        } finally {
            if (tx != null) {
                try {
                    tx.close();
                } catch (RuntimeException e) {
                    // What the transaction itself threw is recorded; a failing close adds nothing to check.
                }
            }
        }
        return new Txn(id, thread, start, clock.incrementAndGet(), status, ops, error);
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** The name of key number {@code i}: {@code k<i>}. */
    public static String keyName(int i) {
        return "k" + i;
    }

    /** A list as a value: its elements as comma-separated decimal numbers, UTF-8. */
    public static Bytes encode(List<Long> list) {
        StringBuilder s = new StringBuilder();
        for (long e : list) {
            if (s.length() > 0) {
                s.append(',');
            }
            s.append(e);
        }
        return Bytes.of(s.toString());
    }

    /**
     * A value as a list; an absent or empty value is the empty list.
     *
     * @throws IllegalStateException if the bytes are not comma-separated decimal numbers; the
     *                               message names the key and shows the bytes
     */
    public static List<Long> decode(String key, Optional<Bytes> value) {
        if (value.isEmpty() || value.get().isEmpty()) {
            return List.of();
        }
        String text = value.get().toUtf8();
        List<Long> list = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            try {
                list.add(Long.parseLong(part));
            } catch (NumberFormatException e) {
                throw new IllegalStateException(
                        "key " + key + " holds " + value.get()
                                + ", which is not a list of comma-separated numbers (it is written only as one)",
                        e);
            }
        }
        return list;
    }
}
