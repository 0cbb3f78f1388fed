package dev.storagelab.wal;

import java.io.IOException;

/** Receives the records {@link Wal#replay} reads back, in LSN order. */
@FunctionalInterface
public interface RecordConsumer {

    /**
     * One record.
     *
     * @param lsn     its log sequence number
     * @param payload the bytes given to {@link Wal#append} or {@link Wal#commit}
     */
    void accept(long lsn, byte[] payload) throws IOException;
}
