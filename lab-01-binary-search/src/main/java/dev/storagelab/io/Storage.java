package dev.storagelab.io;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * One directory of files, seen the way a storage engine needs to see it: in the spirit of
 * LevelDB's {@code Env} and Pebble's {@code vfs.FS}. Every engine in the workspace does all of its
 * file I/O through this interface, so that tests can swap the disk for {@link FaultInjectingStorage}
 * and simulate power loss, failed system calls and flipped bits.
 *
 * <p>The durability contract is the POSIX one, made explicit:
 * <ul>
 *   <li>bytes appended to a file, or overwritten in place, are durable only after
 *       {@link WritableFile#force()} returns; an unforced overwrite may be torn at 512-byte sector
 *       granularity (see {@link WritableFile#writeAt});</li>
 *   <li>the existence of a file (after {@link #create}, {@link #rename} or {@link #delete}) is
 *       durable only after {@link #syncDirectory()} returns;</li>
 *   <li>{@link #rename} atomically replaces the target: a reader sees the old file or the new one,
 *       never a mix. It is the way to publish a file.</li>
 * </ul>
 *
 * <p>File names are plain names inside this directory: no separators, no {@code .} or {@code ..}.
 */
public interface Storage extends Closeable {

    /**
     * Creates a new, empty file open for appending. Fails if {@code name} already exists.
     *
     * @throws java.nio.file.FileAlreadyExistsException if the file exists
     */
    WritableFile create(String name) throws IOException;

    /**
     * Opens an existing file for writing: {@link WritableFile#append} continues at its current end
     * (for example a log reopened after recovery), and {@link WritableFile#writeAt} overwrites it in
     * place, which is how an existing file such as a B+tree page file is updated.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     */
    WritableFile openAppend(String name) throws IOException;

    /**
     * Opens an existing file for positional reads.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     */
    ReadableFile openRead(String name) throws IOException;

    /**
     * Opens an existing file for positional reads as {@link #openRead} does, for a reader that
     * keeps it open and reads it at random many times (a B+tree's page file): a storage may serve
     * its reads from a memory mapping of the file, a copy out of the OS page cache with no system
     * call ({@link DiskStorage} does). The file must only grow while it is open this way: a storage
     * that maps it cannot read a mapped page a truncate took away. By default, {@link #openRead}.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     */
    default ReadableFile openReadMapped(String name) throws IOException {
        return openRead(name);
    }

    /** Whether {@code name} exists in the directory now (durable or not). */
    boolean exists(String name) throws IOException;

    /** The size of {@code name} in bytes, as a reader would see it now. */
    long size(String name) throws IOException;

    /** The names of the files in this directory, sorted. */
    List<String> list() throws IOException;

    /**
     * Atomically renames {@code from} to {@code to}, replacing {@code to} if it exists. Durable
     * only after {@link #syncDirectory()}.
     */
    void rename(String from, String to) throws IOException;

    /** Deletes {@code name}. Open handles on it stay usable, as on POSIX. */
    void delete(String name) throws IOException;

    /**
     * Shortens {@code name} to {@code size} bytes (used to cut a torn log tail). Durable only after
     * the file is forced.
     */
    void truncate(String name, long size) throws IOException;

    /** Makes every create, rename and delete done so far in this directory durable. */
    void syncDirectory() throws IOException;

    /** A human-readable location for error messages, for example the directory's path. */
    String describe(String name);

    /** Checks a file name against the rules above and returns it. */
    static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("file name must be non-empty: " + name);
        }
        if (name.equals(".")
                || name.equals("..")
                || name.indexOf('/') >= 0
                || name.indexOf('\\') >= 0
                || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("file name must be a plain name inside the directory: " + name);
        }
        return name;
    }
}
