package dev.storagelab.wal;

/**
 * When a commit returns, compared with when its log record is on stable storage.
 */
public enum SyncMode {
    /** The record is written to the operating system, never forced by the commit: a crash of the
     *  process loses nothing, a power loss may lose the last commits (never part of one). */
    NONE,
    /** Commits wait for a force that covers them; concurrent committers share one force
     *  (group commit). Durable on return. */
    GROUP,
    /** Every commit forces the log by itself, one after the other: durable on return, and the
     *  baseline that group commit is measured against. */
    EVERY_WRITE
}
