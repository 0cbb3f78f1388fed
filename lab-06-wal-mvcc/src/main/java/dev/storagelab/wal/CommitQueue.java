package dev.storagelab.wal;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit: the writer queue of LevelDB's {@code DBImpl::Write} and RocksDB's write groups.
 *
 * <p>Every commit of the {@link Wal} comes here as a {@link Writer} and joins
 * the back of one queue. The writer at the front is the <b>leader</b>: it takes a group of
 * writers from the front of the queue (itself first), appends all of their records with one
 * storage write, forces the log once if any of them asked for it, and hands each writer of the
 * group its outcome. The others are <b>followers</b>: they sleep until the leader has handed them
 * their outcome, or until they reach the front themselves and lead the next group. While a leader
 * is writing and forcing it holds no lock, so the commits that arrive meanwhile pile up behind it:
 * the slower the force, the larger the next group. That is why 32 committing threads share one
 * force instead of queueing for 32.
 *
 * <p>Only the leader writes and forces, so leaders never overlap: the queue serialises the
 * commits' I/O. (The {@link Log} it calls takes the Wal's I/O lock anyway, because
 * {@link Wal#append} and {@link Wal#force} write without going through the queue.)
 */
final class CommitQueue {

    /** What the leader does to the log, with the queue's lock released. */
    interface Log {

        /**
         * Appends {@code payloads} (at least one) as consecutive records, in order, in one storage
         * write, not forced.
         *
         * @return the LSN of the first; the others follow it one by one
         */
        long append(List<byte[]> payloads) throws IOException;

        /** Makes every record appended so far durable. */
        void force() throws IOException;
    }

    /** One commit waiting in the queue, and then its outcome. */
    static final class Writer {
        /** The record to append. */
        final byte[] payload;
        /** Whether the writer may return only once its record (and all before it) is durable. */
        final boolean sync;
        /** Where the writer sleeps: signalled when it is done or has reached the front. */
        final Condition wake;
        // Guarded by the queue's lock.
        boolean done;
        long lsn;
        IOException error;

        Writer(byte[] payload, boolean sync, Condition wake) {
            this.payload = payload;
            this.sync = sync;
            this.wake = wake;
        }

        /** The writer's LSN, or the failure of its group. Called once it is done. */
        long outcome() throws IOException {
            if (error != null) {
                throw new IOException(
                        "the log write or force of this commit's group failed: " + error.getMessage(), error);
            }
            return lsn;
        }

        int bytes() {
            return payload.length;
        }
    }

    private final Log log;
    private final boolean grouping;
    private final int maxGroupBytes;
    private final ReentrantLock lock = new ReentrantLock();
    /** The writers waiting, the leader at the front until its group is done. */
    @GuardedBy("lock")
    private final ArrayDeque<Writer> writers = new ArrayDeque<>();

    /**
     * @param grouping      whether a leader takes other writers into its group; false for
     *                      {@link SyncMode#EVERY_WRITE}, where every writer writes (and forces) alone
     * @param maxGroupBytes the payload bytes a group takes at most, its leader's always included
     */
    CommitQueue(Log log, boolean grouping, int maxGroupBytes) {
        this.log = log;
        this.grouping = grouping;
        this.maxGroupBytes = maxGroupBytes;
    }

    /**
     * Appends {@code payload} as one record through the queue and returns once it is written, and,
     * if {@code sync}, durable.
     *
     * <p>Join the back of the queue, then sleep on the writer's condition until either the writer
     * is done (a leader wrote it as part of its group: return its outcome) or it is at the front of
     * the queue (it is the leader now: {@link #lead} its group, then return its outcome). A
     * follower never returns before its leader has handed it an outcome, so under a sync mode it
     * never returns before its record is durable.
     *
     * @return the record's LSN
     * @throws IOException if the write or the force of the writer's group failed
     */
    long submit(byte[] payload, boolean sync) throws IOException {
        Writer w = new Writer(payload, sync, lock.newCondition());
        lock.lock();
        try {
            // BEGIN SOLUTION lab-06 T2
            writers.addLast(w);
            while (!w.done && writers.peekFirst() != w) {
                w.wake.awaitUninterruptibly();
            }
            if (!w.done) {
                lead(w);
            }
            return w.outcome();
            // END SOLUTION
        } finally {
            lock.unlock();
        }
    }

    /**
     * The leader's work. Called with the lock held and {@code leader} at the front of the queue;
     * returns with the lock held, the group out of the queue and every writer of it done.
     *
     * <ol>
     *   <li>Take the group: writers from the front of the queue, the leader first, in order, while
     *       the group's payload bytes stay within {@code maxGroupBytes} (the leader always goes in,
     *       however large it is); only the leader when not {@code grouping}.</li>
     *   <li>Release the lock (so that new writers can queue behind the group while it writes), append
     *       the group's payloads with one {@link Log#append}, and
     *       {@link Log#force} once if any writer of the group is {@code sync}. A failure of either
     *       becomes the outcome of every writer of the group (a RuntimeException wrapped in an
     *       IOException): none of them may return success. Take the lock again.</li>
     *   <li>Remove the group from the queue; give each writer its outcome (its LSN: the first LSN
     *       plus its position among the group's payloads, or the error), mark it done and wake it.
     *       Then wake the writer now at the
     *       front, if any: it leads the next group.</li>
     * </ol>
     */
    @GuardedBy("lock")
    private void lead(Writer leader) {
        // BEGIN SOLUTION lab-06 T2
        List<Writer> group = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        long bytes = 0;
        boolean sync = false;
        for (Writer w : writers) {
            if (w != leader && (!grouping || bytes + w.bytes() > maxGroupBytes)) {
                break;
            }
            group.add(w);
            bytes += w.bytes();
            sync |= w.sync;
            payloads.add(w.payload);
        }
        long first = 0;
        IOException error = null;
        lock.unlock();
        try {
            first = log.append(payloads);
            if (sync) {
                log.force();
            }
        } catch (IOException e) {
            error = e;
        } catch (RuntimeException e) {
            error = new IOException(e);
        } finally {
            lock.lock();
        }
        long next = first;
        for (Writer w : group) {
            writers.removeFirst();
            if (error != null) {
                w.error = error;
            } else {
                w.lsn = next++;
            }
            w.done = true;
            w.wake.signal();
        }
        Writer front = writers.peekFirst();
        if (front != null) {
            front.wake.signal();
        }
        // END SOLUTION
    }

    /** Writers in the queue now, the current leader's group included. */
    int waiting() {
        lock.lock();
        try {
            return writers.size();
        } finally {
            lock.unlock();
        }
    }
}
