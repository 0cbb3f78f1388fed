package dev.storagelab.hybrid;

/**
 * What a routed store reports: its migrations, its memory, where its bytes are.
 *
 * @param migrations        keys moved from one engine to the other
 * @param migrationsDeferred moves the router wanted but the token budget or the minimum residency put off
 * @param hotKeys           keys routed to the B+tree
 * @param duplicateKeys     keys with a live copy in both engines now (a move in flight, a deferred delete)
 * @param trackerBytes      memory the access tracker holds
 * @param cacheEntries      entries in the RAM cache
 * @param cacheHits         reads the cache answered
 * @param cacheMisses       reads that went to an engine
 * @param hotBytes          bytes in the B+tree's file
 * @param coldBytes         bytes of the LSM tree on fast storage
 * @param archiveBytes      bytes of the LSM tree in the archive
 * @param userBytesWritten  bytes of keys and values the user wrote
 * @param deviceBytesWritten bytes written to storage by every part of the store (log, engines, moves)
 */
public record HybridStats(
        long migrations,
        long migrationsDeferred,
        long hotKeys,
        long duplicateKeys,
        long trackerBytes,
        long cacheEntries,
        long cacheHits,
        long cacheMisses,
        long hotBytes,
        long coldBytes,
        long archiveBytes,
        long userBytesWritten,
        long deviceBytesWritten) {

    /** Bytes written to storage per byte the user wrote (0 before any write). */
    public double writeAmplification() {
        return userBytesWritten == 0 ? 0 : (double) deviceBytesWritten / userBytesWritten;
    }

    /** Reads the cache answered, over all reads (0 before any read). */
    public double cacheHitRate() {
        long reads = cacheHits + cacheMisses;
        return reads == 0 ? 0 : (double) cacheHits / reads;
    }
}
