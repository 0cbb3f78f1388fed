package dev.storagelab.kvstore;

import dev.storagelab.bounds.ForwardingOrderedStore;
import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.lsm.LsmStore;
import java.io.IOException;

/**
 * An ordered store under the write-ahead log: the lab-04 B+tree or the lab-05 LSM tree. The log
 * makes its writes durable; the engine only has to make them durable <em>at a checkpoint</em>, in
 * its own way, and say which of its files it keeps.
 */
public interface Engine extends OrderedStore {

    /**
     * Makes every write the engine has applied so far durable in its own files: the B+tree's
     * copy-on-write checkpoint (meta page last), the LSM tree's flush of its memtable (MANIFEST edit
     * last). A crash during it leaves the engine at its previous checkpoint or this one.
     */
    void checkpoint() throws IOException;

    /** {@code btree} or {@code lsm}: the name the options and the reports use. */
    String kind();

    /**
     * Which of its own checkpoints the engine's durable state is: a number that grows with every
     * {@link #checkpoint()}, or 0 for an engine whose open cannot come back at an older checkpoint
     * than its last. {@link CheckpointFile} records it, and an open refuses an engine that came
     * back older than the record (the B+tree, its newest meta page damaged, falls back to the one
     * before: the log records between the two are gone).
     */
    default long checkpointId() {
        return 0;
    }

    /** The B+tree as an engine: its checkpoint is {@link BPlusTree#checkpoint()}. */
    static Engine of(BPlusTree tree) {
        return new Adapter(tree, "btree") {
            @Override
            public void checkpoint() throws IOException {
                tree.checkpoint();
            }

            @Override
            public long checkpointId() {
                return tree.checkpointGeneration();
            }
        };
    }

    /**
     * The LSM tree as an engine: its checkpoint is {@link LsmStore#flush()}. Open it without its own
     * log ({@code LsmOptions.withoutWal()}): the write-ahead log above it already holds every write,
     * and a second log would write each byte once more.
     *
     * @throws IllegalArgumentException if the store keeps its own write-ahead log
     */
    static Engine of(LsmStore lsm) {
        if (lsm.options().walEnabled()) {
            throw new IllegalArgumentException("the LSM tree under the write-ahead log must not keep its own log: "
                    + "open it with LsmOptions.withoutWal()");
        }
        return new Adapter(lsm, "lsm") {
            @Override
            public void checkpoint() throws IOException {
                lsm.flush();
            }
        };
    }

    /** Passes the ordered-store calls through to the engine. */
    abstract class Adapter extends ForwardingOrderedStore implements Engine {
        private final String kind;

        Adapter(OrderedStore store, String kind) {
            super(store);
            this.kind = kind;
        }

        /** The engine itself, for its statistics. */
        public OrderedStore unwrap() {
            return delegate();
        }

        @Override
        public String kind() {
            return kind;
        }

        /** A checkpoint: what makes the engine's writes durable. */
        @Override
        public void sync() throws IOException {
            checkpoint();
        }

        @Override
        public String toString() {
            return kind + " engine: " + delegate();
        }
    }
}
