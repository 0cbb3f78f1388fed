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
 * input tables and writes what survives its drop rules to the output level. Both write through one
 * {@link Outputs}, which starts a new table only between two user keys (never between two versions
 * of one key), where the table has reached its size or the policy
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
        Outputs out = new Outputs(Long.MAX_VALUE, List.of());
        try (InternalIterator it = m.iterator()) {
            for (it.seekToFirst(); it.valid(); it.next()) {
                byte[] key = it.key();
                out.startEntry(key);
                byte[] value = it.value();
                out.add(key, value, 0, value.length);
            }
            return out.finish();
        } finally {
            out.abandon();
        }
    }

    /**
     * Merges the inputs of {@code c} in internal-key order and writes what {@code rules} keep to new
     * tables of at most {@code maxTableBytes} (between two user keys): each version passes the drop
     * rules ({@link #shouldDrop}), and a value no snapshot can read (newer than the rules'
     * {@code largestSnapshot}) is then shown to the compaction filter, if any, which may drop it
     * too, as RocksDB does since 6.0.
     */
    List<FileMeta> compact(Compaction c, long maxTableBytes, DropRules rules) throws IOException {
        // An input level whose tables hold disjoint key ranges is one source, reading them one
        // after another in key order (a picker may hand them in any order); a level whose tables
        // overlap (level 0's may) is merged table by table, a source each.
        List<InternalIterator> sources = new ArrayList<>();
        for (List<FileMeta> level : c.inputsByLevel().values()) {
            List<FileMeta> run = Compaction.inKeyOrderIfDisjoint(level);
            if (run != null) {
                sources.add(new LevelIterator(run, f -> tables.table(f).compactionCursor()));
            } else {
                for (FileMeta f : level) {
                    sources.add(tables.table(f).compactionCursor());
                }
            }
        }
        CompactionFilter filter = rules.filter();
        int below = rules.outputLevel() + 1;
        Outputs out = new Outputs(
                maxTableBytes,
                policy.cutsAtGrandparentEdges() && below < Version.NUM_LEVELS
                        ? rules.version().files(below)
                        : List.of());
        long lastSequenceForKey = Long.MAX_VALUE;
        try (MergingInternalIterator merged = new MergingInternalIterator(sources)) {
            for (merged.seekToFirst(); merged.valid(); merged.next()) {
                byte[] key = merged.key();
                if (out.startEntry(key)) {
                    lastSequenceForKey = Long.MAX_VALUE;
                }
                long sequence = InternalKey.trailerAt(key, key.length - InternalKey.TRAILER_BYTES) >>> 8;
                boolean deletion = key[key.length - 1] == ValueType.DELETE.code();
                boolean drop = shouldDrop(
                        sequence,
                        deletion,
                        lastSequenceForKey,
                        rules.smallestSnapshot(),
                        rules.version(),
                        rules.outputLevel(),
                        out.userKey());
                lastSequenceForKey = sequence;
                if (drop) {
                    continue;
                }
                byte[] values = merged.valueArray(); // the value where it lies in its input block
                int valueOffset = merged.valueOffset();
                int valueLength = merged.valueLength();
                if (filter != null
                        && !deletion
                        && sequence > rules.largestSnapshot()
                        && filter.drop(
                                out.userKeyBytes(),
                                Arrays.copyOfRange(values, valueOffset, valueOffset + valueLength))) {
                    filteredValues.incrementAndGet();
                    continue;
                }
                out.add(key, values, valueOffset, valueLength);
            }
            return out.finish();
        } finally {
            out.abandon();
        }
    }

    /**
     * The tables one flush or compaction writes: a new table is started only between two user keys
     * (never between two versions of one key), where the current one has reached the size limit,
     * or the policy {@linkplain CompactionPolicy#cutBetween cuts}, or early at the edge of a table of
     * the level below the output (the grandparents, RocksDB's {@code level_compaction_dynamic_file_size}).
     * {@link #finish} forces the new tables' directory entries, so that the MANIFEST never names a
     * table a crash can lose, and opens them in the {@link TableCache} (footer, index, filter and
     * properties read and checked): the background thread pays for the open, not the first get of
     * each new table, which paid it on the reader's time beside a writer.
     *
     * <p>The early cut (for a policy that {@linkplain CompactionPolicy#cutsAtGrandparentEdges asks for
     * it}): once a table holds half the size limit, it ends where the key range of a grandparent
     * table ends, the threshold rising by a twentieth of the limit with each such edge the table
     * has passed (to nine tenths), as RocksDB's compaction outputs do. A table whose key range ends
     * where a grandparent's does overlaps fewer grandparents when its own turn to move down comes:
     * in a fill of 1,000,000 random keys, the compactions into the bottom level rewrote 283.7 MB of
     * it to move 83.3 MB down with tables cut at the size limit alone, 207.2 MB to move 80.3 MB
     * with the early cut; all compactions wrote 518.1 MB, then 440.6 MB.
     *
     * <p>The flush and the compaction each run their own loop over their entries around this one
     * output: a single loop for both, with the compaction's drop rules behind a test of whether
     * there are any, had HotSpot's C2 compiler clone the whole loop body (flush and compaction
     * inlined into it) for each test that does not change inside the loop (loop unswitching), and
     * compile it again after switches between flushes and compactions: in a fill of 1,000,000
     * keys five compilations of that one method took 24 of the compiler thread's 32 s (elapsed, at
     * a load of 20), on a core the writer and the readers needed; split, the compaction's loop
     * compiles in about a second.
     */
    private final class Outputs {
        private final long maxTableBytes;
        /** The tables of the level below the output, by smallest key; empty for a flush. */
        private final List<FileMeta> grandparents;

        private final List<FileMeta> outputs = new ArrayList<>();
        private TableBuilder builder;
        private long number;
        /** The user key of the entries being written; null before the first. */
        private byte[] userKey;
        /** {@link #userKey} as {@link Bytes}, made once per user key. */
        private Bytes userKeyBytes;
        /** The first grandparent whose largest user key is at or after {@link #userKey}. */
        private int grandparent;
        /** Grandparent tables whose key range ended inside the current table. */
        private int grandparentEdges;

        Outputs(long maxTableBytes, List<FileMeta> grandparents) {
            this.maxTableBytes = maxTableBytes;
            this.grandparents = grandparents;
        }

        /**
         * Notes that the next entry has internal key {@code key}, and whether it starts a new user
         * key; if it does and the current table is full, or the policy cuts there, or the key is past
         * the edge of a grandparent table and the current table is large enough to end there,
         * finishes that table.
         */
        boolean startEntry(byte[] key) throws IOException {
            int userLength = key.length - InternalKey.TRAILER_BYTES;
            if (userKey != null && Arrays.equals(key, 0, userLength, userKey, 0, userKey.length)) {
                return false;
            }
            byte[] previous = userKey;
            userKey = Arrays.copyOf(key, userLength);
            userKeyBytes = null;
            int edges = 0;
            while (grandparent < grandparents.size()
                    && grandparents.get(grandparent).largest().userKey().compareTo(userKey, 0, userLength) < 0) {
                grandparent++;
                edges++;
            }
            if (builder != null
                    && (builder.fileSizeEstimate() >= maxTableBytes
                            || policy.cutBetween(previous, userKey)
                            || (edges > 0
                                    && builder.fileSizeEstimate()
                                            >= maxTableBytes / 100 * (50 + Math.min(5 * grandparentEdges, 40))))) {
                outputs.add(finishTable());
            }
            if (builder != null) {
                grandparentEdges += edges;
            }
            return true;
        }

        /** The current user key: do not keep or change the array. */
        byte[] userKeyBytes() {
            return userKey;
        }

        /** The current user key as {@link Bytes}. */
        Bytes userKey() {
            if (userKeyBytes == null) {
                userKeyBytes = Bytes.wrap(userKey);
            }
            return userKeyBytes;
        }

        /** Writes one entry, its value {@code valueLength} bytes of {@code values} from {@code valueOffset}, to the current table, starting one if there is none. */
        void add(byte[] key, byte[] values, int valueOffset, int valueLength) throws IOException {
            if (builder == null) {
                number = newFileNumber.getAsLong();
                builder = new TableBuilder(storage, LsmFileNames.table(number), tableOptions);
            }
            builder.add(key, values, valueOffset, valueLength);
        }

        /** Finishes the last table, forces the directory, opens the new tables and returns them. */
        List<FileMeta> finish() throws IOException {
            if (builder != null) {
                outputs.add(finishTable());
            }
            if (!outputs.isEmpty()) {
                storage.syncDirectory(); // the tables' names are durable before the MANIFEST refers to them
            }
            for (FileMeta f : outputs) {
                tables.open(f); // opened here, not by the first get of it (as RocksDB's flushes and compactions do)
            }
            return outputs;
        }

        private FileMeta finishTable() throws IOException {
            TableBuilder.Result r = builder.finish();
            builder = null;
            grandparentEdges = 0;
            return new FileMeta(number, r.fileSize(), r.smallest(), r.largest());
        }

        /** Deletes the table being written, if any: the job failed before {@link #finish}. */
        void abandon() throws IOException {
            if (builder != null) {
                builder.abandon();
                builder = null;
            }
        }
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
}
