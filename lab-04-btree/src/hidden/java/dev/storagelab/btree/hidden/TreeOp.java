package dev.storagelab.btree.hidden;

/**
 * One step of a model-based B+tree test, over key indexes (see {@link Trees#key}). Runs of
 * consecutive keys let a short sequence build a tree three or four levels deep and then empty it
 * again, so a shrunk failing sequence stays short: {@code [putRun(0, 80, 30), deleteRun(10, 60),
 * scanReverse(5, 40)]}. {@link #toString()} is what jqwik prints.
 */
sealed interface TreeOp {

    /** Sets key {@code key} to a fresh value of {@code valueLength} bytes. */
    record Put(int key, int valueLength) implements TreeOp {
        @Override
        public String toString() {
            return "put(" + key + ", " + valueLength + ")";
        }
    }

    /** Puts keys {@code from .. from + count - 1} (capped at the key space) in increasing order. */
    record PutRun(int from, int count, int valueLength) implements TreeOp {
        @Override
        public String toString() {
            return "putRun(" + from + ", " + count + ", " + valueLength + ")";
        }
    }

    /** Deletes key {@code key}, present or not. */
    record Delete(int key) implements TreeOp {
        @Override
        public String toString() {
            return "delete(" + key + ")";
        }
    }

    /** Deletes keys {@code from .. from + count - 1}, in decreasing order if {@code descending}. */
    record DeleteRun(int from, int count, boolean descending) implements TreeOp {
        @Override
        public String toString() {
            return "deleteRun(" + from + ", " + count + (descending ? ", desc" : "") + ")";
        }
    }

    /** Reads key {@code key} and compares it with the model. */
    record Get(int key) implements TreeOp {
        @Override
        public String toString() {
            return "get(" + key + ")";
        }
    }

    /** Scans {@code [from, to)} (-1: an open end) forward or backward and compares it with the model. */
    record Scan(int from, int to, boolean reverse) implements TreeOp {
        @Override
        public String toString() {
            return (reverse ? "scanReverse(" : "scan(") + (from < 0 ? "null" : from) + ", " + (to < 0 ? "null" : to)
                    + ")";
        }
    }

    /** {@code checkpoint()}: everything so far becomes durable. */
    record Checkpoint() implements TreeOp {
        @Override
        public String toString() {
            return "checkpoint";
        }
    }

    /** Closes the tree (which checkpoints) and opens it again. */
    record Reopen() implements TreeOp {
        @Override
        public String toString() {
            return "reopen";
        }
    }

    /** Crashes at the next storage mutation, loses power (torn sectors, lost unforced writes), reopens. */
    record PowerLoss() implements TreeOp {
        @Override
        public String toString() {
            return "powerLoss";
        }
    }
}
