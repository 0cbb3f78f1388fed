package dev.storagelab.hybrid;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.Ticker;
import java.util.Objects;

/**
 * The migration budget: a token bucket of {@code burst} tokens refilled at {@code perSecond}
 * tokens per second on a {@link Ticker}. Each migration takes one token; with none left, the
 * migration waits in the queue for a later round. It is what keeps a flash sale from turning into
 * a migration storm: however many keys turn hot at once, at most {@code burst} move at once and
 * {@code perSecond} per second after that. The bucket starts full.
 */
public final class TokenBucket {

    private final double perSecond;
    private final int burst;
    private final Ticker ticker;
    private double tokens;
    private long lastRefillNanos;

    /**
     * @throws IllegalArgumentException if the rate is not positive and finite, or the burst is below 1
     */
    public TokenBucket(double perSecond, int burst, Ticker ticker) {
        checkArgument(perSecond > 0 && Double.isFinite(perSecond), "the refill rate must be positive: %s", perSecond);
        checkArgument(burst >= 1, "the burst must be at least 1 token: %s", burst);
        this.perSecond = perSecond;
        this.burst = burst;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.tokens = burst;
        this.lastRefillNanos = ticker.read();
    }

    /**
     * Takes one token if there is one, after refilling for the time since the last call: the tokens
     * grow by the elapsed seconds times the rate, but never beyond the burst (an idle hour does not
     * buy an hour's migrations at once). Returns whether a token was taken.
     */
    public synchronized boolean tryAcquire() {
        // BEGIN SOLUTION lab-07 T5
        long now = ticker.read();
        long elapsed = now - lastRefillNanos;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * perSecond / 1e9);
            lastRefillNanos = now;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
        // END SOLUTION
    }

    /** The tokens available now (refilled), for reports. */
    public synchronized double available() {
        long now = ticker.read();
        return Math.min(burst, tokens + Math.max(0, now - lastRefillNanos) * perSecond / 1e9);
    }

    public double perSecond() {
        return perSecond;
    }

    public int burst() {
        return burst;
    }

    @Override
    public String toString() {
        return "TokenBucket{" + perSecond + "/s, burst " + burst + ", " + String.format("%.1f", available()) + " left}";
    }
}
