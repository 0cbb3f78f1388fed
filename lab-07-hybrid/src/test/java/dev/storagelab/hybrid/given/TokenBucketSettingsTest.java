package dev.storagelab.hybrid.given;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.TokenBucket;
import org.junit.jupiter.api.Test;

/**
 * The token bucket's argument checks (given code, so this test lives outside the lab's student
 * packages: it passes on the release, where the student's {@code tryAcquire} is not written yet).
 */
class TokenBucketSettingsTest {

    @Test
    void badSettingsAreRefused() {
        FakeTicker ticker = new FakeTicker();
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, ticker));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(Double.NaN, 1, ticker));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0, ticker));
        assertThrows(NullPointerException.class, () -> new TokenBucket(1, 1, null));
    }
}
