package dev.storagelab.sortedlog.hidden;

import dev.storagelab.kv.Bytes;

/**
 * One step of a workload run against a store and a {@link java.util.TreeMap} oracle: the
 * vocabulary of the model-based and crash tests. {@link #toString()} is what jqwik prints for a
 * shrunk failing sequence, so it stays short: {@code put("k", "v")}, {@code delete("k")},
 * {@code flush}.
 */
sealed interface Op {

    /** Sets {@code key} to {@code value}. */
    record Put(Bytes key, Bytes value) implements Op {
        @Override
        public String toString() {
            return "put(" + key + ", " + abbreviate(value) + ")";
        }
    }

    /** Deletes {@code key}. */
    record Delete(Bytes key) implements Op {
        @Override
        public String toString() {
            return "delete(" + key + ")";
        }
    }

    /** Reads {@code key} and compares it with the oracle. */
    record Get(Bytes key) implements Op {
        @Override
        public String toString() {
            return "get(" + key + ")";
        }
    }

    /** {@code sync()}: every write so far becomes durable. */
    record Sync() implements Op {
        @Override
        public String toString() {
            return "sync";
        }
    }

    /** {@code SortedLogStore.flush()}; nothing for a {@code HashIndexLog}. */
    record Flush() implements Op {
        @Override
        public String toString() {
            return "flush";
        }
    }

    /** {@code SortedLogStore.compact()}; nothing for a {@code HashIndexLog}. */
    record Compact() implements Op {
        @Override
        public String toString() {
            return "compact";
        }
    }

    /** Closes the store and opens it again on the same storage. */
    record Reopen() implements Op {
        @Override
        public String toString() {
            return "reopen";
        }
    }

    /** Loses power (unforced bytes and unsynced directory changes may vanish), then reopens. */
    record PowerLoss() implements Op {
        @Override
        public String toString() {
            return "powerLoss";
        }
    }

    /** A value as {@link Bytes#toString()} shows it, cut short when long. */
    static String abbreviate(Bytes value) {
        if (value.length() <= 24) {
            return value.toString();
        }
        return Bytes.copyOf(value.toByteArray(), 0, 16) + "...(" + value.length() + " bytes)";
    }
}
