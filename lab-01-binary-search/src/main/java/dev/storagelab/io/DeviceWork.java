package dev.storagelab.io;

import java.util.concurrent.atomic.LongAdder;

/**
 * The device work of every storage of this JVM: the reads, the bytes read and the bytes written by
 * every {@link DiskStorage} and every {@link FaultInjectingStorage}, however each was opened. A
 * {@link CountingStorage} counts what goes through it; these totals count what reached a device,
 * whichever storage it went through: an engine that opens a storage of its own on the same files
 * reads them all the same. A benchmark that counts an engine's work takes {@link #now()} before the
 * engine opens and {@link #since} after, and scores the larger of that and its own storage's count.
 *
 * <p>The totals only grow, and only by I/O really done: each storage keeps its own in a private
 * static {@link Tally} that its files add to as they read and write, and nothing else can reach it.
 */
public final class DeviceWork {

    private final long reads;
    private final long bytesRead;
    private final long bytesWritten;

    private DeviceWork(long reads, long bytesRead, long bytesWritten) {
        this.reads = reads;
        this.bytesRead = bytesRead;
        this.bytesWritten = bytesWritten;
    }

    /** Every storage's totals since this JVM started. */
    public static DeviceWork now() {
        DeviceWork disk = DiskStorage.deviceWork();
        DeviceWork memory = FaultInjectingStorage.deviceWork();
        return new DeviceWork(
                disk.reads + memory.reads, disk.bytesRead + memory.bytesRead, disk.bytesWritten + memory.bytesWritten);
    }

    /** The work done since {@code start}, an earlier {@link #now()}. */
    public DeviceWork since(DeviceWork start) {
        return new DeviceWork(reads - start.reads, bytesRead - start.bytesRead, bytesWritten - start.bytesWritten);
    }

    /** Positional read calls, each a system call on a disk. */
    public long reads() {
        return reads;
    }

    /** Bytes returned by positional reads. */
    public long bytesRead() {
        return bytesRead;
    }

    /** Bytes written to any file, by appends and by in-place writes alike. */
    public long bytesWritten() {
        return bytesWritten;
    }

    @Override
    public String toString() {
        return reads + " reads of " + bytesRead + " bytes, " + bytesWritten + " bytes written";
    }

    /**
     * One kind of storage's running totals, held in a private static field of that storage: the
     * reads, bytes read and bytes written its files report, as {@link CountingStorage} counts them
     * (a read call counts even at the end of the file; a failed call does not).
     */
    static final class Tally {
        private final LongAdder reads = new LongAdder();
        private final LongAdder bytesRead = new LongAdder();
        private final LongAdder bytesWritten = new LongAdder();

        /** A read call that returned {@code n} (-1 at the end of the file). */
        void read(int n) {
            reads.increment();
            if (n > 0) {
                bytesRead.add(n);
            }
        }

        /** {@code n} bytes written. */
        void wrote(long n) {
            if (n > 0) {
                bytesWritten.add(n);
            }
        }

        DeviceWork totals() {
            return new DeviceWork(reads.sum(), bytesRead.sum(), bytesWritten.sum());
        }
    }
}
