package dev.storagelab.hybrid.cost;

/**
 * The estimated cost of serving one key's accesses over a tracking window from one engine, in
 * microseconds of device time (memory and disk held are converted to the microseconds that cost
 * as much money: {@link HardwareProfile#moneyToMicros}).
 *
 * @param read   point reads and scanned entries: CPU and the reads that miss the cache
 * @param write  puts and deletes: CPU, the bytes each write puts on the device (write amplification
 *               included) and the reads a compaction or a read-modify-write needs
 * @param memory RAM the placement holds for the key (a buffer-pool share, a routing entry, Bloom
 *               bits) and the disk space its bytes take, for the window
 */
public record Cost(double read, double write, double memory) {

    public Cost {
        if (!(read >= 0 && write >= 0 && memory >= 0) || !Double.isFinite(read + write + memory)) {
            throw new IllegalArgumentException("cost parts must be finite and non-negative: read " + read + ", write "
                    + write + ", memory " + memory);
        }
    }

    /** The sum of the three parts: what the router compares. */
    public double total() {
        return read + write + memory;
    }
}
