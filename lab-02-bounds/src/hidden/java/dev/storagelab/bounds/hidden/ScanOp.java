package dev.storagelab.bounds.hidden;

import dev.storagelab.kv.Bytes;
import java.util.List;

/**
 * One step of a model-based scan test, run against a store and a {@link java.util.TreeMap}
 * oracle. {@link #toString()} is what jqwik prints for a shrunk failing sequence, so it stays
 * short: {@code put("a", "xy")}, {@code flush}, {@code scan["a", +inf)},
 * {@code scanReverse[-inf, "b") pausing after 2 for [compact, delete("c")]}.
 */
sealed interface ScanOp {

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
        FORWARD, REVERSE, PREFIX
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
