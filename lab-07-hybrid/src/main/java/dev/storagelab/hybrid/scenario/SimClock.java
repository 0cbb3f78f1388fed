package dev.storagelab.hybrid.scenario;

import com.google.common.base.Ticker;
import dev.storagelab.hybrid.tier.Sleeper;
import java.util.Objects;

/**
 * Simulated time for a scenario: the {@link Ticker} every clock of the store reads, and the
 * {@link Sleeper} that moves it forward. The same pair goes into the store's options and into the
 * {@link dev.storagelab.hybrid.tier.LatencyInjectingStorage} under it, so a get's latency (the
 * ticker's delta across the call) is exactly the device time it spent, inline moves included. Tests
 * pass testlib's {@code FakeTicker} and its {@code advance}; the figure programs pass
 * {@link #simulated()}.
 */
public record SimClock(Ticker ticker, Sleeper sleeper) {

    public SimClock {
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(sleeper, "sleeper");
    }

    /** A clock at 0 that moves only when advanced. */
    public static SimClock simulated() {
        ManualTicker t = new ManualTicker();
        return new SimClock(t, t::advance);
    }

    /** Now, in nanoseconds. */
    public long now() {
        return ticker.read();
    }

    /** Moves time forward to {@code nanos}; does nothing if that is not in the future. */
    public void advanceTo(long nanos) {
        long d = nanos - now();
        if (d > 0) {
            sleeper.sleep(d);
        }
    }

    /** A ticker that moves only when told: what the figure programs run on (tests use testlib's FakeTicker). */
    static final class ManualTicker extends Ticker {
        private long nanos;

        @Override
        public synchronized long read() {
            return nanos;
        }

        synchronized void advance(long d) {
            if (d > 0) {
                nanos += d;
            }
        }
    }
}
