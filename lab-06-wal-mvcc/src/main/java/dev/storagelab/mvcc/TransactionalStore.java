package dev.storagelab.mvcc;

import java.io.IOException;

/**
 * A store that runs transactions: lab-06's {@code TransactionManager} over any engine, and
 * {@code KvStore}. The transaction-history checker drives any implementation of it.
 */
public interface TransactionalStore {

    /** Starts a transaction that reads the newest committed state. */
    Transaction begin() throws IOException;
}
