package dev.storagelab.sortedlog.hidden;

import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Storage} that can hold segment writes back: while the gate is closed, creating a
 * segment's temp file blocks, so a flush stays in progress for as long as a test needs to look at
 * the store mid-flush. Everything else passes straight through.
 */
final class GatedStorage extends ForwardingStorage {

    private final CountDownLatch gate = new CountDownLatch(1);
    private final CountDownLatch flushArrived = new CountDownLatch(1);

    GatedStorage(Storage inner) {
        super(inner);
    }

    /** Lets every held and future segment write proceed. */
    void open() {
        gate.countDown();
    }

    /** Waits until a flush is held at the gate. */
    void awaitFlushHeld() throws InterruptedException {
        awaitFlushHeld(null);
    }

    /**
     * Waits until a flush is held at the gate, or until {@code writer} (null: none) has ended
     * without one starting: a writer that died, or finished without ever waiting, will never
     * cause a flush, so waiting out the liveness bound would only cost time; the caller's
     * assertions on the writer then say what went wrong.
     */
    void awaitFlushHeld(Thread writer) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
        while (!flushArrived.await(10, TimeUnit.MILLISECONDS)) {
            if (writer != null && !writer.isAlive()) {
                return; // the caller's assertions on the writer say what went wrong
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no flush started within " + TestThreads.LIVENESS_BOUND_SECONDS
                        + " s although the memtable was over its budget: a full memtable must be frozen and flushed");
            }
        }
    }

    @Override
    public WritableFile create(String name) throws IOException {
        if (name.endsWith(".seg.tmp")) {
            flushArrived.countDown();
            try {
                if (!gate.await(TestThreads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS)) {
                    throw new IOException("test gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted at the test gate", e);
            }
        }
        return super.create(name);
    }
}
