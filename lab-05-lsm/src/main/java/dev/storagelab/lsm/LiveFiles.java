package dev.storagelab.lsm;

import dev.storagelab.io.Storage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which of the store's files are still needed, and the deletion of the rest (LevelDB's
 * {@code DeleteObsoleteFiles}). A table is live while a version some reader holds names it
 * (counted per installed {@code SuperVersion}) or while a flush or compaction is writing it (a pending
 * output, numbered but in no version yet); logs older than the MANIFEST's log number and MANIFESTs
 * other than the current one are obsolete at once.
 *
 * <p>Only the first deletion after the open lists the directory ({@link Manifest#obsoleteFiles}):
 * it finds what a crash or an earlier failure left. After it, every file that becomes obsolete is one
 * the store itself lets go of, so the store keeps the names instead (RocksDB's choice; LevelDB lists
 * the directory every time): a table whose last holding version is released ({@link #unref}), the
 * log of a flushed memtable and a replaced MANIFEST ({@link #retire}). A listing after every flush,
 * compaction and memtable switch read and parsed the whole directory each time, and its code was
 * compiled beside the first reads of a run.
 *
 * <p>Every method but {@link #deleteDeferred} and {@link #newFileNumber} expects the caller to hold
 * the store's mutex, which guards this bookkeeping.
 */
final class LiveFiles {

    private final Storage storage;
    private final Manifest versions;
    private final TableCache tables;
    private final ReentrantLock mutex;
    /** Whether obsolete files wait for {@link #deleteDeferred} (background threads run) or go at once. */
    private final boolean deferDeletes;
    /** How many live {@code SuperVersion}s hold each table file; a file is deleted when this drops to 0. */
    private final Map<Long, Integer> refs = new HashMap<>();
    /**
     * Numbers of tables being written by a flush or compaction, not yet in a version: never
     * obsolete. Guarded by its own monitor, not the store's mutex: a compaction takes a number for
     * each table it starts, and waited for the mutex behind the writer, which takes it on every put
     * (in readwhilewriting, 3.2 s of a 23 s run in 314 waits). {@link #deleteObsolete} lists the
     * directory inside the same monitor, so a number is in the set or its file is not yet listed.
     */
    private final Set<Long> pendingOutputs = new HashSet<>();
    /** Tables whose last holder let go ({@link #unref}): obsolete unless a version or a job holds them again. */
    private final Set<Long> unheld = new HashSet<>();
    /** Logs and MANIFESTs the store no longer needs ({@link #retire}), not yet deleted. */
    private final List<String> retired = new ArrayList<>();
    /** Whether the directory was listed since the open: the first {@link #deleteObsolete} lists it. */
    private boolean scanned;
    /** Files {@link #deleteObsolete} found, for {@link #deleteDeferred} to delete once the mutex is let go of. */
    private final List<String> deferred = new ArrayList<>();

    LiveFiles(Storage storage, Manifest versions, TableCache tables, ReentrantLock mutex, boolean deferDeletes) {
        this.storage = storage;
        this.versions = versions;
        this.tables = tables;
        this.mutex = mutex;
        this.deferDeletes = deferDeletes;
    }

    /** A new table number, kept from deletion until its version is installed (the store's mutex is not needed). */
    long newFileNumber() {
        synchronized (pendingOutputs) {
            long n = versions.newFileNumber();
            pendingOutputs.add(n);
            return n;
        }
    }

    /** The tables {@code written} are in the installed version now, which keeps them. */
    void installed(Collection<FileMeta> written) {
        synchronized (pendingOutputs) {
            for (FileMeta f : written) {
                pendingOutputs.remove(f.number());
            }
        }
    }

    /** Forgets every pending output: at the open, no flush or compaction has started. */
    void clearPending() {
        synchronized (pendingOutputs) {
            pendingOutputs.clear();
        }
    }

    /** A {@code SuperVersion} holding {@code v} is installed: each of its tables gains a holder. */
    void ref(Version v) {
        for (int level = 0; level < Version.NUM_LEVELS; level++) {
            for (FileMeta f : v.files(level)) {
                refs.merge(f.number(), 1, Integer::sum);
            }
        }
    }

    /** The last reader of a {@code SuperVersion} holding {@code v} let go: each of its tables loses a holder. */
    void unref(Version v) {
        for (int level = 0; level < Version.NUM_LEVELS; level++) {
            for (FileMeta f : v.files(level)) {
                Integer n = refs.get(f.number());
                if (n == null) {
                    continue;
                }
                if (n == 1) {
                    refs.remove(f.number());
                    unheld.add(f.number());
                } else {
                    refs.put(f.number(), n - 1);
                }
            }
        }
    }

    /**
     * Deletes every obsolete file the directory holds, listing it: at the end of the open, when the
     * logs it replayed are obsolete and a crash may have left files behind.
     */
    void deleteAllObsolete() {
        scanned = false;
        deleteObsolete();
    }

    /** {@code name}, a log or MANIFEST, is needed no more: the next {@link #deleteObsolete} deletes it. */
    void retire(String name) {
        retired.add(name);
    }

    /**
     * Deletes files nothing needs: tables no live version holds (closed and evicted from the table
     * cache first), logs older than the current log number, and MANIFESTs other than the current
     * one. With background threads the deletion is deferred to {@link #deleteDeferred}.
     */
    void deleteObsolete() {
        List<String> obsolete;
        try {
            obsolete = scanned ? letGo() : scan();
        } catch (IOException e) {
            return; // the listing failed: the next deletion lists again
        }
        for (String name : obsolete) {
            LsmFileNames.Parsed p = LsmFileNames.parse(name);
            if (p != null && p.type() == LsmFileNames.Type.TABLE) {
                try {
                    tables.evict(p.number());
                } catch (IOException e) {
                    // closing the table failed: nothing reads it any more, and its file goes all the same
                }
            }
            if (deferDeletes && !name.equals(LsmFileNames.CURRENT_TEMP)) {
                deferred.add(name);
            } else {
                delete(name);
            }
        }
    }

    /** Deletes {@code name}; a file left behind is garbage, not damage: the next open deletes it. */
    private void delete(String name) {
        try {
            storage.delete(name);
        } catch (IOException e) {
            // left for the next open
        }
    }

    /** Every obsolete file in the directory: what the open's deletion finds, the leftovers of a crash included. */
    private List<String> scan() throws IOException {
        List<String> obsolete;
        synchronized (pendingOutputs) { // a number taken meanwhile is in the set, or its file is not listed yet
            Set<Long> keep = new HashSet<>(pendingOutputs);
            keep.addAll(refs.keySet()); // tables an older version still being read holds
            obsolete = versions.obsoleteFiles(keep);
        }
        scanned = true;
        unheld.clear(); // the listing saw them
        retired.clear();
        versions.takeRetired();
        return obsolete;
    }

    /**
     * The files the store let go of since the last deletion: the tables among {@link #unheld} that
     * no version nor job holds again, and the {@link #retire retired} logs and MANIFESTs.
     */
    private List<String> letGo() {
        List<String> obsolete = new ArrayList<>(retired);
        retired.clear();
        obsolete.addAll(versions.takeRetired());
        if (!unheld.isEmpty()) {
            Set<Long> live = versions.version().liveFiles();
            synchronized (pendingOutputs) {
                for (long n : unheld) {
                    if (!refs.containsKey(n) && !pendingOutputs.contains(n) && !live.contains(n)) {
                        obsolete.add(LsmFileNames.table(n));
                    }
                }
            }
            unheld.clear(); // a table held again is back in refs, and its next release adds it again
        }
        return obsolete;
    }

    /**
     * Deletes the files {@link #deleteObsolete} deferred (the caller does not hold the mutex).
     * Unlinking a table of megabytes takes milliseconds (the kernel drops its cached pages), and a
     * compaction deletes ten or more: under the mutex, writers waited up to 36 ms behind it. Nothing
     * can need a deferred file again (file numbers are never reused), so it is deleted late, once.
     */
    void deleteDeferred() {
        assert !mutex.isHeldByCurrentThread() : "files are unlinked outside the store's mutex";
        List<String> names;
        mutex.lock();
        try {
            if (deferred.isEmpty()) {
                return;
            }
            names = new ArrayList<>(deferred);
            deferred.clear();
        } finally {
            mutex.unlock();
        }
        for (String name : names) {
            delete(name);
        }
    }
}
