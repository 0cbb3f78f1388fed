package dev.storagelab.hybrid.tier;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The latency of a simulated device, charged per call by {@link LatencyInjectingStorage}: a fixed
 * cost per read call and per write call (the seek, or an object store's time to first byte), a
 * transfer time per byte, and a cost per force (fsync). The figures are orders of magnitude from
 * vendors' data sheets and cloud providers' published latencies, not measurements of this
 * machine: {@code ./storagelab hybrid-calibrate} measures this machine's own.
 *
 * @param name              what reports call the device
 * @param readCallMicros    fixed cost of each positional read
 * @param readMBps          transfer rate of reads, in MB (10^6 bytes) per second
 * @param writeCallMicros   fixed cost of each append or in-place write
 * @param writeMBps         transfer rate of writes
 * @param forceMicros       cost of each force of a file or of the directory
 */
public record DeviceModel(
        String name,
        double readCallMicros,
        double readMBps,
        double writeCallMicros,
        double writeMBps,
        double forceMicros) {

    public DeviceModel {
        checkArgument(name != null && !name.isBlank(), "device name must be non-empty");
        checkArgument(
                readCallMicros >= 0 && writeCallMicros >= 0 && forceMicros >= 0,
                "device %s: call and force costs must be non-negative",
                name);
        checkArgument(readMBps > 0 && writeMBps > 0, "device %s: transfer rates must be positive", name);
    }

    /** A spinning disk: a seek per random call (8 ms), 150 MB/s, a force as a seek plus a rotation. */
    public static DeviceModel hdd() {
        return new DeviceModel("hdd", 8_000, 150, 8_000, 150, 12_000);
    }

    /** An object store (S3-like): 30 ms to the first byte, 80 MB/s per stream, a put of 60 ms, no fsync. */
    public static DeviceModel objectStore() {
        return new DeviceModel("object-store", 30_000, 80, 60_000, 80, 0);
    }

    /** A datacenter NVMe SSD: 80 us per random read, 2 GB/s, 20 us per write, 500 us per force. */
    public static DeviceModel nvme() {
        return new DeviceModel("nvme", 80, 2_000, 20, 1_500, 500);
    }

    /** The nanoseconds a read call of {@code bytes} bytes costs. */
    public long readNanos(long bytes) {
        return Math.round(readCallMicros * 1_000 + bytes * 1_000.0 / readMBps);
    }

    /** The nanoseconds a write call of {@code bytes} bytes costs. */
    public long writeNanos(long bytes) {
        return Math.round(writeCallMicros * 1_000 + bytes * 1_000.0 / writeMBps);
    }

    /** The nanoseconds a force costs. */
    public long forceNanos() {
        return Math.round(forceMicros * 1_000);
    }
}
