package dev.storagelab.lsm;

import java.util.concurrent.TimeUnit;

/**
 * The pacing of slowed writes and the estimate it is judged by (RocksDB's {@code write_controller},
 * simplified). When compaction falls behind, the store slows its writers rather than letting level
 * 0 and the over-full levels grow without bound; this class says how long a slowed write sleeps
 * and how many bytes compaction still has to rewrite. Guarded by the store's mutex.
 */
final class WriteController {

    private final LsmOptions options;
    private final CompactionPolicy policy;
    /** Where the pacing of slowed writes has got to ({@link #delayFor}). */
    private long delayClock = System.nanoTime();
    /** The version {@link #pendingBytes} was estimated for. */
    private Version pendingVersion;

    private long pendingBytes;

    WriteController(LsmOptions options) {
        this.options = options;
        this.policy = options.policy();
    }

    /**
     * How long a slowed write of {@code bytes} sleeps: the slowed writes of every writer are paced
     * at {@link LsmOptions#delayedWriteRate} on one clock ({@code delayClock}), which moves on by
     * each write's share of a second; a write sleeps only once the clock is a millisecond or more
     * ahead of now, and a clock behind now by more than a millisecond (the first slowed write, or
     * one after a pause) restarts a millisecond behind, so no more than a millisecond's bytes pass
     * unpaced.
     */
    long delayFor(int bytes) {
        long now = System.nanoTime();
        long slack = TimeUnit.MILLISECONDS.toNanos(1);
        if (now - delayClock > slack) {
            delayClock = now - slack;
        }
        delayClock += (long) (bytes * 1e9 / options.delayedWriteRate());
        long ahead = delayClock - now;
        return ahead >= slack ? ahead : 0;
    }

    /**
     * The policy's estimate of the bytes compaction still has to rewrite in {@code v}, computed once
     * per version (it walks every table's size; writers ask on every write).
     */
    long pendingCompactionBytes(Version v) {
        if (v != pendingVersion) {
            pendingBytes = policy.pendingCompactionBytes(v, options);
            pendingVersion = v;
        }
        return pendingBytes;
    }
}
