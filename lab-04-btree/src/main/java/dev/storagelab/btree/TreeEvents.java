package dev.storagelab.btree;

import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventType;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The events the B+tree and its buffer pool report ({@link BPlusTree#setEventListener}), and the
 * pictures of their state the workbench's viewer draws: every page with its level and fill, every
 * frame with its pins, dirt and latch.
 */
public final class TreeEvents {

    /** The most pages a {@link #pages} picture lists one by one (the rest are counted). */
    public static final int MAX_LISTED_PAGES = 4096;

    private TreeEvents() {}

    /** Page {@code left} at {@code level} (0: the root) split; its right half is page {@code right}, and {@code separator} went up. */
    static EngineEvent split(SlottedPage left, long right, Bytes separator, int level, int capacity) {
        return EngineEvent.of(
                EventType.PAGE_SPLIT,
                "page",
                left.pageId(),
                "right",
                right,
                "level",
                level,
                "leaf",
                left.isLeaf(),
                "root",
                level == 0,
                "separator",
                EngineEvent.keyText(separator),
                "fill",
                fill(left, capacity));
    }

    /** Page {@code right} merged into its left sibling {@code left}. */
    static EngineEvent merge(SlottedPage left, SlottedPage right) {
        return EngineEvent.of(
                EventType.PAGE_MERGE, "page", left.pageId(), "freed", right.pageId(), "leaf", left.isLeaf());
    }

    /**
     * A picture of every page of {@code tree}, level by level from the root (at most
     * {@link #MAX_LISTED_PAGES} listed): id, level, leaf or not, fill (used bytes over capacity),
     * cells, first key. Walks the tree under its lock (no write is half done meanwhile).
     */
    public static EngineEvent pages(BPlusTree tree) throws IOException {
        List<Map<String, Object>> pages = new ArrayList<>();
        long[] count = {0};
        int[] height = {0};
        int capacity = tree.capacity();
        TreeDump.walk(tree, (page, depth) -> {
            count[0]++;
            height[0] = Math.max(height[0], depth + 1);
            if (pages.size() < MAX_LISTED_PAGES) {
                pages.add(Map.of(
                        "id",
                        page.pageId(),
                        "level",
                        depth,
                        "leaf",
                        page.isLeaf(),
                        "fill",
                        fill(page, capacity),
                        "cells",
                        page.cellCount(),
                        "first",
                        page.cellCount() == 0 ? "" : EngineEvent.keyText(page.key(0))));
            }
        });
        return EngineEvent.of(
                EventType.SNAPSHOT,
                "view",
                "btree",
                "height",
                height[0],
                "pageCount",
                count[0],
                "root",
                tree.rootId(),
                "pages",
                pages);
    }

    /** A picture of {@code tree}'s buffer pool: every frame's page, pins, dirt and latch, and the pool's counters. */
    public static EngineEvent frames(BPlusTree tree) {
        BufferPool pool = tree.pool();
        BufferPool.PoolStats s = pool.stats();
        return EngineEvent.of(
                EventType.SNAPSHOT,
                "view",
                "pool",
                "frames",
                pool.frameStates(),
                "hits",
                s.hits(),
                "misses",
                s.misses(),
                "evictions",
                s.evictions(),
                "pageWrites",
                s.pageWrites());
    }

    private static double fill(SlottedPage page, int capacity) {
        return Math.round(1000.0 * page.usedBytes() / capacity) / 1000.0;
    }
}
