package dev.storagelab.btree;

import static com.google.common.base.Preconditions.checkState;

import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.CorruptionException;
import java.io.IOException;

/**
 * The tree's page file over the tree's life, with the buffer pool over it: created whole, opened
 * at its newest checkpoint, checkpointed, and closed. A new page file is written under a temporary
 * name, forced, renamed into place and the directory synced: the file exists under its real name
 * only once it is whole. An open that is refused changes nothing.
 *
 * <p>It keeps what a checkpoint leaves behind: whether a write has begun since the last one (a
 * tree opened and closed unchanged is not checkpointed), and why a checkpoint failed. After a
 * failed force the kernel may have dropped the dirty pages it could not write and a retried force
 * can "succeed" without them (PostgreSQL's fsyncgate, 2018), so a tree whose checkpoint failed
 * takes no more writes or checkpoints: reopened, it comes back at the last checkpoint that did
 * complete.
 *
 * <p>{@link BPlusTree} calls it under its tree-wide lock: {@link #checkpoint} and {@link #close}
 * with the lock held alone, the checks a write makes with it at least shared.
 */
final class TreeFile {

    private static final String TEMP_NAME = BPlusTree.FILE_NAME + ".tmp";

    private final CountingStorage io;
    private final PageFile file;
    private final BufferPool pool;
    /** The checkpoint the open found newest: the tree starts at its root and entry count. */
    private final MetaPage opened;

    private volatile boolean closed;
    /** Why a checkpoint failed, or null: then the tree takes no more writes or checkpoints. */
    private IOException checkpointFailure;
    /**
     * Whether a write has begun since the tree was opened or last checkpointed: {@link #close}
     * takes a checkpoint only then, so that a tree opened and closed unchanged (an open of a store
     * above it that was refused) leaves its file as it was.
     */
    private volatile boolean written;

    private TreeFile(CountingStorage io, BTreeOptions options, PageFile file, PageTable table, MetaPage opened) {
        this.io = io;
        this.file = file;
        this.opened = opened;
        this.pool = options.pool()
                .create(file, table, options.poolFrames(), options.replacer().create(options.poolFrames()));
    }

    /**
     * Opens the page file in {@code io}, creating an empty tree's if there is none; see
     * {@link BPlusTree#open(Storage, BTreeOptions)}.
     */
    static TreeFile open(CountingStorage io, BTreeOptions options) throws IOException {
        if (!io.exists(BPlusTree.FILE_NAME)) {
            deleteTemp(io);
            io.create(TEMP_NAME).close();
            try (PageFile fresh = new PageFile(io, TEMP_NAME, options.pageSize())) {
                PageTable.format(fresh);
                fresh.force();
            }
            io.rename(TEMP_NAME, BPlusTree.FILE_NAME);
            io.syncDirectory();
        }
        PageFile file = new PageFile(io, BPlusTree.FILE_NAME, options.pageSize());
        try {
            PageTable table = PageTable.open(file);
            MetaPage newest = MetaPage.newest(file);
            // Only now, with the open sure to succeed, is anything deleted: a refused open changes nothing.
            deleteTemp(io);
            return new TreeFile(io, options, file, table, newest);
        } catch (CorruptionException e) {
            file.close();
            int written = MetaPage.writtenPageSize(io, BPlusTree.FILE_NAME, options.pageSize());
            if (written > 0) {
                throw new IllegalArgumentException(
                        io.describe(BPlusTree.FILE_NAME) + " was created with " + written
                                + "-byte pages; open it with pageSize " + written + ", not " + options.pageSize(),
                        e);
            }
            throw e;
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Deletes what a creation that crashed before its rename left: nothing in it was ever acknowledged. */
    private static void deleteTemp(Storage io) throws IOException {
        if (io.exists(TEMP_NAME)) {
            io.delete(TEMP_NAME);
        }
    }

    /** The buffer pool over the page file. */
    BufferPool pool() {
        return pool;
    }

    /** The checkpoint the open started at. */
    MetaPage opened() {
        return opened;
    }

    void checkOpen() {
        checkState(!closed, "the B+tree is closed");
    }

    /** Checks that the tree is open and no checkpoint has failed: the state a write needs. */
    void checkWritable() {
        checkOpen();
        if (checkpointFailure != null) {
            throw new IllegalStateException(
                    "a checkpoint of " + this + " failed, so it takes no more writes or"
                            + " checkpoints; reopen it to continue from the last completed checkpoint",
                    checkpointFailure);
        }
    }

    /** {@link #checkWritable()} for a write, which {@link #close} will then checkpoint. */
    void beginWrite() {
        checkWritable();
        written = true;
    }

    /**
     * Writes every dirty page copy-on-write, then the page table, then the meta page that names
     * {@code root} and {@code entries} (see {@link PageTable#checkpoint}), and returns the
     * checkpoint's generation. The caller holds the tree-wide lock alone and has checked that the
     * tree is writable. A failure is kept: the tree takes no more writes or checkpoints.
     */
    long checkpoint(long root, long entries) throws IOException {
        try {
            written = false; // under the write lock: no write runs until the checkpoint is done
            return pool.checkpoint(root, entries).generation();
        } catch (IOException e) {
            checkpointFailure = e;
            throw e;
        }
    }

    /**
     * Takes a checkpoint of {@code root} and {@code entries} if anything was written since the last
     * one, and closes the file (the caller holds the tree-wide lock alone). Idempotent. If an
     * earlier checkpoint failed, the file is closed without one and the failure is reported again.
     */
    void close(long root, long entries) throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        pool.close(); // its page cleaner, if it has one: the checkpoint below writes what is left
        try (PageFile f = file) {
            if (checkpointFailure != null) {
                throw new IOException(
                        "closed " + this + " without a checkpoint: an earlier checkpoint failed, so"
                                + " the writes since the last completed checkpoint are lost",
                        checkpointFailure);
            }
            if (written) {
                checkpoint(root, entries);
            }
        }
    }

    @Override
    public String toString() {
        return "B+tree " + io.describe(BPlusTree.FILE_NAME);
    }
}
