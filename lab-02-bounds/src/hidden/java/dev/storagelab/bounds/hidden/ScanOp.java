package dev.storagelab.bounds.hidden;

import dev.storagelab.kv.Bytes;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.IOException;
import java.util.List;
import java.util.TreeMap;

/**
 * One step of a model-based scan test, run against a store and a {@link java.util.TreeMap}
 * oracle. {@link #toString()} is what jqwik prints for a shrunk failing sequence, so it stays
 * short: {@code put("a", "xy")}, {@code flush}, {@code scan["a", +inf)},
 * {@code scanReverse[-inf, "b") pausing after 2 for [compact, delete("c")]}.
 */
sealed interface ScanOp {

    /**
     * Applies a write step (put, delete, flush, compact) to {@code store} and to the oracle.
     *
     * @throws IllegalArgumentException for a step that is not a write (a scan)
     */
    static void applyWrite(SortedLogStore store, TreeMap<Bytes, Bytes> oracle, ScanOp op) throws IOException {
        if (op instanceof Put p) {
            store.put(p.key(), p.value());
            oracle.put(p.key(), p.value());
        } else if (op instanceof Delete d) {
            store.delete(d.key());
            oracle.remove(d.key());
        } else if (op instanceof Flush) {
            store.flush();
        } else if (op instanceof Compact) {
            store.compact();
        } else {
            throw new IllegalArgumentException("not a write: " + op);
        }
    }

    /** Sets {@code key} to {@code value}. */
    record Put(Bytes key, Bytes value) implements ScanOp {
        @Override
        public String toString() {
            return "put(" + key + ", " + value + ")";
        }
    }

    /** Deletes {@code key}. */
    record Delete(Bytes key) implements ScanOp {
        @Override
        public String toString() {
            return "delete(" + key + ")";
        }
    }

    /** {@code SortedLogStore.flush()}. */
    record Flush() implements ScanOp {
        @Override
        public String toString() {
            return "flush";
        }
    }

    /** {@code SortedLogStore.compact()}. */
    record Compact() implements ScanOp {
        @Override
        public String toString() {
            return "compact";
        }
    }

    /** Which of the three scans. */
    enum Kind {
        FORWARD,
        REVERSE,
        PREFIX
    }

    /**
     * A whole scan, compared with the oracle: [from, to) forward or reverse (null = unbounded), or
     * the keys starting with {@code from} for a prefix scan.
     */
    record Scan(Kind kind, Bytes from, Bytes to) implements ScanOp {
        @Override
        public String toString() {
            return switch (kind) {
                case FORWARD -> "scan" + range();
                case REVERSE -> "scanReverse" + range();
                case PREFIX -> "scanPrefix(" + from + ")";
            };
        }

        private String range() {
            return "[" + (from == null ? "-inf" : from) + ", " + (to == null ? "+inf" : to) + ")";
        }
    }

    /**
     * A scan that reads {@code pauseAfter} entries, lets {@code meanwhile} run (writes, flushes,
     * compactions), then reads the rest.
     */
    record ScanAcross(Scan scan, int pauseAfter, List<ScanOp> meanwhile) implements ScanOp {
        @Override
        public String toString() {
            return scan + " pausing after " + pauseAfter + " for " + meanwhile;
        }
    }
}
