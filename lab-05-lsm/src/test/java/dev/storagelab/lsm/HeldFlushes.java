package dev.storagelab.lsm;

import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import java.io.IOException;
import java.util.concurrent.Semaphore;

/**
 * A storage that holds back every table file's creation until the test lets it go: the store's
 * background flushes wait, so full memtables queue up behind them ({@link LsmOptions#maxImmutableMemtables()}).
 */
public final class HeldFlushes extends ForwardingStorage {
    private final Semaphore tables = new Semaphore(0);

    public HeldFlushes(Storage delegate) {
        super(delegate);
    }

    @Override
    public WritableFile create(String name) throws IOException {
        if (name.endsWith(".sst")) {
            tables.acquireUninterruptibly();
        }
        return super.create(name);
    }

    /** Lets {@code tableFiles} more table files be created. */
    public void let(int tableFiles) {
        tables.release(tableFiles);
    }
}
