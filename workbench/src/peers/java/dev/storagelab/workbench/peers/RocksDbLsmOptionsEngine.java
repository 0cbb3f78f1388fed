package dev.storagelab.workbench.peers;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;

/**
 * RocksDB set to lab-05's {@code LsmOptions.defaults()}, so that a comparison measures the code,
 * not the configuration: 4 MiB memtables (up to two full ones waiting for their flush:
 * {@code max_write_buffer_number} 3, as {@code maxImmutableMemtables} 2), level 0 compacted at 4 tables (slowed at 8, stopped at
 * 12), a 10 MiB level 1 with 10x fan-out, 2 MiB tables of 4 KiB blocks, 10-bit Bloom filters, an
 * 8 MiB block cache, no compression, one background thread; and, as lab-05's {@code MemTable}
 * has one, a Bloom filter of each memtable's whole keys, of 1/64 of its bytes
 * ({@code memtable_whole_key_filtering}, {@code memtable_prefix_bloom_size_ratio}).
 */
public final class RocksDbLsmOptionsEngine extends RocksDbEngine {

    @Override
    public String id() {
        return "rocksdb-lsmopts";
    }

    @Override
    public String description() {
        return "peer: RocksDB with lab-05's defaults (4 MiB memtables, 3 at most, 10 MiB level 1, 2 MiB tables, 4 KiB blocks, "
                + "10-bit Bloom filters, 8 MiB block cache, no compression, 1 background thread, memtable Bloom filters)";
    }

    @Override
    protected Options configure(Options options) {
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockSize(4096)
                .setFilterPolicy(new BloomFilter(10))
                .setBlockCache(new LRUCache(8L << 20));
        return options.setWriteBufferSize(4L << 20)
                .setMaxWriteBufferNumber(3)
                .setLevel0FileNumCompactionTrigger(4)
                .setLevel0SlowdownWritesTrigger(8)
                .setLevel0StopWritesTrigger(12)
                .setMaxBytesForLevelBase(10L << 20)
                .setMaxBytesForLevelMultiplier(10)
                .setTargetFileSizeBase(2L << 20)
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setMaxBackgroundJobs(1)
                .setMemtableWholeKeyFiltering(true)
                .setMemtablePrefixBloomSizeRatio(1.0 / 64)
                .setTableFormatConfig(table);
    }
}
