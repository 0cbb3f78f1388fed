package dev.storagelab.hybrid.tier;

import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.ForwardingWritableFile;
import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link Storage} that behaves like a slower device: each read, write and force costs what the
 * {@link DeviceModel} says, spent by a {@link Sleeper} (really, or on a simulated clock), and is
 * counted, so an archive tier can be billed per request and per byte like an object store. The
 * data itself goes to the storage underneath unchanged.
 */
public final class LatencyInjectingStorage extends ForwardingStorage {

    /** What it slows down (named in {@link #toString}). */
    private final Storage disk;

    private final DeviceModel device;
    private final Sleeper sleeper;
    private final LongAdder readCalls = new LongAdder();
    private final LongAdder writeCalls = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder forces = new LongAdder();
    private final LongAdder injectedNanos = new LongAdder();

    public LatencyInjectingStorage(Storage delegate, DeviceModel device, Sleeper sleeper) {
        super(delegate);
        this.disk = delegate;
        this.device = Objects.requireNonNull(device, "device");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** The simulated device. */
    public DeviceModel device() {
        return device;
    }

    /** Read calls so far (an object store's GET requests). */
    public long readCalls() {
        return readCalls.sum();
    }

    /** Write calls so far (an object store's PUT requests). */
    public long writeCalls() {
        return writeCalls.sum();
    }

    public long bytesRead() {
        return bytesRead.sum();
    }

    public long bytesWritten() {
        return bytesWritten.sum();
    }

    public long forces() {
        return forces.sum();
    }

    /** The latency injected so far, in nanoseconds, over every thread. */
    public long injectedNanos() {
        return injectedNanos.sum();
    }

    private void spend(long nanos) {
        if (nanos > 0) {
            injectedNanos.add(nanos);
            sleeper.sleep(nanos);
        }
    }

    @Override
    public WritableFile create(String name) throws IOException {
        return slow(super.create(name));
    }

    @Override
    public WritableFile openAppend(String name) throws IOException {
        return slow(super.openAppend(name));
    }

    @Override
    public ReadableFile openRead(String name) throws IOException {
        ReadableFile f = super.openRead(name);
        return new ReadableFile() {
            @Override
            public int read(long position, ByteBuffer dst) throws IOException {
                int n = f.read(position, dst);
                readCalls.increment();
                bytesRead.add(Math.max(n, 0));
                spend(device.readNanos(Math.max(n, 0)));
                return n;
            }

            @Override
            public long size() throws IOException {
                return f.size();
            }

            @Override
            public String name() {
                return f.name();
            }

            @Override
            public void close() throws IOException {
                f.close();
            }
        };
    }

    @Override
    public void syncDirectory() throws IOException {
        super.syncDirectory();
        forces.increment();
        spend(device.forceNanos());
    }

    @Override
    public String toString() {
        return disk + " as " + device.name();
    }

    private WritableFile slow(WritableFile f) {
        return new ForwardingWritableFile(f) {
            @Override
            public void append(ByteBuffer src) throws IOException {
                int n = src.remaining();
                super.append(src);
                wrote(n);
            }

            @Override
            public void writeAt(long position, ByteBuffer src) throws IOException {
                int n = src.remaining();
                super.writeAt(position, src);
                wrote(n);
            }

            private void wrote(int n) {
                writeCalls.increment();
                bytesWritten.add(n);
                spend(device.writeNanos(n));
            }

            @Override
            public void force() throws IOException {
                super.force();
                forces.increment();
                spend(device.forceNanos());
            }
        };
    }
}
