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
import java.util.stream.Stream;

/** {@link Storage} on a real directory, through {@link FileChannel}. */
public final class DiskStorage implements Storage {

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

    /** The directory this storage lives in. */
    public Path directory() {
        return dir;
    }

    private Path path(String name) {
        return dir.resolve(Storage.checkName(name));
    }

    @Override
    public WritableFile create(String name) throws IOException {
        FileChannel ch = FileChannel.open(path(name), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new DiskWritableFile(name, ch);
    }

    @Override
    public WritableFile openAppend(String name) throws IOException {
        FileChannel ch = FileChannel.open(path(name), StandardOpenOption.WRITE);
        return new DiskWritableFile(name, ch);
    }

    @Override
    public ReadableFile openRead(String name) throws IOException {
        return new DiskReadableFile(name, FileChannel.open(path(name), StandardOpenOption.READ));
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
        Files.move(path(from), path(to), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void delete(String name) throws IOException {
        Files.delete(path(name));
    }

    @Override
    public void truncate(String name, long size) throws IOException {
        Path p = path(name);
        if (!Files.exists(p)) {
            throw new NoSuchFileException(p.toString());
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(size);
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
     * Every write is positional ({@code pwrite}): an append writes at the file's current size, so
     * it goes to the end and {@link #size()} is the file's size even after {@link DiskStorage#truncate}
     * cut it under an open writer. Not opened with {@code APPEND}: on Linux, O_APPEND makes
     * {@code pwrite} ignore its offset and append, which would turn every {@link #writeAt} into an
     * append.
     */
    private static final class DiskWritableFile implements WritableFile {
        private final String name;
        private final FileChannel ch;

        DiskWritableFile(String name, FileChannel ch) {
            this.name = name;
            this.ch = ch;
        }

        @Override
        public void append(ByteBuffer src) throws IOException {
            writeFully(ch.size(), src);
        }

        @Override
        public void writeAt(long position, ByteBuffer src) throws IOException {
            writeFully(WritableFile.checkWritePosition(name, position, ch.size()), src);
        }

        /** A positional write may write fewer bytes than asked: loop until {@code src} is drained. */
        private void writeFully(long position, ByteBuffer src) throws IOException {
            long pos = position;
            while (src.hasRemaining()) {
                pos += ch.write(src, pos);
            }
        }

        @Override
        public long size() throws IOException {
            return ch.size();
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
            return ch.read(dst, position);
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
