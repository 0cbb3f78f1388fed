package dev.storagelab.mvcc.check;

import java.util.Locale;

/**
 * An edge of the dependency graph (Adya's direct serialization graph): {@code from} must come
 * before {@code to} in any serial order that explains the history, because of what both did to
 * {@code key}.
 *
 * @param from the transaction id that must come first
 * @param to   the transaction id that must come after it
 * @param kind why
 * @param key  the key both touched (empty for a real-time edge)
 */
public record Dependency(int from, int to, Kind kind, String key) {

    /** The three reasons one transaction must precede another. */
    public enum Kind {
        /** Write-write: {@code to} appended to the key right after {@code from}'s append, in the key's version order. */
        WW,
        /** Write-read: {@code to} read the version {@code from} wrote (its read ends with {@code from}'s element). */
        WR,
        /**
         * Read-write, the anti-dependency: {@code from} read a version of the key, and {@code to}
         * wrote the next one, so {@code from} did not see {@code to}'s write.
         */
        RW,
        /**
         * Real time, only in {@link HistoryChecker#checkRealtime}: {@code from} committed before
         * {@code to} began, so a store that promises strong snapshot isolation or strict
         * serializability must order {@code from} first. It has no key.
         */
        RT;

        /** {@code ww}, {@code wr} or {@code rw}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        int bit() {
            return 1 << ordinal();
        }
    }

    /** {@code -ww(x)->}, or {@code -rt->}: the arrow of a cycle's text. */
    public String arrow() {
        return kind == Kind.RT ? " -rt-> " : " -" + kind.label() + "(" + key + ")-> ";
    }

    @Override
    public String toString() {
        return "T" + from + arrow() + "T" + to;
    }
}
