package dev.storagelab.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** {@link Storage} on a real directory, through {@link FileChannel}. */
public final class DiskStorage implements Storage {

    /**
     * The writers open on each file, by absolute path, for every {@code DiskStorage} of this JVM: a
     * writer keeps its file's size rather than asking the channel before every append (an
     * {@code fstat} cost more than the {@code pwrite} it preceded: 1.6 µs of 2.6 µs for a 130-byte
     * append), so {@link #truncate}, {@link #rename} and {@link #delete} tell it what they did.
     */
    private static final ConcurrentHashMap<Path, Set<DiskWritableFile>> OPEN_WRITERS = new ConcurrentHashMap<>();

    /**
     * What every {@code DiskStorage} of this JVM read and wrote ({@link DeviceWork}): private, so that
     * only this class's files add to it, by the bytes they really moved.
     */
    private static final DeviceWork.Tally TALLY = new DeviceWork.Tally();

    private final Path dir;

    private DiskStorage(Path dir) {
        this.dir = dir;
    }

    /** Opens {@code dir}, creating it (and its parents) if it does not exist. */
    public static DiskStorage open(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new DiskStorage(dir.toAbsolutePath());
    }

    /**
     * The storage of the subdirectory {@code name} of this one (created if missing): what a store
     * that keeps two directories (lab-07's archive tier) opens, without touching paths itself.
     */
    public DiskStorage subdirectory(String name) throws IOException {
        return open(dir.resolve(Storage.checkName(name)));
    }

    /** What every {@code DiskStorage} of this JVM has read and written so far. */
    static DeviceWork deviceWork() {
        return TALLY.totals();
    }

    /** The directory this storage lives in. */
    public Path directory() {
        return dir;
    }

    private Path path(String name) {
        return dir.resolve(Storage.checkName(name));
    }

    @Override
    public WritableFile create(String name) throws IOException {
        Path p = path(name);
        return DiskWritableFile.open(
                name, p, FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    }

    @Override
    public WritableFile openAppend(String name) throws IOException {
        Path p = path(name);
        return DiskWritableFile.open(name, p, FileChannel.open(p, StandardOpenOption.WRITE));
    }

    @Override
    public ReadableFile openRead(String name) throws IOException {
        return new DiskReadableFile(name, FileChannel.open(path(name), StandardOpenOption.READ));
    }

    /**
     * Opens {@code name} for reads served from a memory mapping of it ({@link MappedReadableFile}),
     * with no system call for the bytes the mapping covers.
     */
    @Override
    public ReadableFile openReadMapped(String name) throws IOException {
        FileChannel ch = FileChannel.open(path(name), StandardOpenOption.READ);
        DiskReadableFile positional = new DiskReadableFile(name, ch);
        try {
            return new MappedReadableFile(positional, ch, TALLY);
        } catch (IOException | RuntimeException e) {
            positional.close();
            throw e;
        }
    }

    @Override
    public boolean exists(String name) {
        return Files.exists(path(name));
    }

    @Override
    public long size(String name) throws IOException {
        return Files.size(path(name));
    }

    @Override
    public List<String> list() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(p -> names.add(p.getFileName().toString()));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        Collections.sort(names);
        return names;
    }

    @Override
    public void rename(String from, String to) throws IOException {
        Path source = path(from);
        Path target = path(to);
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // The writers of the replaced file now write to an unlinked inode; those of the source follow it.
        OPEN_WRITERS.remove(target);
        Set<DiskWritableFile> moved = OPEN_WRITERS.remove(source);
        if (moved != null) {
            for (DiskWritableFile w : moved) {
                w.path = target;
            }
            OPEN_WRITERS
                    .computeIfAbsent(target, k -> ConcurrentHashMap.newKeySet())
                    .addAll(moved);
        }
    }

    @Override
    public void delete(String name) throws IOException {
        Path p = path(name);
        Files.delete(p);
        OPEN_WRITERS.remove(p);
    }

