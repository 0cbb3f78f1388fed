package dev.storagelab.sortedlog;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.kv.StoreMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An append-only log with an in-memory hash index, as in Bitcask (the storage engine of Riak):
 * every write appends one framed record to {@value #LOG_NAME}; the index maps each live key to the
 * offset of its newest record; a read is one hash lookup and one positional read. Deletes append
 * a tombstone. On open the index is rebuilt by scanning the log, and a torn tail is cut off.
 *
 * <p>This is the engine the lab starts from, and its limits are the lab's story: the index must fit
 * in memory, reopening reads the whole log, and the log grows forever. {@link SortedLogStore}
 * fixes all three.
 *
 * <p>Durability: with {@link Options#syncWrites()} every write is forced before it returns;
 * otherwise writes are durable once {@link #sync()} returns. Thread-safe: any number of readers
 * and writers.
 */
public final class HashIndexLog implements KeyValueStore {

    /** The log file's name inside the store's directory. */
    public static final String LOG_NAME = "store.log";

    /**
     * How the store behaves.
     *
     * @param syncWrites   force the log after every write
     * @param recoveryMode what to do with a bad record at the end of the log on open
     */
    public record Options(boolean syncWrites, RecoveryMode recoveryMode) {
        public Options {
            checkNotNull(recoveryMode, "recoveryMode");
        }

        /** No sync per write; torn tails are cut off. */
        public static Options defaults() {
            return new Options(false, RecoveryMode.TOLERATE_TORN_TAIL);
        }
    }

    /** Where a key's newest record sits in the log. */
    record Location(long offset, int size) {}

    private final CountingStorage storage;
    private final Options options;
    private final Map<Bytes, Location> index = new ConcurrentHashMap<>();
    private final Object writeLock = new Object();
    private final StoreMetrics metrics;
    private final RecoveryReport recovery;

    @GuardedBy("writeLock")
    private LogWriter writer;

    private final ReadableFile reader;
    private volatile boolean closed;

    private HashIndexLog(Storage storage, Options options) throws IOException {
        this.storage = new CountingStorage(storage);
        this.options = options;
        this.metrics = new StoreMetrics(this.storage);
        synchronized (writeLock) { // nothing else can hold it yet: for the check of recover()'s writes
            this.recovery = recover();
        }
        this.reader = this.storage.openRead(LOG_NAME);
    }

    /** Opens the store in {@code storage}, creating an empty log if there is none. */
    public static HashIndexLog open(Storage storage, Options options) throws IOException {
        return new HashIndexLog(checkNotNull(storage, "storage"), checkNotNull(options, "options"));
    }

    /** Opens the store with {@link Options#defaults()}. */
    public static HashIndexLog open(Storage storage) throws IOException {
        return open(storage, Options.defaults());
    }

    /**
     * Rebuilds {@link #index} by scanning the whole log with a {@link LogReader}, then opens
     * {@link #writer} to append after the last good record.
     *
     * <ul>
     *   <li>No log yet: create it ({@link LogWriter#create}), then sync the directory so the file
     *       itself survives a crash.</li>
     *   <li>For each record: a value puts {@code key -> Location(offset, size)}; a tombstone
     *       removes the key.</li>
     *   <li>A torn tail: truncate the log to {@link LogReader#validEnd()} and force the cut, so new
     *       records never follow garbage. If even the file header was torn, recreate the log.</li>
     *   <li>Corruption is not repaired: let the {@link CorruptionException} propagate.</li>
     * </ul>
     *
     * @return what was replayed and cut off
     */
    @GuardedBy("writeLock")
    private RecoveryReport recover() throws IOException {
        // BEGIN SOLUTION lab-01 T4
        if (!storage.exists(LOG_NAME)) {
            writer = LogWriter.create(storage, LOG_NAME);
            storage.syncDirectory();
            return RecoveryReport.EMPTY;
        }
        long records = 0;
        long validEnd;
        long fileSize;
        try (LogReader log = LogReader.open(storage, LOG_NAME, options.recoveryMode())) {
            for (LogRecord r = log.next(); r != null; r = log.next()) {
                records++;
                if (r.entry().isTombstone()) {
                    index.remove(r.entry().key());
                } else {
                    index.put(r.entry().key(), new Location(r.offset(), r.size()));
                }
            }
            validEnd = log.validEnd();
            fileSize = log.fileSize();
        }
        if (validEnd < LogFormat.FILE_HEADER_SIZE) {
            storage.delete(LOG_NAME);
            writer = LogWriter.create(storage, LOG_NAME);
            storage.syncDirectory();
        } else {
            if (validEnd < fileSize) {
                storage.truncate(LOG_NAME, validEnd);
            }
            writer = LogWriter.openAppend(storage, LOG_NAME);
            if (validEnd < fileSize) {
                writer.force();
            }
        }
        return new RecoveryReport(records, validEnd, fileSize - validEnd);
        // END SOLUTION
    }

    @Override
    public Optional<Bytes> get(Bytes key) throws IOException {
        KeyValueStore.checkKey(key);
        checkOpen();
        long start = StoreMetrics.startTimer();
        Location loc = index.get(key);
        Optional<Bytes> result = Optional.empty();
        if (loc != null) {
            ByteBuffer record = ByteBuffer.allocate(loc.size());
            reader.readFully(loc.offset(), record);
            Entry entry = LogReader.decode(record.flip(), storage.describe(LOG_NAME), loc.offset());
            if (!entry.key().equals(key) || entry.isTombstone()) {
                throw new CorruptionException(
                        storage.describe(LOG_NAME),
                        loc.offset(),
                        "index points at a record for " + entry + ", not at a value of " + key);
            }
            result = Optional.of(entry.value());
        }
        metrics.recordGetSince(result.isPresent(), start);
        return result;
    }

    @Override
    public void put(Bytes key, Bytes value) throws IOException {
        write(Entry.put(KeyValueStore.checkKey(key), KeyValueStore.checkValue(value)));
    }

    @Override
    public void delete(Bytes key) throws IOException {
        write(Entry.tombstone(KeyValueStore.checkKey(key)));
    }

    private void write(Entry entry) throws IOException {
        checkOpen();
        long start = StoreMetrics.startTimer();
        ByteBuffer record = LogWriter.encode(entry); // encoding needs no lock: threads do it in parallel
        append(entry, record);
        metrics.recordWriteSince(entry, start);
    }

    /**
     * Appends one encoded record and points the index at it, safely under concurrent callers.
     *
     * <p>Two things must happen as one step, or a concurrent reader or writer can see them apart:
     * choosing the offset and writing the bytes (else two records interleave or one is lost), and
     * writing the bytes and updating the index (else an older record can win the index race after
     * a newer one). Hold {@link #writeLock} across all of it. With
     * {@link Options#syncWrites()} force the log before releasing the lock.
     */
    private void append(Entry entry, ByteBuffer record) throws IOException {
        // BEGIN SOLUTION lab-01 T5
        synchronized (writeLock) {
            checkOpen();
            int size = record.remaining();
            long offset = writer.append(record);
            if (options.syncWrites()) {
                writer.force();
            }
            if (entry.isTombstone()) {
                index.remove(entry.key());
            } else {
                index.put(entry.key(), new Location(offset, size));
            }
        }
        // END SOLUTION
    }

    @Override
    public void sync() throws IOException {
        synchronized (writeLock) {
            checkOpen();
            writer.force();
        }
    }

    /** The number of live keys. */
    public int size() {
        return index.size();
    }

    /** The log's size in bytes: it only grows, which is this engine's downfall. */
    public long logBytes() throws IOException {
        synchronized (writeLock) {
            return writer.size();
        }
    }

    /** What opening the store found. */
    public RecoveryReport recoveryReport() {
        return recovery;
    }

    /** This store's counters and latency percentiles. */
    public StoreMetrics metrics() {
        return metrics;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (writeLock) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                writer.force();
            } finally {
                writer.close();
                reader.close();
            }
        }
    }
}
