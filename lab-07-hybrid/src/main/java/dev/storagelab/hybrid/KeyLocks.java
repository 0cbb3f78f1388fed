package dev.storagelab.hybrid;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.kv.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.StampedLock;

/**
 * The per-key locks of a {@link TieredEngine}: a fixed number of {@link StampedLock} stripes, a
 * key's stripe chosen by its hash (Guava's {@code Striped} does the same for reentrant locks, but
 * offers no stamped ones). A stamped lock lets a read with nothing to fill try optimistically (one
 * volatile read before and one check after, no write to the lock) and take the read lock only if
 * a writer held the stripe meanwhile. It is not reentrant: a thread never takes a stripe it holds,
 * so a batch takes each of its stripes once ({@link #distinct}).
 */
public final class KeyLocks {

    private final StampedLock[] stripes;

    /** {@code stripes} locks, a power of two. */
    public KeyLocks(int stripes) {
        checkArgument(stripes > 0 && Integer.bitCount(stripes) == 1, "stripes must be a power of two: %s", stripes);
        this.stripes = new StampedLock[stripes];
        for (int i = 0; i < stripes; i++) {
            this.stripes[i] = new StampedLock();
        }
    }

    /** The stripe of {@code key}. */
    public StampedLock of(Bytes key) {
        return stripes[index(key)];
    }

    /**
     * The stripes of {@code keys}, each once, in the stripes' order: every writer that takes them
     * in this order takes them in the same order, so no two writers wait for each other in a cycle.
     */
    public List<StampedLock> distinct(List<Bytes> keys) {
        int[] indexes = new int[keys.size()];
        for (int i = 0; i < indexes.length; i++) {
            indexes[i] = index(keys.get(i));
        }
        Arrays.sort(indexes);
        List<StampedLock> locks = new ArrayList<>(indexes.length);
        for (int i = 0; i < indexes.length; i++) {
            if (i == 0 || indexes[i] != indexes[i - 1]) {
                locks.add(stripes[indexes[i]]);
            }
        }
        return locks;
    }

    /** The key's hash, its bits spread (as {@code Striped} and {@code HashMap} spread theirs), masked to a stripe. */
    private int index(Bytes key) {
        int h = key.hashCode();
        h ^= (h >>> 20) ^ (h >>> 12);
        h ^= (h >>> 7) ^ (h >>> 4);
        return h & (stripes.length - 1);
    }
}
