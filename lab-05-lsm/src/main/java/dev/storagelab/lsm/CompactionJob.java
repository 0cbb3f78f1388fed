package dev.storagelab.lsm;

import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Writes new tables from a sorted stream of internal keys (RocksDB's {@code compaction_job} and
 * {@code BuildTable}): a flush writes a frozen memtable as level-0 tables, a compaction merges its
 * input tables and writes what survives its drop rules to the output level. Both go through one
 * loop, {@link #writeTables}, which starts a new table only between two user keys (never between
 * two versions of one key), where the table has reached its size or the policy
 * {@linkplain CompactionPolicy#cutBetween cuts}.
 *
 * <p>A job runs without the store's mutex: it reads tables no one deletes while a version holds
 * them and writes tables no version names yet. It returns the new tables' metadata, their names
 * made durable, for the store to record in one {@link VersionEdit}.
 */
final class CompactionJob {

    /**
     * What a compaction keeps of its merged input. {@code smallestSnapshot}: the oldest sequence
     * number a reader can read at; {@code largestSnapshot}: the newest snapshot's (-1 if there is
     * none); {@code version}: the version the inputs were picked from; {@code filter}: the
     * compaction filter for this job, or null.
     */
    record DropRules(
            long smallestSnapshot, long largestSnapshot, Version version, int outputLevel, CompactionFilter filter) {}

    private final Storage storage;
    private final TableCache tables;
    private final CompactionPolicy policy;
    private final TableBuilder.Options tableOptions;
    /** A new table number, kept from deletion until the version naming it is installed. */
    private final LongSupplier newFileNumber;
    /** Values the compaction filter dropped, over every job. */
    private final AtomicLong filteredValues;

    CompactionJob(
            Storage storage,
            TableCache tables,
            LsmOptions options,
            LongSupplier newFileNumber,
            AtomicLong filteredValues) {
        this.storage = storage;
        this.tables = tables;
        this.policy = options.policy();
        this.tableOptions = TableBuilder.Options.defaults()
                .withBlockSize(options.blockBytes())
                .withBitsPerKey(options.bloomBitsPerKey());
        this.newFileNumber = newFileNumber;
        this.filteredValues = filteredValues;
    }

    /**
     * Writes {@code m} as new level-0 tables: one, or one more wherever the policy cuts between two
     * user keys (their key ranges are disjoint, so their order in level 0 does not matter); none if
     * it holds nothing. A flush drops nothing: every version in the memtable may be some reader's.
     */
    List<FileMeta> flush(MemTable m) throws IOException {
        if (m.isEmpty()) {
            return new ArrayList<>();
        }
        try (InternalIterator it = m.iterator()) {
            it.seekToFirst();
            return writeTables(it, Long.MAX_VALUE, null);
        }
    }

    /**
     * Merges the inputs of {@code c} in internal-key order and writes what {@code rules} keep to new
     * tables of at most {@code maxTableBytes} (between two user keys).
     */
    List<FileMeta> compact(Compaction c, long maxTableBytes, DropRules rules) throws IOException {
        List<InternalIterator> sources = new ArrayList<>();
        for (FileMeta f : c.allInputs()) {
            sources.add(tables.table(f).compactionCursor());
        }
        try (MergingInternalIterator merged = new MergingInternalIterator(sources)) {
            merged.seekToFirst();
            return writeTables(merged, maxTableBytes, rules);
        }
    }

    /**
     * The one loop that writes output tables, from {@code it}'s position to its end. With
     * {@code rules} (a compaction), each version passes the drop rules ({@link #shouldDrop}), and a
     * value no snapshot can read (newer than {@code largestSnapshot}) is then shown to the
     * compaction filter, if any, which may drop it too, as RocksDB does since 6.0; without (a
     * flush), everything is written. The new tables' directory entries are forced before this
     * returns, so that the MANIFEST never names a table a crash can lose, and the new tables are
     * opened in the {@link TableCache} (footer, index, filter and properties read and checked):
     * the background thread pays for the open, not the first get of each new table, which paid
     * it on the reader's time beside a writer.
     */
    private List<FileMeta> writeTables(InternalIterator it, long maxTableBytes, DropRules rules) throws IOException {
        List<FileMeta> outputs = new ArrayList<>();
        TableBuilder builder = null;
        long number = 0;
        byte[] currentUserKey = null;
        long lastSequenceForKey = Long.MAX_VALUE;
        try {
            for (; it.valid(); it.next()) {
                byte[] key = it.key();
                int userLength = key.length - InternalKey.TRAILER_BYTES;
                boolean newUserKey = currentUserKey == null
                        || !Arrays.equals(key, 0, userLength, currentUserKey, 0, currentUserKey.length);
                if (newUserKey) {
                    byte[] previousUserKey = currentUserKey;
                    currentUserKey = Arrays.copyOf(key, userLength);
                    lastSequenceForKey = Long.MAX_VALUE;
                    if (builder != null
                            && (builder.fileSizeEstimate() >= maxTableBytes
                                    || policy.cutBetween(previousUserKey, currentUserKey))) {
                        outputs.add(finish(builder, number));
                        builder = null;
                    }
                }
                if (rules != null) {
                    long sequence = InternalKey.trailerAt(key, userLength) >>> 8;
                    boolean deletion = key[key.length - 1] == ValueType.DELETE.code();
                    boolean drop = shouldDrop(
                            sequence,
                            deletion,
                            lastSequenceForKey,
                            rules.smallestSnapshot(),
                            rules.version(),
                            rules.outputLevel(),
                            Bytes.wrap(currentUserKey));
                    lastSequenceForKey = sequence;
                    if (drop) {
                        continue;
                    }
                    if (rules.filter() != null
                            && !deletion
                            && sequence > rules.largestSnapshot()
                            && rules.filter().drop(currentUserKey, it.value())) {
                        filteredValues.incrementAndGet();
                        continue;
                    }
                }
                if (builder == null) {
                    number = newFileNumber.getAsLong();
                    builder = new TableBuilder(storage, LsmFileNames.table(number), tableOptions);
                }
                builder.add(key, it.value());
            }
            if (builder != null) {
                outputs.add(finish(builder, number));
                builder = null;
            }
        } finally {
            if (builder != null) {
                builder.abandon();
            }
        }
        if (!outputs.isEmpty()) {
            storage.syncDirectory(); // the tables' names are durable before the MANIFEST refers to them
        }
        for (FileMeta f : outputs) {
            tables.table(f); // opened here, not by the first get of it (as RocksDB's flushes and compactions do)
        }
        return outputs;
    }

    /**
     * Whether a compaction into {@code outputLevel} drops one version of {@code userKey}: the one
     * with {@code sequence} (a deletion if {@code deletion}), met right after the version with
     * {@code newerSequence} of the same key ({@link Long#MAX_VALUE} if it is the key's newest).
     * Drop it if the newer version is visible to every snapshot ({@code newerSequence <=
     * smallestSnapshot}): no reader can reach this one. Drop a deletion that every snapshot sees if
     * no level below {@code outputLevel} holds the key ({@link Version#isBaseLevelForKey}): nothing is
     * left for it to hide. Keep everything else.
     */
    static boolean shouldDrop(
            long sequence,
            boolean deletion,
            long newerSequence,
            long smallestSnapshot,
            Version v,
            int outputLevel,
            Bytes userKey) {
        // BEGIN SOLUTION lab-05 T7
        if (newerSequence <= smallestSnapshot) {
            return true;
        }
        return deletion && sequence <= smallestSnapshot && v.isBaseLevelForKey(outputLevel, userKey);
        // END SOLUTION
    }

    private static FileMeta finish(TableBuilder builder, long number) throws IOException {
        TableBuilder.Result r = builder.finish();
        return new FileMeta(number, r.fileSize(), r.smallest(), r.largest());
    }
}
