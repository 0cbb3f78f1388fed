package dev.storagelab.btree;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * How a {@link BPlusTree} is laid out and cached.
 *
 * @param pageSize   bytes per page: a power of two in [512, 32768]; 4096 by default. It is fixed
 *                   when the file is created and checked on every open.
 * @param poolFrames frames in the buffer pool, at least 16 (a write pins one page per level plus
 *                   a sibling or two); 1024 by default, 4 MiB of 4 KiB pages
 * @param replacer   the buffer pool's eviction policy; LRU-2 by default
 * @param pool       the buffer pool: by default the lock-free pool (T12) once it is written, the
 *                   locked pool (T6) until then ({@link BufferPool.Kind#preferred})
 */
public record BTreeOptions(int pageSize, int poolFrames, Replacer.Kind replacer, BufferPool.Kind pool) {

    public static final int MIN_POOL_FRAMES = 16;

    public BTreeOptions {
        PageFormat.checkPageSize(pageSize);
        checkArgument(poolFrames >= MIN_POOL_FRAMES, "poolFrames must be at least %s: %s", MIN_POOL_FRAMES, poolFrames);
        checkNotNull(replacer, "replacer");
        checkNotNull(pool, "pool");
    }

    public static BTreeOptions defaults() {
        return new BTreeOptions(PageFormat.DEFAULT_PAGE_SIZE, 1024, Replacer.Kind.LRU_2, BufferPool.Kind.preferred());
    }

    public BTreeOptions withPageSize(int v) {
        return new BTreeOptions(v, poolFrames, replacer, pool);
    }

    public BTreeOptions withPoolFrames(int v) {
        return new BTreeOptions(pageSize, v, replacer, pool);
    }

    public BTreeOptions withReplacer(Replacer.Kind v) {
        return new BTreeOptions(pageSize, poolFrames, v, pool);
    }

    public BTreeOptions withPool(BufferPool.Kind v) {
        return new BTreeOptions(pageSize, poolFrames, replacer, v);
    }
}
