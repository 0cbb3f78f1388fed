package dev.storagelab.mvcc;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.EntryIterator;
import java.io.IOException;
import java.util.Optional;

/**
 * One snapshot-isolation transaction: it reads the database as it was when it began (its
 * {@linkplain #startTs() start timestamp}) plus its own writes, buffers its writes, and at
 * {@link #commit()} either installs all of them under one new commit timestamp or none.
 *
 * <p>A transaction is used by one thread at a time. After {@code commit} (successful or not) or
 * {@code abort}, every method but {@code close}, {@code startTs} and {@code state} throws
 * {@link IllegalStateException}. {@link #close()} aborts a transaction that is still active, so
 * try-with-resources never leaves one open (an open transaction holds back garbage collection).
 */
public interface Transaction extends AutoCloseable {

    /** Where a transaction is in its life. */
    enum State {
        ACTIVE,
        COMMITTED,
        ABORTED
    }

    /** The timestamp this transaction reads at: it sees every commit with a smaller or equal timestamp. */
    long startTs();

    /** This transaction's state. */
    State state();

    /** The value of {@code key} in this transaction's snapshot, after its own writes; empty if absent or deleted. */
    Optional<Bytes> get(Bytes key) throws IOException;

    /** Buffers {@code key = value}; it reaches the store only at commit. */
    void put(Bytes key, Bytes value) throws IOException;

    /** Buffers the deletion of {@code key} (deleting an absent key is not an error, and still conflicts). */
    void delete(Bytes key) throws IOException;

    /**
     * The live entries with {@code from <= key < to} in this transaction's snapshot, merged with its
     * own writes, in increasing key order; a null bound is open. The iterator must be closed.
     */
    EntryIterator scan(Bytes from, Bytes to) throws IOException;

    /**
     * Commits: checks every key this transaction wrote for a commit by another transaction after
     * this one's start (first committer wins), then makes the writes durable (as the store's sync
     * mode says) and visible, all under one commit timestamp, which it returns. A read-only
     * transaction commits at once and returns its start timestamp.
     *
     * @throws ConflictException if another transaction committed a write to one of this
     *                           transaction's keys after it started; the transaction is then aborted
     * @throws IOException       if the log could not make the commit durable; the transaction is
     *                           then aborted and the store refuses further commits
     */
    long commit() throws IOException;

    /** Discards the buffered writes. Idempotent; does nothing after a commit. */
    void abort();

    /** Aborts the transaction if it is still active. */
    @Override
    void close();
}
