package dev.storagelab.lsm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The block cache (lab-05 T5): decoded data blocks kept in memory, keyed by (table file number,
 * block offset), so that a get whose block was read recently costs no disk read and no checksum.
 * Each block is charged its {@link Block#sizeBytes} against a capacity in bytes; when an insert
 * would pass it, the least recently used blocks go first.
 *
 * <p>The cache is split into {@link #shards} independent LRU lists, each with its own lock and
 * an equal share of the capacity, and a key always maps to the same shard (by a hash of the file
 * number and offset), as LevelDB's {@code ShardedLRUCache}: concurrent readers of different blocks
 * rarely wait for each other. The LRU order is therefore per shard, not global; the sum of the
 * shards' charges never exceeds {@link #capacityBytes}.
 *
 * <p>Each shard finds its nodes through its own hash table, whose chains run through the nodes
 * themselves (LevelDB's {@code HandleTable}): a lookup reads the bucket and the nodes, where a
 * {@code HashMap} of key objects read a map entry, a key and then the node, and made a key and an
 * entry for every block put. With an 8 MiB cache and a data set fourteen times larger, a get
 * misses, looks up, inserts and evicts: the map's reads were a fifth of a get's time.
 *
 * <p>Thread-safe. Blocks are immutable, so the same one is handed to every reader.
 */
public final class BlockCache {

    /** Shards unless told otherwise: enough that 2 to 16 reader threads rarely meet on one lock. */
    public static final int DEFAULT_SHARDS = 16;

    /**
     * The counters of a cache, at one moment.
     *
     * @param hits      gets that found their block
     * @param misses    gets that did not
     * @param inserts   blocks put in the cache
     * @param evictions blocks dropped to make room (not those dropped by {@link #evictFile})
     */
    public record Stats(long hits, long misses, long inserts, long evictions) {

        /** Hits over gets, or 0 before any get. */
        public double hitRate() {
            long gets = hits + misses;
            return gets == 0 ? 0 : (double) hits / gets;
        }
    }

    private final long capacityBytes;
    private final Shard[] shards;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder inserts = new LongAdder();
    private final LongAdder evictions = new LongAdder();

    /** A cache of {@code capacityBytes} in {@link #DEFAULT_SHARDS} shards. */
    public BlockCache(long capacityBytes) {
        this(capacityBytes, DEFAULT_SHARDS);
    }

    /**
     * A cache of {@code capacityBytes} split into {@code shards} shards (a power of two); shard
     * {@code i} holds {@code capacityBytes / shards} bytes, one more for the first
     * {@code capacityBytes % shards}, so the shards' capacities add up to {@code capacityBytes}.
     */
    public BlockCache(long capacityBytes, int shards) {
        if (capacityBytes < 0) {
            throw new IllegalArgumentException("capacityBytes must not be negative: " + capacityBytes);
        }
        if (shards < 1 || Integer.bitCount(shards) != 1) {
            throw new IllegalArgumentException("shards must be a power of two: " + shards);
        }
        this.capacityBytes = capacityBytes;
        this.shards = new Shard[shards];
        for (int i = 0; i < shards; i++) {
            this.shards[i] = new Shard(capacityBytes / shards + (i < capacityBytes % shards ? 1 : 0));
        }
    }

    /** The capacity in bytes. */
    public long capacityBytes() {
        return capacityBytes;
    }

    /** The number of shards. */
    public int shards() {
        return shards.length;
    }

    /**
     * The block cached for {@code (fileNumber, offset)}, now the most recently used of its shard, or
     * null. Counts a hit or a miss.
     */
    public Block get(long fileNumber, long offset) {
        int hash = hash(fileNumber, offset);
        Block b = shards[shardIndex(hash)].get(fileNumber, offset, hash);
        (b != null ? hits : misses).increment();
        return b;
    }

    /**
     * Caches {@code block} for {@code (fileNumber, offset)} as the most recently used of its shard,
     * replacing the block cached there before, then evicts the least recently used blocks of that
     * shard until its charge is within its capacity. A block larger than its shard's whole capacity
     * is not cached (it would only evict everything else and then itself).
     */
    public void put(long fileNumber, long offset, Block block) {
        if (block == null) {
            throw new NullPointerException("block");
        }
        int hash = hash(fileNumber, offset);
        if (shards[shardIndex(hash)].put(fileNumber, offset, hash, block)) {
            inserts.increment();
        }
    }

    /** Drops every block of table {@code fileNumber}: compaction deleted it. */
    public void evictFile(long fileNumber) {
        for (Shard s : shards) {
            s.evictFile(fileNumber);
        }
    }

    /** The bytes charged now, over every shard: never more than {@link #capacityBytes}. */
    public long usedBytes() {
        long sum = 0;
        for (Shard s : shards) {
            sum += s.used();
        }
        return sum;
    }

    /** The number of blocks cached now. */
    public int size() {
        int n = 0;
        for (Shard s : shards) {
            n += s.size();
        }
        return n;
    }

    public Stats stats() {
        return new Stats(hits.sum(), misses.sum(), inserts.sum(), evictions.sum());
    }

    /** The shard of a key: the top bits of a mixed hash, so that nearby offsets spread over shards. */
    int shardIndex(long fileNumber, long offset) {
        return shardIndex(hash(fileNumber, offset));
    }

    private int shardIndex(int hash) {
        return (hash >>> 16) & (shards.length - 1);
    }

    /** A mixed hash of a key: its top bits pick the shard, its low bits the bucket in the shard. */
    static int hash(long fileNumber, long offset) {
        long h = (fileNumber * 0x9E3779B97F4A7C15L) ^ offset;
        h *= 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 31;
        return (int) (h >>> 32);
    }

    /** One entry: its key, on its shard's LRU list and in its shard's hash chain. */
    private static final class Node {
        final long fileNumber;
        final long offset;
        final int hash;
        Block block;
        Node prev;
        Node next;
        /** The next node of the same bucket of the shard's table. */
        Node chain;

        Node(long fileNumber, long offset, int hash, Block block) {
            this.fileNumber = fileNumber;
            this.offset = offset;
            this.hash = hash;
            this.block = block;
        }
    }

    /**
     * One LRU list under one lock: a hash table from key to node ({@link #find}, {@link #insert},
     * {@link #remove}), and the nodes in a doubly linked list around a sentinel, {@code head.next}
     * the most recently used and {@code head.prev} the least.
     */
    private final class Shard {
        private final long capacity;
        private final ReentrantLock lock = new ReentrantLock();
        /** Buckets of nodes chained through {@link Node#chain}; a power of two, doubled past 3/4 full. */
        private Node[] table = new Node[16];

        private int size;
        private final Node head = new Node(-1, -1, 0, null);
        private long used;

        Shard(long capacity) {
            this.capacity = capacity;
            head.prev = head;
            head.next = head;
        }

        /** Takes {@code node} off the list (it stays in the map). */
        private void unlink(Node node) {
            node.prev.next = node.next;
            node.next.prev = node.prev;
            node.prev = null;
            node.next = null;
        }

        /** The node of {@code (fileNumber, offset)}, whose {@link BlockCache#hash} is {@code hash}, or null. */
        private Node find(long fileNumber, long offset, int hash) {
            for (Node n = table[hash & (table.length - 1)]; n != null; n = n.chain) {
                if (n.hash == hash && n.fileNumber == fileNumber && n.offset == offset) {
                    return n;
                }
            }
            return null;
        }

        /** Adds {@code node}, whose key is not in the table, to the table (not to the list). */
        private void insert(Node node) {
            if (++size > table.length * 3 / 4) {
                Node[] old = table;
                table = new Node[old.length * 2];
                for (Node head : old) {
                    for (Node n = head, next; n != null; n = next) {
                        next = n.chain;
                        int i = n.hash & (table.length - 1);
                        n.chain = table[i];
                        table[i] = n;
                    }
                }
            }
            int i = node.hash & (table.length - 1);
            node.chain = table[i];
            table[i] = node;
        }

        /** Takes {@code node} out of the table (not off the list). */
        private void remove(Node node) {
            int i = node.hash & (table.length - 1);
            if (table[i] == node) {
                table[i] = node.chain;
            } else {
                Node p = table[i];
                while (p.chain != node) {
                    p = p.chain;
                }
                p.chain = node.chain;
            }
            node.chain = null;
            size--;
        }

        /** Puts {@code node}, not on the list, at its front: the most recently used. */
        private void linkFirst(Node node) {
            node.next = head.next;
            node.prev = head;
            head.next.prev = node;
            head.next = node;
        }

        /** The block of {@code (fileNumber, offset)}, moved to the front of the list, or null. */
        Block get(long fileNumber, long offset, int hash) {
            lock.lock();
            try {
                // BEGIN SOLUTION lab-05 T5
                Node node = find(fileNumber, offset, hash);
                if (node == null) {
                    return null;
                }
                unlink(node);
                linkFirst(node);
                return node.block;
                // END SOLUTION
            } finally {
                lock.unlock();
            }
        }

        /**
         * Inserts or replaces the block of {@code (fileNumber, offset)} at the front, charges its size
         * (uncharging a replaced block's), then evicts from the back of the list, counting each
         * eviction, while {@code used > capacity}. Returns whether the block was cached (false if it
         * alone is larger than the capacity).
         */
        boolean put(long fileNumber, long offset, int hash, Block block) {
            lock.lock();
            try {
                // BEGIN SOLUTION lab-05 T5
                int charge = block.sizeBytes();
                if (charge > capacity) {
                    return false;
                }
                Node node = find(fileNumber, offset, hash);
                if (node != null) {
                    used -= node.block.sizeBytes();
                    node.block = block;
                    unlink(node);
                } else {
                    node = new Node(fileNumber, offset, hash, block);
                    insert(node);
                }
                linkFirst(node);
                used += charge;
                while (used > capacity) {
                    Node victim = head.prev;
                    unlink(victim);
                    remove(victim);
                    used -= victim.block.sizeBytes();
                    evictions.increment();
                }
                return true;
                // END SOLUTION
            } finally {
                lock.unlock();
            }
        }

        /** Removes every block of {@code fileNumber} from the map and the list, uncharging them. */
        void evictFile(long fileNumber) {
            lock.lock();
            try {
                // BEGIN SOLUTION lab-05 T5
                List<Node> victims = new ArrayList<>();
                for (Node n = head.next; n != head; n = n.next) {
                    if (n.fileNumber == fileNumber) {
                        victims.add(n);
                    }
                }
                for (Node n : victims) {
                    unlink(n);
                    remove(n);
                    used -= n.block.sizeBytes();
                }
                // END SOLUTION
            } finally {
                lock.unlock();
            }
        }

        long used() {
            lock.lock();
            try {
                return used;
            } finally {
                lock.unlock();
            }
        }

        int size() {
            lock.lock();
            try {
                return size;
            } finally {
                lock.unlock();
            }
        }
    }
}
