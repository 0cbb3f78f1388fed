package dev.storagelab.sortedlog;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.storagelab.events.EventListener;
import dev.storagelab.events.TestRecording;
import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.kv.Memtable;
import dev.storagelab.kv.StoreMetrics;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * The lab's destination: writes go to a write-ahead log and a sorted memtable; a full memtable is
 * flushed to an immutable sorted segment; segments are compacted in the background. It is a
 * small LSM tree with a single level, and the shape of everything lab-05 builds.
 *
 * <ul>
 *   <li><b>Reads</b> look in the active memtable, then the frozen one, then the segments newest
 *       to oldest; the first entry found wins, and a tombstone means absent.</li>
 *   <li><b>Writes</b> append to the log, then apply to the memtable, one writer at a time. When the
 *       memtable is over budget it is frozen and flushed in the background. If the previous flush
 *       is still running, writers wait (backpressure): they are slowed, never dropped.</li>
 *   <li><b>Concurrency</b>: readers take no lock. They hold a reference to an immutable
 *       {@link Version}, so they never see a half-applied flush or compaction.</li>
 *   <li><b>Durability</b>: with {@link SortedLogOptions#syncWrites()} every write is forced before
 *       it returns; otherwise a write is durable once {@link #sync()} returns.</li>
 *   <li><b>Recovery</b> reads only segment footers and indexes, plus the unflushed logs, so
 *       reopening costs O(segments + unflushed log), not O(data). {@link SortedLogRecovery} reads
 *       and checks; the store writes only once every check has passed.</li>
 * </ul>
 *
 * <p>Files are named by {@link FileNames}. If a background flush or compaction fails, the store
 * stops accepting writes and every write throws an IOException with that failure as its cause;
 * reads go on working.
 */
public final class SortedLogStore implements KeyValueStore {

    private static final Logger LOG = Logger.getLogger(SortedLogStore.class.getName());

    private final CountingStorage storage;
    private final SortedLogOptions options;
    private final StoreMetrics metrics;
    private final ExecutorService background;
    private final RecoveryReport recovery;

    private final ReentrantLock writeLock = new ReentrantLock();
    /** Signalled when a flush finishes (or fails), waking writers held back by backpressure. */
    private final Condition flushDone = writeLock.newCondition();

    private volatile Version current;

    @GuardedBy("writeLock")
    private LogWriter log;

    @GuardedBy("writeLock")
    private long nextFileNumber;

    private volatile IOException backgroundError;
    private volatile boolean closed;

    private SortedLogStore(Storage storage, SortedLogOptions options) throws IOException {
        this.storage = new CountingStorage(storage);
        this.options = options;
        this.metrics = new StoreMetrics(this.storage);
        this.background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sortedlog-background");
            t.setDaemon(true);
            return t;
        });
        writeLock.lock(); // nothing else can hold it yet: for the check of recover()'s writes
        try {
            this.recovery = recover();
        } catch (IOException | RuntimeException e) {
            background.shutdownNow();
            throw e;
        } finally {
            writeLock.unlock();
        }
    }

    /** Opens (or creates) the store in {@code storage}. */
    public static SortedLogStore open(Storage storage, SortedLogOptions options) throws IOException {
        return new SortedLogStore(checkNotNull(storage, "storage"), checkNotNull(options, "options"));
    }

    /** Opens the store with {@link SortedLogOptions#defaults()}. */
    public static SortedLogStore open(Storage storage) throws IOException {
        return open(storage, SortedLogOptions.defaults());
    }

    // ------------------------------------------------------------------------------------ recovery

    /**
     * Opens the store's files in two phases, so that an open that fails changes nothing: first every
     * check and every read ({@link SortedLogRecovery#read}: the directory's names, the segments'
     * footers and indexes, the logs' records), with no write; then, once the open is sure to
     * succeed, the writes (the leftovers deleted, the replayed logs flushed to a segment, a new log
     * started).
     */
    @GuardedBy("writeLock")
    private RecoveryReport recover() throws IOException {
        SortedLogRecovery.Found found = SortedLogRecovery.read(storage, options, metrics);
        List<SegmentReader> segments = new ArrayList<>(found.segments());
        try {
            // Every check passed and every log was read: from here on the open writes.
            for (String name : found.obsolete()) {
                storage.delete(name);
            }
            if (found.replayed().size() > 0) {
                long first = FileNames.parseLog(found.replayedLogs().get(0)).orElseThrow();
                String name = FileNames.segment(first, found.maxNumber());
                writeSegment(found.replayed(), name);
                segments.add(0, SegmentReader.open(storage, name, metrics));
            }
            for (String name : found.replayedLogs()) {
                storage.delete(name);
            }
            nextFileNumber = found.maxNumber() + 1;
            log = LogWriter.create(storage, FileNames.log(nextFileNumber++));
            storage.syncDirectory();
            current = new Version(options.memtableFactory().get(), null, segments);
            return found.report();
        } finally {
            for (SegmentReader s : segments) {
                s.release(); // the version holds its own references now (or we failed)
            }
        }
    }

    /** Writes every entry of {@code memtable}, tombstones included, to the segment {@code name}. */
    private void writeSegment(Memtable memtable, String name) throws IOException {
        try (EntryIterator it = memtable.iterator();
                SegmentWriter writer = new SegmentWriter(storage, name, options.blockSize())) {
            while (it.hasNext()) {
                writer.add(it.next());
            }
            writer.finish();
        }
    }

    // ------------------------------------------------------------------------------------ reads

    private Version acquire() {
        while (true) {
            Version v = current;
            if (v.tryRetain()) {
                return v;
            }
            // A dead version that is still current was released by close(): retrying would spin.
            if (v == current) {
                checkOpen();
            }
        }
    }

    /**
     * Looks {@code key} up in the version {@code v}: the active memtable, then the frozen one (if
     * any), then each segment from newest ({@code v.segments.get(0)}) to oldest. The first source
     * that knows the key decides: a value is returned, a tombstone means the key is absent. Stop
     * as soon as a source decides; older sources cannot override a newer one.
     */
    private Optional<Bytes> lookup(Version v, Bytes key) throws IOException {
        // BEGIN SOLUTION lab-01 T8
        Entry e = v.active.get(key);
        if (e == null && v.frozen != null) {
            e = v.frozen.get(key);
        }
        for (int i = 0; e == null && i < v.segments.size(); i++) {
            e = v.segments.get(i).get(key);
        }
        return e == null || e.isTombstone() ? Optional.empty() : Optional.of(e.value());
        // END SOLUTION
    }

    @Override
    public Optional<Bytes> get(Bytes key) throws IOException {
        KeyValueStore.checkKey(key);
        checkOpen();
        long start = StoreMetrics.startTimer();
        Version v = acquire();
        try {
            Optional<Bytes> result = lookup(v, key);
            metrics.recordGetSince(result.isPresent(), start);
            return result;
        } finally {
            v.release();
        }
    }

    /**
     * Holds the store's current sources open for a scan (lab-02). Close the snapshot when done.
     */
    public StoreSnapshot snapshot() {
        checkOpen();
        return new StoreSnapshot(acquire());
    }

    // ------------------------------------------------------------------------------------ writes

    @Override
    public void put(Bytes key, Bytes value) throws IOException {
        write(Entry.put(KeyValueStore.checkKey(key), KeyValueStore.checkValue(value)));
    }

    @Override
    public void delete(Bytes key) throws IOException {
        write(Entry.tombstone(KeyValueStore.checkKey(key)));
    }

    private void write(Entry entry) throws IOException {
        long start = StoreMetrics.startTimer();
        var record = LogWriter.encode(entry);
        writeLock.lock();
        try {
            checkWritable();
            makeRoomForWrite();
            log.append(record);
            if (options.syncWrites()) {
                log.force();
            }
            current.active.apply(entry);
        } finally {
            writeLock.unlock();
        }
        metrics.recordWriteSince(entry, start);
    }

    /**
     * Makes sure the active memtable has room, with {@link #writeLock} held.
     *
     * <p>While the active memtable holds at least {@link SortedLogOptions#memtableBytes()}: if a
     * frozen memtable is still being flushed, count a stall ({@link StoreMetrics#recordWriteStall()})
     * and wait on {@link #flushDone} (backpressure: never drop the write, never keep two frozen
     * memtables), checking {@link #checkWritable()} after each wake-up because the flush may
     * have failed; otherwise {@link #rotate()}.
     */
    @GuardedBy("writeLock")
    private void makeRoomForWrite() throws IOException {
        // BEGIN SOLUTION lab-01 T8
        while (current.active.approximateBytes() >= options.memtableBytes()) {
            if (current.frozen != null) {
                metrics.recordWriteStall();
                try {
                    flushDone.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for a flush");
                }
                checkWritable();
            } else {
                rotate();
            }
        }
        // END SOLUTION
    }

    /**
     * Freezes the active memtable, starts a new log and memtable, and schedules the flush. The old
     * log is forced first: a later {@link #sync()} forces only the new log, and must still cover
     * every write before it.
     */
    @GuardedBy("writeLock")
    private void rotate() throws IOException {
        log.force();
        long frozenNumber = FileNames.parseLog(log.name()).orElseThrow();
        long number = nextFileNumber++;
        LogWriter newLog = LogWriter.create(storage, FileNames.log(number));
        storage.syncDirectory();
        log.close();
        log = newLog;
        Version old = current;
        old.active.freeze();
        install(new Version(options.memtableFactory().get(), old.active, old.segments));
        background.execute(() -> flushFrozen(frozenNumber));
    }

    /** Replaces the current version; caller holds {@link #writeLock}. */
    @GuardedBy("writeLock")
    private void install(Version next) {
        Version old = current;
        current = next;
        old.release();
    }

    private void flushFrozen(long number) {
        Version v = acquire();
        try {
            String name = FileNames.segment(number, number);
            if (EventListener.EMIT && events.isEnabled())
                events.onEvent(SortedLogEvents.flushBegan(v.frozen.approximateBytes()));
            writeSegment(v.frozen, name);
            SegmentReader segment = SegmentReader.open(storage, name, metrics);
            writeLock.lock();
            try {
                List<SegmentReader> segments = new ArrayList<>(current.segments.size() + 1);
                segments.add(segment);
                segments.addAll(current.segments);
                install(new Version(current.active, null, segments));
                if (EventListener.EMIT && events.isEnabled()) events.onEvent(SortedLogEvents.flushEnded(segment));
                segment.release();
                flushDone.signalAll();
            } finally {
                writeLock.unlock();
            }
            // If this delete is lost in a crash, recovery sees the log is older than a segment.
            storage.delete(FileNames.log(number));
            metrics.recordFlush();
            if (options.compactionTrigger() > 0 && current.segments.size() >= options.compactionTrigger()) {
                compactNow();
            }
        } catch (IOException | RuntimeException e) {
            failBackground(e);
        } finally {
            v.release();
        }
    }

    private void failBackground(Exception e) {
        LOG.severe("background work failed; the store now refuses writes: " + e);
        writeLock.lock();
        try {
            if (backgroundError == null) {
                backgroundError = e instanceof IOException io ? io : new IOException(e);
            }
            flushDone.signalAll();
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void sync() throws IOException {
        writeLock.lock();
        try {
            checkWritable();
            log.force();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Freezes the memtable and waits until it is flushed to a segment. A no-op when the memtable
     * is empty. Useful in tests and before a benchmark's read phase.
     */
    public void flush() throws IOException {
        writeLock.lock();
        try {
            checkWritable();
            awaitNoFrozen();
            if (current.active.size() > 0) {
                rotate();
                awaitNoFrozen();
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void awaitNoFrozen() throws IOException {
        while (current.frozen != null) {
            try {
                flushDone.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for a flush");
            }
            checkWritable();
        }
    }

    // ------------------------------------------------------------------------------------ compaction

    /** Compacts every segment into one, in the background thread, and waits for it. */
    public void compact() throws IOException {
        checkWritable();
        Future<?> done = background.submit(() -> {
            try {
                compactNow();
            } catch (IOException e) {
                failBackground(e);
            }
        });
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for compaction");
        } catch (ExecutionException e) {
            throw new IOException("compaction failed", e.getCause());
        }
        checkWritable();
    }

    /** Runs on the background thread only, so it never races a flush. */
    private void compactNow() throws IOException {
        Version v = acquire();
        try {
            List<SegmentReader> inputs = v.segments;
            if (inputs.isEmpty()) {
                return;
            }
            long first = Long.MAX_VALUE;
            long last = 0;
            for (SegmentReader s : inputs) {
                FileNames.SegmentRange r = FileNames.parseSegment(s.name()).orElseThrow();
                first = Math.min(first, r.first());
                last = Math.max(last, r.last());
            }
            String outputName = FileNames.segment(first, last);
            if (EventListener.EMIT && events.isEnabled()) events.onEvent(SortedLogEvents.compactionPicked(inputs));
            // The inputs are every segment, so they include the oldest: no older data can resurface.
            long written = Compactor.compact(storage, inputs, outputName, options.blockSize(), true);
            SegmentReader output = written > 0 ? SegmentReader.open(storage, outputName, metrics) : null;
            writeLock.lock();
            try {
                // Flushes may have added newer segments meanwhile; they stay in front.
                List<SegmentReader> segments = new ArrayList<>();
                for (SegmentReader s : current.segments) {
                    if (!inputs.contains(s)) {
                        segments.add(s);
                    }
                }
                if (output != null) {
                    segments.add(output);
                }
                install(new Version(current.active, current.frozen, segments));
                if (EventListener.EMIT && events.isEnabled())
                    events.onEvent(SortedLogEvents.compactionFinished(inputs, output));
            } finally {
                writeLock.unlock();
                if (output != null) {
                    output.release();
                }
            }
            // Oldest first: if a crash interrupts this, the inputs left are the newest ones, which
            // still read correctly on their own (and are covered by the output's range anyway).
            for (int i = inputs.size() - 1; i >= 0; i--) {
                String name = inputs.get(i).name();
                // A lone input shares the output's name: rewritten in place, unless nothing was written.
                if (written == 0 || !name.equals(outputName)) {
                    storage.delete(name);
                }
            }
            storage.syncDirectory();
            metrics.recordCompaction();
        } finally {
            v.release();
        }
    }

    // ------------------------------------------------------------------------------------ inspection

    /** Hears flushes and compactions ({@link #setEventListener}); {@link EventListener#NONE} costs nothing. */
    private volatile EventListener events = TestRecording.listener();

    /**
     * Sets who hears this store's flushes and compactions ({@link EventListener}, in the LSM tree's
     * words: {@link SortedLogEvents}); null for none. Called on the background thread.
     */
    public void setEventListener(EventListener listener) {
        this.events = EventListener.orNone(listener);
    }

    /** The current version, retained for {@link SortedLogEvents#segments} (which releases it). */
    Version acquireForEvents() {
        return acquire();
    }

    /** The segment file names, newest first. */
    public List<String> segmentNames() {
        Version v = acquire();
        try {
            return v.segments.stream().map(SegmentReader::name).toList();
        } finally {
            v.release();
        }
    }

    /** One line per segment: name, key range, entries and blocks, newest first. */
    public List<String> describeSegments() {
        Version v = acquire();
        try {
            return v.segments.stream().map(SegmentReader::toString).toList();
        } finally {
            v.release();
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

    private void checkWritable() throws IOException {
        checkOpen();
        IOException e = backgroundError;
        if (e != null) {
            throw new IOException("store refuses writes after a background failure: " + e.getMessage(), e);
        }
    }

    /** Waits for background work, forces the log and releases every file. */
    @Override
    public void close() throws IOException {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            writeLock.unlock();
        }
        background.shutdown();
        try {
            if (!background.awaitTermination(1, TimeUnit.MINUTES)) {
                background.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeLock.lock();
        try {
            try {
                // Even after a background failure: the log holds every acknowledged write whole,
                // and a caller that closes relies on them being durable.
                log.force();
            } finally {
                log.close();
                current.release();
            }
        } finally {
            writeLock.unlock();
        }
    }
}
