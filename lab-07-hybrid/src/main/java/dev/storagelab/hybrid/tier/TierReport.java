package dev.storagelab.hybrid.tier;

/**
 * A {@link TieredStorage}'s files and bytes per tier at one moment, and what its archive was asked
 * since it was made: what {@link TierCosts} prices and the shell's {@code tiers} prints.
 *
 * @param fastFiles           files in the fast tier
 * @param fastBytes           their bytes
 * @param archiveFiles        files in the archive
 * @param archiveBytes        their bytes
 * @param archiveReadCalls    positional reads of archived files (an object store's ranged GETs)
 * @param archiveWriteCalls   appends and in-place writes to the archive (its PUTs, counted one per call)
 * @param archiveBytesRead    bytes read from the archive (what an infrequent-access class charges to retrieve)
 * @param archiveBytesWritten bytes written to the archive (the moves' copies)
 * @param moves               files moved to the archive
 * @param bytesMoved          bytes those moves copied
 * @param abandonedMoves      moves that found their file deleted, renamed or rewritten after the copy, and dropped it
 */
public record TierReport(
        long fastFiles,
        long fastBytes,
        long archiveFiles,
        long archiveBytes,
        long archiveReadCalls,
        long archiveWriteCalls,
        long archiveBytesRead,
        long archiveBytesWritten,
        long moves,
        long bytesMoved,
        long abandonedMoves) {

    /** All the bytes, both tiers. */
    public long totalBytes() {
        return fastBytes + archiveBytes;
    }

    /** The fraction of the bytes in the archive (0 for an empty store). */
    public double archivedFraction() {
        long total = totalBytes();
        return total == 0 ? 0 : (double) archiveBytes / total;
    }

    @Override
    public String toString() {
        return String.format(
                "fast %d files %,d B | archive %d files %,d B (%.0f%%) | archive GETs %,d PUTs %,d"
                        + " | moves %d (%,d B, %d abandoned)",
                fastFiles,
                fastBytes,
                archiveFiles,
                archiveBytes,
                100 * archivedFraction(),
                archiveReadCalls,
                archiveWriteCalls,
                moves,
                bytesMoved,
                abandonedMoves);
    }
}
