package dev.storagelab.hybrid.tier;

import java.util.concurrent.locks.LockSupport;

/**
 * How an injected latency is spent: really ({@link #REAL}, the thread parks), or on a simulated
 * clock (a test's {@code FakeTicker::advance}), so a simulated day of slow I/O runs in seconds
 * and a latency measured with the same ticker sees the injected time exactly.
 */
@FunctionalInterface
public interface Sleeper {

    /** Spends {@code nanos} nanoseconds (nothing if zero or negative). */
    void sleep(long nanos);

    /** Parks the calling thread for the time asked. */
    Sleeper REAL = nanos -> {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    };
}
