package dev.storagelab.hybrid.given;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;

import dev.storagelab.hybrid.KeyLocks;
import dev.storagelab.kv.Bytes;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.StampedLock;
import org.junit.jupiter.api.Test;

/**
 * The engine's per-key locks ({@link KeyLocks}): a key always maps to the same stripe, and a batch
 * gets each of its stripes once, in one order for every batch, since a stamped lock is not
 * reentrant and two writers taking stripes in different orders could wait for each other forever.
 */
class KeyLocksTest {

    @Test
    void aBatchGetsEachStripeOnceInTheStripesOrder() {
        KeyLocks locks = new KeyLocks(8);
        List<Bytes> keys = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            keys.add(Bytes.of("key" + i));
        }
        List<StampedLock> all = locks.distinct(keys);
        assertThat("100 keys over 8 stripes reach every stripe, each once", all, hasSize(8));
        Map<StampedLock, Integer> order = new IdentityHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            order.put(all.get(i), i);
        }
        assertThat("no stripe twice", order.size(), equalTo(8));
        List<Bytes> reversed = new ArrayList<>(keys.subList(0, 30));
        java.util.Collections.reverse(reversed);
        List<StampedLock> some = locks.distinct(reversed);
        for (int i = 1; i < some.size(); i++) {
            assertThat(
                    "the same order as every other batch, whatever the keys' order",
                    order.get(some.get(i - 1)) < order.get(some.get(i)),
                    is(true));
        }
    }

    @Test
    void aKeyAlwaysHasTheSameStripeAndTwoKeysOfOneStripeGetItOnce() {
        KeyLocks locks = new KeyLocks(4);
        Bytes a = Bytes.of("a");
        assertThat(locks.of(Bytes.of("a")), sameInstance(locks.of(a)));
        Bytes twin = null;
        for (int i = 0; twin == null; i++) {
            Bytes k = Bytes.of("k" + i);
            if (locks.of(k) == locks.of(a)) {
                twin = k;
            }
        }
        assertThat(locks.distinct(List.of(a, twin, a)), contains(sameInstance(locks.of(a))));
    }
}
