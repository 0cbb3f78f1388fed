package dev.storagelab.mvcc;

import dev.storagelab.kv.Entry;
import java.io.IOException;
import java.util.List;

/**
 * Where {@link TransactionManager} makes a commit durable before it applies it: the write-ahead
 * log (lab-06 T3 and T7 implement it over the T1/T2 log, one record per commit). The manager calls
 * it outside its commit mutex, so concurrent commits can share one force (group commit), and in any
 * order of their timestamps; recovery replays the records into the {@link MvccStore} by timestamp.
 */
@FunctionalInterface
public interface CommitLog {

    /**
     * Records that {@code writes} commit at {@code commitTs}, as one record, and returns once the
     * record is as durable as the store's sync mode promises.
     *
     * @throws IOException if the record could not be written or forced; the manager then aborts the
     *                     transaction and refuses every later commit (after a failed force nobody
     *                     knows what reached the disk: fsyncgate)
     */
    void log(long commitTs, List<Entry> writes) throws IOException;

    /** No log at all: commits are applied in memory only, and a crash loses everything. */
    CommitLog NONE = new CommitLog() {
        @Override
        public void log(long commitTs, List<Entry> writes) {}

        @Override
        public String toString() {
            return "no commit log";
        }
    };
}
