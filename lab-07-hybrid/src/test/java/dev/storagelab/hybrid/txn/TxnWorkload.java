package dev.storagelab.hybrid.txn;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.hybrid.Placement;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A run of transactions over a few HOT keys ({@code h...}, the B+tree) and COLD keys ({@code c...},
 * the LSM tree): most touch both engines (two-phase commit), some one engine (one-phase), some
 * delete; a checkpoint every so often. It keeps the model of what the acknowledged transactions
 * left and the transaction in flight when the run stopped, and checks a recovered store: every
 * key as the model says, or every key as the model with the in-flight transaction applied;
 * nothing in between.
 */
public final class TxnWorkload {

    /** HOT for keys starting with 'h', COLD for every other key. */
    public static final Function<Bytes, Placement> ROUTE =
            k -> k.length() > 0 && k.byteAt(0) == 'h' ? Placement.HOT : Placement.COLD;

    public static final int KEYS = 6;

    private final List<List<Entry>> batches = new ArrayList<>();
    private final List<Boolean> checkpointAfter = new ArrayList<>();
    /** What every acknowledged transaction left. */
    public final TreeMap<Bytes, Bytes> model = new TreeMap<>();
    /** The transaction in flight when the run stopped (either outcome is right), or null. */
    public List<Entry> inFlight;
    /** Transactions acknowledged. */
    public int acknowledged;

    public static Bytes hot(int i) {
        return Bytes.of("h" + i);
    }

    public static Bytes cold(int i) {
        return Bytes.of("c" + i);
    }

    /**
     * {@code transactions} transactions from {@code seed}: 70% across both engines (one to three
     * keys in each), 20% one engine only, 10% across both with a delete in each; a checkpoint after
     * every {@code checkpointEvery}-th (0: never).
     */
    public TxnWorkload(int transactions, long seed, int checkpointEvery) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int t = 1; t <= transactions; t++) {
            List<Entry> batch = new ArrayList<>();
            int kind = random.nextInt(10);
            Bytes value = Bytes.of("t" + t + "-" + "x".repeat(random.nextInt(40)));
            if (kind < 7) {
                for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                    batch.add(Entry.put(hot(random.nextInt(KEYS)), value));
                    batch.add(Entry.put(cold(random.nextInt(KEYS)), value));
                }
            } else if (kind < 9) {
                boolean h = random.nextBoolean();
                for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                    batch.add(Entry.put(h ? hot(random.nextInt(KEYS)) : cold(random.nextInt(KEYS)), value));
                }
            } else {
                batch.add(Entry.tombstone(hot(random.nextInt(KEYS))));
                batch.add(Entry.put(cold(random.nextInt(KEYS)), value));
                batch.add(Entry.tombstone(cold(random.nextInt(KEYS))));
                batch.add(Entry.put(hot(random.nextInt(KEYS)), value));
            }
            batches.add(batch);
            checkpointAfter.add(checkpointEvery > 0 && t % checkpointEvery == 0);
        }
    }

    /** How many transactions the workload holds. */
    public int size() {
        return batches.size();
    }

    /** A writer of one batch: {@link CrossEngineStore#write} or the naive store's. */
    @FunctionalInterface
    public interface Writer {
        void write(List<Entry> batch) throws IOException;
    }

    /** A checkpoint of the store under test (or nothing). */
    @FunctionalInterface
    public interface Checkpointer {
        void checkpoint() throws IOException;
    }

    /**
     * Runs the transactions until one throws (a simulated crash): the model holds the acknowledged
     * ones, {@link #inFlight} the one that threw. Returns whether the run completed.
     */
    public boolean run(Writer writer, Checkpointer checkpointer) {
        for (int t = 0; t < batches.size(); t++) {
            List<Entry> batch = batches.get(t);
            try {
                writer.write(batch);
            } catch (IOException e) {
                inFlight = batch;
                return false;
            }
            apply(model, batch);
            acknowledged++;
            if (checkpointAfter.get(t)) {
                try {
                    checkpointer.checkpoint();
                } catch (IOException e) {
                    return false; // a crash during a checkpoint: nothing is in flight
                }
            }
        }
        return true;
    }

    public boolean run(CrossEngineStore store) {
        return run(store::write, store::checkpoint);
    }

    private static void apply(TreeMap<Bytes, Bytes> map, List<Entry> batch) {
        for (Entry e : batch) {
            if (e.isTombstone()) {
                map.remove(e.key());
            } else {
                map.put(e.key(), e.value());
            }
        }
    }

    /** Every key's value as a getter returns it: the model's keys and every other key the workload uses. */
    public interface Reader {
        java.util.Optional<Bytes> get(Bytes key) throws IOException;
    }

    /** The store's contents, key by key (the workload's keys only). */
    public static TreeMap<Bytes, Bytes> contents(Reader reader) throws IOException {
        TreeMap<Bytes, Bytes> out = new TreeMap<>();
        for (int i = 0; i < KEYS; i++) {
            for (Bytes k : new Bytes[] {hot(i), cold(i)}) {
                java.util.Optional<Bytes> v = reader.get(k);
                if (v.isPresent()) {
                    out.put(k, v.get());
                }
            }
        }
        return out;
    }

    /**
     * Whether {@code got} is the model (the in-flight transaction absent) or the model with the
     * in-flight transaction applied, and nothing else.
     */
    public boolean atomic(TreeMap<Bytes, Bytes> got) {
        if (got.equals(model)) {
            return true;
        }
        if (inFlight == null) {
            return false;
        }
        TreeMap<Bytes, Bytes> with = new TreeMap<>(model);
        apply(with, inFlight);
        return got.equals(with);
    }

    /** Asserts {@link #atomic}, with the model, the in-flight transaction and what was found. */
    public void check(CrossEngineStore store, String when) throws IOException {
        TreeMap<Bytes, Bytes> got = contents(store::get);
        if (!atomic(got)) {
            assertThat(
                    when + ": after recovery every acknowledged transaction must be visible and the one in flight ("
                            + inFlight + ") wholly visible or wholly absent, in both engines",
                    got,
                    equalTo(model));
        }
        TreeMap<Bytes, Bytes> scanned = new TreeMap<>();
        try (EntryIterator it = store.scan(null, null)) {
            while (it.hasNext()) {
                Entry e = it.next();
                scanned.put(e.key(), e.value());
            }
        }
        assertThat(when + ": a scan of both engines", scanned, equalTo(got));
        assertThat(
                when + ": transactions left in doubt after recovery, hot",
                store.hot().inDoubt().isEmpty(),
                equalTo(true));
        assertThat(
                when + ": transactions left in doubt after recovery, cold",
                store.cold().inDoubt().isEmpty(),
                equalTo(true));
    }
}
