package dev.storagelab.sortedlog.hidden;

import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Storage} that can hold segment writes back: while the gate is closed, creating a
 * segment's temp file blocks, so a flush stays in progress for as long as a test needs to look at
 * the store mid-flush. Everything else passes straight through.
 */
final class GatedStorage implements Storage {

    private final Storage inner;
    private final CountDownLatch gate = new CountDownLatch(1);
    private final CountDownLatch flushArrived = new CountDownLatch(1);

    GatedStorage(Storage inner) {
        this.inner = inner;
    }

    /** Lets every held and future segment write proceed. */
    void open() {
        gate.countDown();
    }

    /** Waits until a flush is held at the gate. */
    void awaitFlushHeld() throws InterruptedException {
        if (!flushArrived.await(Threads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("no flush started within " + Threads.LIVENESS_BOUND_SECONDS
                    + " s although the memtable was over its budget: a full memtable must be frozen and flushed");
        }
    }

    /** Whether a flush has reached the gate. */
    boolean flushHeld() {
        return flushArrived.getCount() == 0;
    }

    @Override
    public WritableFile create(String name) throws IOException {
        if (name.endsWith(".seg.tmp")) {
            flushArrived.countDown();
            try {
                if (!gate.await(Threads.LIVENESS_BOUND_SECONDS, TimeUnit.SECONDS)) {
                    throw new IOException("test gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted at the test gate", e);
            }
        }
        return inner.create(name);
    }

    @Override
    public WritableFile openAppend(String name) throws IOException {
        return inner.openAppend(name);
    }

    @Override
    public ReadableFile openRead(String name) throws IOException {
        return inner.openRead(name);
    }

    @Override
    public boolean exists(String name) throws IOException {
        return inner.exists(name);
    }

    @Override
    public long size(String name) throws IOException {
        return inner.size(name);
    }

    @Override
    public List<String> list() throws IOException {
        return inner.list();
    }

    @Override
    public void rename(String from, String to) throws IOException {
        inner.rename(from, to);
    }

    @Override
    public void delete(String name) throws IOException {
        inner.delete(name);
    }

    @Override
    public void truncate(String name, long size) throws IOException {
        inner.truncate(name, size);
    }

    @Override
    public void syncDirectory() throws IOException {
        inner.syncDirectory();
    }

    @Override
    public String describe(String name) {
        return inner.describe(name);
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
