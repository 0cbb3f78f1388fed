package dev.storagelab.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * An in-memory {@link Storage} that misbehaves on purpose, for crash and corruption tests.
 *
 * <p>It models what a disk and a journaling file system promise, and no more:
 * <ul>
 *   <li><b>Power loss</b> ({@link #powerLoss()}): bytes appended but not forced are lost, except
 *       that an unforced tail may survive cut at a 512-byte sector boundary (a torn write); a
 *       sector overwritten in place by {@link WritableFile#writeAt} since the last force keeps its
 *       old bytes or its new ones, each sector on its own (a torn overwrite); a
 *       create, rename or delete not yet made durable by {@link #syncDirectory()} may be undone.
 *       Directory operations are journaled in order, so a random <em>prefix</em> of the
 *       unsynced ones survives, as with ext4's metadata journal. Handles opened before the loss
 *       fail afterwards.</li>
 *   <li><b>A crash at any moment</b> ({@link #crashBeforeMutation(long)}): the n-th mutating call
 *       from now fails with {@link PowerLossException}, as does every call after it, until the
 *       test calls {@link #powerLoss()}. Counting the mutating calls of one clean run with
 *       {@link #mutationCount()} gives every crash point a workload has.</li>
 *   <li><b>Failed system calls</b> ({@link #failNext}): the next matching call throws an
 *       {@link IOException} and does nothing.</li>
 *   <li><b>Bit rot</b> ({@link #flipBit}): one bit of a file flips, durably.</li>
 * </ul>
 *
 * <p>{@link CrashMode} chooses how much of the unforced state survives: none of it, all of it, or
 * a random amount (the default), drawn from a seeded {@link SplittableRandom} so a failing run
 * repeats. (Not {@code java.util.Random}: its first {@code nextInt(2)} or {@code nextInt(4)} is the
 * same for every seed from 0 to 199, so a test looping over small seeds would see one outcome.)
 * Thread-safe: every call holds the storage's lock.
 *
 * <p>How a file tracks what is durable: the bytes below its forced size are durable, except that
 * the first in-place write to a sector (512 bytes at a multiple of 512) since the last force saves
 * that sector's durable bytes aside; a force forgets them. A power loss in RANDOM mode puts each
 * saved sector back or not, at random, then cuts the unforced tail as for appends (at the forced
 * size if the sector holding the forced end went back, so that no sector ends up half old, half
 * new). A truncate below the forced size saves the whole durable content instead, and until the
 * next force a power loss restores exactly that.
 */
public final class FaultInjectingStorage implements Storage {

    /** The size of a sector: the unit a torn write is cut at. */
    public static final int SECTOR_SIZE = 512;

    /**
     * What every {@code FaultInjectingStorage} of this JVM read and wrote ({@link DeviceWork}):
     * private, so that only this class's files (and {@link #plant}) add to it.
     */
    private static final DeviceWork.Tally TALLY = new DeviceWork.Tally();

    /** What every {@code FaultInjectingStorage} of this JVM has read and written so far. */
    static DeviceWork deviceWork() {
        return TALLY.totals();
    }

    /** The operations a fault can be injected into. */
    public enum Op {
        CREATE,
        OPEN_APPEND,
        OPEN_READ,
        APPEND,
        WRITE_AT,
        FORCE,
        READ,
        RENAME,
        DELETE,
        TRUNCATE,
        SYNC_DIRECTORY,
        LIST
    }

    /** How much unforced state survives a power loss. */
    public enum CrashMode {
        /** Every unforced byte and every unsynced directory change is lost. */
        LOSE_UNSYNCED,
        /** Unforced tails survive cut at a random sector boundary; each sector overwritten in place
         *  keeps its old or its new bytes at random; a random prefix of unsynced directory changes
         *  survives. */
        RANDOM,
        /** Everything survives, as if the OS flushed its caches just in time. */
        KEEP_UNSYNCED
    }

    /** Thrown by every call between a simulated crash and {@link #powerLoss()}. */
    public static final class PowerLossException extends IOException {
        PowerLossException(String message) {
            super(message);
        }
    }

    /** A file's bytes: what a reader sees now, and what survived the last force. */
    private static final class Inode {
        byte[] data = new byte[64];
        int size;
        /**
         * Bytes [0, durableSize) of {@code data} are durable, except the sectors in
         * {@link #overwrittenSectors}, unless {@link #durableSnapshot} is set.
         */
        int durableSize;
        /** The durable content when a truncate cut below {@link #durableSize}; null otherwise. */
        byte[] durableSnapshot;
        /**
         * Sector number -> that sector's durable bytes (those below {@link #durableSize}), saved by
         * the first in-place write to it since the last force. Empty while {@link #durableSnapshot}
         * is set: the snapshot already holds every durable byte.
         */
        final TreeMap<Integer, byte[]> overwrittenSectors = new TreeMap<>();

        Inode() {}

        Inode(byte[] content) {
            data = Arrays.copyOf(content, Math.max(64, content.length));
            size = content.length;
            durableSize = size;
        }

        void append(ByteBuffer src) {
            writeAt(size, src);
        }

        /** Writes {@code src} at {@code position} (at most {@link #size}), first saving the durable
         *  bytes of every sector below {@link #durableSize} it overwrites. */
        void writeAt(int position, ByteBuffer src) {
            int n = src.remaining();
            int end = Math.addExact(position, n);
            int overwrittenEnd = Math.min(end, durableSize);
            if (durableSnapshot == null && position < overwrittenEnd) {
                for (int sector = position / SECTOR_SIZE; sector * SECTOR_SIZE < overwrittenEnd; sector++) {
                    overwrittenSectors.computeIfAbsent(
                            sector,
                            k -> Arrays.copyOfRange(
                                    data, k * SECTOR_SIZE, Math.min((k + 1) * SECTOR_SIZE, durableSize)));
                }
            }
            if (end > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, end));
            }
            src.get(data, position, n);
            size = Math.max(size, end);
        }

        void truncate(int newSize) {
            if (newSize < durableSize && durableSnapshot == null) {
                durableSnapshot = durable();
                overwrittenSectors.clear();
            }
            if (newSize < size) {
                Arrays.fill(data, newSize, size, (byte) 0);
            }
            size = Math.min(size, newSize);
        }

        void force() {
            durableSnapshot = null;
            overwrittenSectors.clear();
            durableSize = size;
        }

        byte[] current() {
            return Arrays.copyOf(data, size);
        }

        byte[] durable() {
            if (durableSnapshot != null) {
                return durableSnapshot.clone();
            }
            byte[] out = Arrays.copyOf(data, durableSize);
            overwrittenSectors.forEach(
                    (sector, old) -> System.arraycopy(old, 0, out, sector * SECTOR_SIZE, old.length));
            return out;
        }

        /** What this file holds after a power loss in the given mode. */
        byte[] afterCrash(CrashMode mode, SplittableRandom random) {
            if (mode == CrashMode.KEEP_UNSYNCED) {
                return current();
            }
            if (durableSnapshot != null || mode == CrashMode.LOSE_UNSYNCED) {
                return durable();
            }
            // Each overwritten sector reached the disk whole or not at all.
            byte[] out = Arrays.copyOf(data, size);
            boolean durableEndReverted = false;
            for (Map.Entry<Integer, byte[]> e : overwrittenSectors.entrySet()) {
                if (random.nextBoolean()) {
                    int start = e.getKey() * SECTOR_SIZE;
                    System.arraycopy(e.getValue(), 0, out, start, e.getValue().length);
                    durableEndReverted |= start + SECTOR_SIZE > durableSize;
                }
            }
            if (size == durableSize || durableEndReverted) {
                // A reverted sector holding the durable end keeps none of the tail written into it.
                return Arrays.copyOf(out, durableSize);
            }
            // Candidate cut points: the durable end, every sector boundary inside the unforced
            // tail, and the current end.
            List<Integer> cuts = new ArrayList<>();
            cuts.add(durableSize);
            for (int s = (durableSize / SECTOR_SIZE + 1) * SECTOR_SIZE; s < size; s += SECTOR_SIZE) {
                cuts.add(s);
            }
            cuts.add(size);
            return Arrays.copyOf(out, cuts.get(random.nextInt(cuts.size())));
        }
    }

    /**
     * A directory change not yet made durable by a directory sync: {@code name} now points at
     * {@code target} (null: removed), and for a rename {@code from} goes away in the same step, so
     * a power loss keeps a rename whole or not at all.
     */
    private record DirOp(String from, String name, Inode target) {
        void applyTo(Map<String, Inode> dir) {
            if (from != null) {
                dir.remove(from);
            }
            if (target == null) {
                dir.remove(name);
            } else {
                dir.put(name, target);
            }
        }
    }

    private final SplittableRandom random;
    private CrashMode crashMode = CrashMode.RANDOM;
    private Map<String, Inode> files = new TreeMap<>();
    /** The directory as of the last {@link #syncDirectory()}. */
    private Map<String, Inode> durableFiles = new TreeMap<>();
    /** Directory changes since the last sync, in order. */
    private final List<DirOp> pendingDirOps = new ArrayList<>();

    private final List<Fault> faults = new ArrayList<>();
    private long generation;
    private long mutations;
    private long crashAtMutation = -1;
    private boolean crashed;

    private record Fault(Op op, String name) {
        boolean matches(Op o, String n) {
            return op == o && (name == null || name.equals(n));
        }
    }

    /** A storage whose random choices come from {@code seed}. */
    public FaultInjectingStorage(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A storage with seed 0. */
    public FaultInjectingStorage() {
        this(0);
    }

    // ---------------------------------------------------------------- fault control

    /** Sets how much unforced state survives the next {@link #powerLoss()}. */
    public synchronized FaultInjectingStorage crashMode(CrashMode mode) {
        this.crashMode = mode;
        return this;
    }

    /** How many mutating calls (create, append, in-place write, force, rename, delete, truncate,
     *  directory sync, opening for append) have been made so far. */
    public synchronized long mutationCount() {
        return mutations;
    }

    /**
     * Arms a crash: the {@code n}-th mutating call from now (n ≥ 1) fails with
     * {@link PowerLossException} without taking effect, and so does every call after it, until
     * {@link #powerLoss()}.
     */
    public synchronized void crashBeforeMutation(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1: " + n);
        }
        crashAtMutation = mutations + n;
    }

    /** Whether an armed crash has happened and {@link #powerLoss()} has not yet been called. */
    public synchronized boolean isCrashed() {
        return crashed;
    }

    /**
     * Simulates losing power now and booting again: unforced bytes and unsynced directory changes
     * are lost as {@link CrashMode} says, every open handle goes stale, and the storage works
     * again. Disarms any pending crash and fault.
     */
    public synchronized void powerLoss() {
        int keep = switch (crashMode) {
            case LOSE_UNSYNCED -> 0;
            case KEEP_UNSYNCED -> pendingDirOps.size();
            case RANDOM -> random.nextInt(pendingDirOps.size() + 1);
        };
        Map<String, Inode> dir = new TreeMap<>(durableFiles);
        for (DirOp op : pendingDirOps.subList(0, keep)) {
            op.applyTo(dir);
        }
        Map<String, Inode> after = new TreeMap<>();
        for (Map.Entry<String, Inode> e : dir.entrySet()) {
            after.put(e.getKey(), new Inode(e.getValue().afterCrash(crashMode, random)));
        }
        files = after;
        durableFiles = new TreeMap<>(after);
        pendingDirOps.clear();
        faults.clear();
        generation++;
        crashAtMutation = -1;
        crashed = false;
    }

    /** The next {@code op} on any file fails with an IOException and has no effect. */
    public synchronized void failNext(Op op) {
        faults.add(new Fault(op, null));
    }

    /** The next {@code op} on the file {@code name} fails with an IOException and has no effect. */
    public synchronized void failNext(Op op, String name) {
        faults.add(new Fault(op, name));
    }

    /** Flips bit {@code bit} (0-7) of the byte at {@code offset} of {@code name}, durably. */
    public synchronized void flipBit(String name, long offset, int bit) throws IOException {
        Inode inode = lookup(name);
        if (offset < 0 || offset >= inode.size) {
            throw new IllegalArgumentException(
                    "offset " + offset + " is outside " + name + " (size " + inode.size + ")");
        }
        if (bit < 0 || bit > 7) {
            throw new IllegalArgumentException("bit must be 0-7: " + bit);
        }
        inode.data[(int) offset] ^= (byte) (1 << bit);
        if (inode.durableSnapshot != null && offset < inode.durableSnapshot.length) {
            inode.durableSnapshot[(int) offset] ^= (byte) (1 << bit);
        }
        byte[] savedSector = inode.overwrittenSectors.get((int) (offset / SECTOR_SIZE));
        if (savedSector != null && offset % SECTOR_SIZE < savedSector.length) {
            savedSector[(int) (offset % SECTOR_SIZE)] ^= (byte) (1 << bit);
        }
    }

    /** What a reader of {@code name} sees now. */
    public synchronized byte[] contents(String name) throws IOException {
        return lookup(name).current();
    }

    /** What of {@code name} would survive a power loss that kept nothing unforced. */
    public synchronized byte[] durableContents(String name) throws IOException {
        return lookup(name).durable();
    }

    /** Replaces the contents of {@code name} (creating it), durably: a test's way to plant a file. */
    public synchronized void plant(String name, byte[] content) {
        Storage.checkName(name);
        Inode inode = new Inode(content);
        TALLY.wrote(content.length);
        files.put(name, inode);
        durableFiles.put(name, inode);
    }

    // ---------------------------------------------------------------- Storage

    @Override
    public synchronized WritableFile create(String name) throws IOException {
        Storage.checkName(name);
        mutate(Op.CREATE, name);
        if (files.containsKey(name)) {
            throw new FileAlreadyExistsException(describe(name));
        }
        Inode inode = new Inode();
        files.put(name, inode);
        pendingDirOps.add(new DirOp(null, name, inode));
        return new Writer(name, inode, generation);
    }

    @Override
    public synchronized WritableFile openAppend(String name) throws IOException {
        mutate(Op.OPEN_APPEND, name);
        return new Writer(name, lookup(name), generation);
    }

    @Override
    public synchronized ReadableFile openRead(String name) throws IOException {
        check(Op.OPEN_READ, name);
        return new Reader(name, lookup(name), generation);
    }

    @Override
    public synchronized boolean exists(String name) throws IOException {
        check(Op.LIST, name);
        return files.containsKey(Storage.checkName(name));
    }

    @Override
    public synchronized long size(String name) throws IOException {
        check(Op.LIST, name);
        return lookup(name).size;
    }

    @Override
    public synchronized List<String> list() throws IOException {
        check(Op.LIST, null);
        return new ArrayList<>(files.keySet());
    }

    @Override
    public synchronized void rename(String from, String to) throws IOException {
        Storage.checkName(to);
        mutate(Op.RENAME, from);
        Inode inode = lookup(from);
        files.remove(from);
        files.put(to, inode);
        pendingDirOps.add(new DirOp(from, to, inode));
    }

    @Override
    public synchronized void delete(String name) throws IOException {
        mutate(Op.DELETE, name);
        lookup(name);
        files.remove(name);
        pendingDirOps.add(new DirOp(null, name, null));
    }

    @Override
    public synchronized void truncate(String name, long size) throws IOException {
        mutate(Op.TRUNCATE, name);
        Inode inode = lookup(name);
        if (size < 0 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bad size for truncate of " + name + ": " + size);
        }
        inode.truncate((int) size);
    }

    @Override
    public synchronized void syncDirectory() throws IOException {
        mutate(Op.SYNC_DIRECTORY, null);
        durableFiles = new TreeMap<>(files);
        pendingDirOps.clear();
    }

    @Override
    public String describe(String name) {
        return "mem:" + name;
    }

    @Override
    public void close() {}

    // ---------------------------------------------------------------- internals

    private Inode lookup(String name) throws NoSuchFileException {
        Inode inode = files.get(Storage.checkName(name));
        if (inode == null) {
            throw new NoSuchFileException(describe(name));
        }
        return inode;
    }

    /** Fails the call if an armed crash has happened and {@link #powerLoss()} has not been called. */
    private void checkUp(Object call, String name) throws PowerLossException {
        if (crashed) {
            throw new PowerLossException("simulated power loss: storage is down (" + call + " " + name + ")");
        }
    }

    /** Fails the call if the storage is down or a fault matches; does not count it. */
    private void check(Op op, String name) throws IOException {
        checkUp(op, name);
        for (Iterator<Fault> it = faults.iterator(); it.hasNext(); ) {
            if (it.next().matches(op, name)) {
                it.remove();
                throw new IOException("injected fault: " + op + (name == null ? "" : " on " + name));
            }
        }
    }

    /** Like {@link #check}, and counts a mutation, crashing first if this is the armed one. */
    private void mutate(Op op, String name) throws IOException {
        check(op, name);
        mutations++;
        if (crashAtMutation >= 0 && mutations >= crashAtMutation) {
            crashed = true;
            throw new PowerLossException("simulated power loss before " + op + (name == null ? "" : " on " + name)
                    + " (mutation #" + mutations + ")");
        }
    }

    private void checkHandle(long handleGeneration, String name) throws IOException {
        if (handleGeneration != generation) {
            throw new IOException("stale handle on " + name + ": it was opened before a simulated power loss");
        }
    }

    private final class Writer implements WritableFile {
        private final String name;
        private final Inode inode;
        private final long gen;
        private boolean closed;

        Writer(String name, Inode inode, long gen) {
            this.name = name;
            this.inode = inode;
            this.gen = gen;
        }

        private void open() throws IOException {
            if (closed) {
                throw new IOException(name + " is closed");
            }
            checkHandle(gen, name);
        }

        @Override
        public void append(ByteBuffer src) throws IOException {
            synchronized (FaultInjectingStorage.this) {
                open();
                mutate(Op.APPEND, name);
                int n = src.remaining();
                inode.append(src);
                TALLY.wrote(n);
            }
        }

        @Override
        public void writeAt(long position, ByteBuffer src) throws IOException {
            synchronized (FaultInjectingStorage.this) {
                open();
                WritableFile.checkWritePosition(describe(name), position, inode.size);
                mutate(Op.WRITE_AT, name);
                int n = src.remaining();
                inode.writeAt((int) position, src);
                TALLY.wrote(n);
            }
        }

        @Override
        public long size() throws IOException {
            synchronized (FaultInjectingStorage.this) {
                open();
                checkUp("size", name);
                return inode.size;
            }
        }

        @Override
        public void force() throws IOException {
            synchronized (FaultInjectingStorage.this) {
                open();
                mutate(Op.FORCE, name);
                inode.force();
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final class Reader implements ReadableFile {
        private final String name;
        private final Inode inode;
        private final long gen;
        private volatile boolean closed;

        Reader(String name, Inode inode, long gen) {
            this.name = name;
            this.inode = inode;
            this.gen = gen;
        }

        @Override
        public int read(long position, ByteBuffer dst) throws IOException {
            synchronized (FaultInjectingStorage.this) {
                if (closed) {
                    throw new IOException(name + " is closed");
                }
                checkHandle(gen, name);
                check(Op.READ, name);
                if (position < 0) {
                    throw new IllegalArgumentException("negative position " + position + " in " + name);
                }
                int n = position >= inode.size
                        ? (dst.hasRemaining() ? -1 : 0)
                        : (int) Math.min(dst.remaining(), inode.size - position);
                if (n > 0) {
                    dst.put(inode.data, (int) position, n);
                }
                TALLY.read(n);
                return n;
            }
        }

        @Override
        public long size() throws IOException {
            synchronized (FaultInjectingStorage.this) {
                checkHandle(gen, name);
                checkUp("size", name);
                return inode.size;
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
