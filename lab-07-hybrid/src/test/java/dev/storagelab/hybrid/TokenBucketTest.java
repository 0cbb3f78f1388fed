package dev.storagelab.hybrid;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.google.common.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private static int drain(TokenBucket bucket) {
        int n = 0;
        while (bucket.tryAcquire()) {
            n++;
        }
        return n;
    }

    @Test
    void aNewBucketHoldsItsBurst() {
        TokenBucket bucket = new TokenBucket(10, 5, new FakeTicker());
        assertThat(drain(bucket), equalTo(5));
        assertThat("empty until time passes", bucket.tryAcquire(), is(false));
    }

    @Test
    void tokensComeBackAtTheRate() {
        FakeTicker ticker = new FakeTicker();
        TokenBucket bucket = new TokenBucket(10, 5, ticker);
        drain(bucket);
        ticker.advance(Duration.ofMillis(300));
        assertThat("0.3 s at 10 per second", drain(bucket), equalTo(3));
    }

    @Test
    void fractionsOfATokenAddUp() {
        FakeTicker ticker = new FakeTicker();
        TokenBucket bucket = new TokenBucket(2, 2, ticker);
        drain(bucket);
        ticker.advance(Duration.ofMillis(300));
        assertThat("0.6 of a token", bucket.tryAcquire(), is(false));
        ticker.advance(Duration.ofMillis(300));
        assertThat("1.2 tokens", bucket.tryAcquire(), is(true));
        assertThat(bucket.available(), closeTo(0.2, 1e-9));
    }

    @Test
    void anIdleHourBuysNoMoreThanTheBurst() {
        FakeTicker ticker = new FakeTicker();
        TokenBucket bucket = new TokenBucket(100, 20, ticker);
        drain(bucket);
        ticker.advance(Duration.ofHours(1));
        assertThat(drain(bucket), equalTo(20));
    }
}
