package dev.storagelab.workbench.peers;

/**
 * H2's MVStore with a 4 MiB page cache, the memory the lab-04 B+tree's buffer pool gets (1,024
 * frames of 4 KiB), so that a comparison measures the code at the same memory budget (H2's default
 * is 16 MiB). H2 counts its cache in the memory its decoded pages take, the B+tree in 4 KiB frames
 * of encoded pages: the budgets are the same, what fits in them is each engine's own business.
 */
public final class H2PoolSizedEngine extends H2MvStoreEngine {

    @Override
    public String id() {
        return "h2-pool";
    }

    @Override
    public String description() {
        return "peer: H2 MVStore 2.3 with a 4 MiB page cache, the lab-04 buffer pool's budget (and, as h2, a 1 MiB"
                + " write buffer)";
    }

    @Override
    protected int cacheMegabytes() {
        return 4;
    }
}
