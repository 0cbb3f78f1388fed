package dev.storagelab.hybrid.cost;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * What the access tracker estimates of one key (or range) over its tracking window: the input of
 * the cost model.
 *
 * @param reads              point reads
 * @param writes             puts and deletes
 * @param scanReads          entries read by range scans
 * @param valueBytes         the size of the key's value (the one being read or written now)
 * @param sequentialFraction the share of writes that arrive in key order (time-ordered keys: 1)
 */
public record AccessStats(double reads, double writes, double scanReads, int valueBytes, double sequentialFraction) {

    public AccessStats {
        checkArgument(reads >= 0 && Double.isFinite(reads), "reads must be finite and non-negative: %s", reads);
        checkArgument(writes >= 0 && Double.isFinite(writes), "writes must be finite and non-negative: %s", writes);
        checkArgument(
                scanReads >= 0 && Double.isFinite(scanReads),
                "scanReads must be finite and non-negative: %s",
                scanReads);
        checkArgument(valueBytes >= 0, "valueBytes must be non-negative: %s", valueBytes);
        checkArgument(
                sequentialFraction >= 0 && sequentialFraction <= 1,
                "sequentialFraction must be within [0, 1]: %s",
                sequentialFraction);
    }

    /** Point reads and writes only, random keys. */
    public static AccessStats of(double reads, double writes, int valueBytes) {
        return new AccessStats(reads, writes, 0, valueBytes, 0);
    }
}
