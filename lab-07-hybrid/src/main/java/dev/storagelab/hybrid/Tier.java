package dev.storagelab.hybrid;

/**
 * Where a read finds a key, fastest first: the RAM cache, the B+tree, the LSM tree on fast
 * storage, the LSM tree's files moved to the archive. {@link #NONE}: nowhere (absent or deleted).
 * What the shell's {@code where KEY} shows.
 */
public enum Tier {
    CACHE,
    HOT,
    COLD,
    ARCHIVE,
    NONE
}