    @Override
    public void truncate(String name, long size) throws IOException {
        Path p = path(name);
        if (!Files.exists(p)) {
            throw new NoSuchFileException(p.toString());
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(size);
            long newSize = ch.size(); // a truncate past the end leaves the file as it is
            for (DiskWritableFile w : OPEN_WRITERS.getOrDefault(p, Set.of())) {
                w.truncated(newSize);
            }
        }
    }

    @Override
    public void syncDirectory() throws IOException {
        // On Linux a directory opened read-only can be fsync'ed; that makes its entries durable.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (System.getProperty("os.name", "").startsWith("Windows")) {
                return; // Windows cannot open a directory as a channel; NTFS journals metadata itself.
            }
            throw e;
        }
    }

    @Override
    public String describe(String name) {
        return dir.resolve(name).toString();
    }

    @Override
    public void close() {
        // Nothing to release: every file handle is closed by its owner.
    }

    @Override
    public String toString() {
        return "DiskStorage(" + dir + ")";
    }

    /**
     * Every write is positional ({@code pwrite}): an append writes at the file's end, which the
     * writer keeps ({@link #size}) from the channel's size at open, its own writes, and
     * {@link DiskStorage#truncate} of the same file under it, so an append after a cut goes to the
     * new end. Not opened with {@code APPEND}: on Linux, O_APPEND makes {@code pwrite} ignore its
     * offset and append, which would turn every {@link #writeAt} into an append.
     */
    private static final class DiskWritableFile implements WritableFile {
        private final String name;
        private final FileChannel ch;
        private final AtomicLong size;
        /** Where the file is now (a rename moves it); the key of its entry in {@link #OPEN_WRITERS}. */
        private volatile Path path;

        private DiskWritableFile(String name, Path path, FileChannel ch, long size) {
            this.name = name;
            this.path = path;
            this.ch = ch;
            this.size = new AtomicLong(size);
        }

        static DiskWritableFile open(String name, Path path, FileChannel ch) throws IOException {
            DiskWritableFile w;
            try {
                w = new DiskWritableFile(name, path, ch, ch.size());
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            OPEN_WRITERS
                    .computeIfAbsent(path, k -> ConcurrentHashMap.newKeySet())
                    .add(w);
            return w;
        }

        @Override
        public void append(ByteBuffer src) throws IOException {
            writeFully(size.get(), src);
        }

        @Override
        public void writeAt(long position, ByteBuffer src) throws IOException {
            writeFully(WritableFile.checkWritePosition(name, position, size.get()), src);
        }

        /**
         * A positional write may write fewer bytes than asked: loop until {@code src} is drained. The
         * size grows to the end of what was written, even when a later write of the loop fails.
         */
        private void writeFully(long position, ByteBuffer src) throws IOException {
            long pos = position;
            try {
                while (src.hasRemaining()) {
                    pos += ch.write(src, pos);
                }
            } finally {
                long end = pos;
                size.accumulateAndGet(end, Math::max);
                TALLY.wrote(end - position);
            }
        }

        /** {@link DiskStorage#truncate} cut the file to {@code newSize} under this writer. */
        void truncated(long newSize) {
            size.accumulateAndGet(newSize, Math::min);
        }

        @Override
        public long size() {
            return size.get();
        }

        @Override
        public void force() throws IOException {
            ch.force(false);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void close() throws IOException {
            OPEN_WRITERS.computeIfPresent(path, (k, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
            ch.close();
        }
    }

    private static final class DiskReadableFile implements ReadableFile {
        private final String name;
        private final FileChannel ch;

        DiskReadableFile(String name, FileChannel ch) {
            this.name = name;
            this.ch = ch;
        }

        @Override
        public int read(long position, ByteBuffer dst) throws IOException {
            int n = ch.read(dst, position);
            TALLY.read(n);
            return n;
        }

        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
