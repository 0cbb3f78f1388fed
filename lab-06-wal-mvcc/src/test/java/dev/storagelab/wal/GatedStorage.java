package dev.storagelab.wal;

import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.ForwardingWritableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.testkit.TestThreads;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A storage for group-commit tests: counts the appends and forces of files, can hold the next file
 * force until the test opens the gate (so that commits pile up in the queue behind a leader that
 * is forcing, deterministically), and can fail the n-th force.
 */
public final class GatedStorage extends ForwardingStorage {

    private final AtomicLong appends = new AtomicLong();
    private final AtomicLong forces = new AtomicLong();
    private final AtomicInteger failForce = new AtomicInteger(-1);
    private volatile CountDownLatch gate;
    private final CountDownLatch reachedGate = new CountDownLatch(1);

    public GatedStorage(Storage delegate) {
        super(delegate);
    }

    /** Appends to files so far. */
    public long appends() {
        return appends.get();
    }

    /** File forces so far (directory syncs not counted). */
    public long forces() {
        return forces.get();
    }

    /** The next file force waits until {@link #openGate()}. */
    public void closeGateBeforeNextForce() {
        gate = new CountDownLatch(1);
    }

    /**
     * Waits until a force is held at the gate, or {@code forcer} (the task expected to force) ends
     * without reaching it: then its outcome is the test's (its exception, or an AssertionError).
     */
    public void awaitForceAtGate(Future<?> forcer) throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestThreads.LIVENESS_BOUND_SECONDS);
        while (!reachedGate.await(5, TimeUnit.MILLISECONDS)) {
            if (forcer.isDone()) {
                forcer.get();
                throw new AssertionError("the commit returned without forcing");
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no force reached the gate in 30 s");
            }
        }
    }

    public void openGate() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    /** The force numbered {@code n} (counting from 1 over this storage's life) fails. */
    public void failForce(int n) {
        failForce.set(n);
    }

    @Override
    public WritableFile create(String name) throws IOException {
        return wrap(super.create(name));
    }

    @Override
    public WritableFile openAppend(String name) throws IOException {
        return wrap(super.openAppend(name));
    }

    private WritableFile wrap(WritableFile file) {
        return new ForwardingWritableFile(file) {
            @Override
            public void append(ByteBuffer src) throws IOException {
                appends.incrementAndGet();
                super.append(src);
            }

            @Override
            public void force() throws IOException {
                CountDownLatch g = gate;
                if (g != null) {
                    reachedGate.countDown();
                    try {
                        g.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted at the gate", e);
                    }
                }
                long n = forces.incrementAndGet();
                if (n == failForce.get()) {
                    throw new IOException("injected failure of force " + n);
                }
                super.force();
            }
        };
    }
}
