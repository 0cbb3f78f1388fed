package dev.storagelab.bounds.hidden;

import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A storage that holds the first segment write at a gate until the test opens it: while it is
 * held, the store has a frozen memtable that is being flushed, the state a scan most easily
 * gets wrong. Every wait is bounded by {@link TestThreads#LIVENESS_BOUND_SECONDS}.
 */
final class FlushGateStorage extends ForwardingStorage {

    private final CountDownLatch gate = new CountDownLatch(1);
    private final CountDownLatch flushHeld = new CountDownLatch(1);

    FlushGateStorage(Storage delegate) {
        super(delegate);
    }

    /** Lets the held flush, and every later one, go on. */
    void open() {
        gate.countDown();
    }

    /** Waits until a flush is held at the gate. */
    void awaitFlushHeld() throws InterruptedException {
        if (!flushHeld.await(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("no flush started within " + TestThreads.LIVENESS_BOUND_SECONDS
                    + " s although the memtable was over its budget");
        }
    }

    @Override
    public WritableFile create(String name) throws IOException {
        if (name.endsWith(".seg.tmp")) {
            flushHeld.countDown();
            try {
                if (!gate.await(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS)) {
                    throw new IOException("the test never opened the flush gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted at the flush gate", e);
            }
        }
        return super.create(name);
    }
}
