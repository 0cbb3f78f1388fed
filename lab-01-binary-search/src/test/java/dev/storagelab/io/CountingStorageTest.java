package dev.storagelab.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage.Op;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link CountingStorage}: the write-amplification and read-cost figures of every engine come from
 * these counters, so each must count exactly what reached the storage below it.
 */
class CountingStorageTest {

    @Property(tries = 100)
    void countersMatchWhatAWorkloadDid(
            @ForAll @IntRange(min = 1, max = 4) int fileCount,
            @ForAll @Size(max = 20) List<@IntRange(min = 0, max = 3000) Integer> appendSizes,
            @ForAll @Size(max = 20) List<@IntRange(min = 0, max = 4000) Integer> readLengths,
            @ForAll @IntRange(min = 0, max = 5) int fileForces)
            throws IOException {
        CountingStorage s = new CountingStorage(new FaultInjectingStorage(1));
        List<WritableFile> files = new ArrayList<>();
        for (int i = 0; i < fileCount; i++) {
            files.add(s.create("f" + i));
        }
        long written = 0;
        for (int i = 0; i < appendSizes.size(); i++) {
            files.get(i % fileCount).append(new byte[appendSizes.get(i)]);
            written += appendSizes.get(i);
        }
        for (int i = 0; i < fileForces; i++) {
            files.get(i % fileCount).force();
        }
        s.syncDirectory();
        s.openAppend("f0").close(); // reopening is not creating

        long size0 = files.get(0).size();
        long read = 0;
        try (ReadableFile r = s.openRead("f0")) {
            for (int length : readLengths) {
                r.read(0, ByteBuffer.allocate(length));
                read += Math.min(length, size0); // what exists of [0, length)
            }
        }

        assertThat("files created: create calls, not openAppend", s.filesCreated(), is((long) fileCount));
        assertThat("bytes written: the sum of all appends " + appendSizes, s.bytesWritten(), is(written));
        assertThat("forces: file forces plus directory syncs", s.forces(), is(fileForces + 1L));
        assertThat("reads: every positional read call, even one that hit the end", s.reads(), is((long)
                readLengths.size()));
        assertThat("bytes read: what the reads returned (file f0 has " + size0 + " bytes)", s.bytesRead(), is(read));
    }

    @Example
    void everyWayToAppendIsCountedOnce() throws IOException {
        CountingStorage s = new CountingStorage(new FaultInjectingStorage(1));
        try (WritableFile f = s.create("a")) {
            f.append(new byte[10]);
            f.append(new byte[10], 2, 5);
            ByteBuffer buf = ByteBuffer.allocate(100);
            buf.position(40);
            f.append(buf);
        }
        assertThat("10 + 5 + the 60 remaining bytes of the buffer", s.bytesWritten(), is(75L));
    }

    @Example
    void inPlaceWritesCountLikeAppends() throws IOException {
        CountingStorage s = new CountingStorage(new FaultInjectingStorage(1));
        try (WritableFile f = s.create("pages")) {
            f.append(new byte[1000]);
            f.writeAt(100, new byte[200]);
            ByteBuffer buf = ByteBuffer.allocate(100);
            buf.position(70);
            f.writeAt(990, buf);
            assertThat("the second write ran 20 bytes past the end", f.size(), is(1020L));
        }
        assertThat(
                "every byte handed to the file counts, overwritten or not: 1000 + 200 + the 30 remaining",
                s.bytesWritten(),
                is(1230L));
    }

    @Example
    void readFullyCountsTheReadCallsItMakes() throws IOException {
        FaultInjectingStorage inner = new FaultInjectingStorage(1);
        inner.plant("a", new byte[1000]);
        CountingStorage s = new CountingStorage(inner);
        try (ReadableFile r = s.openRead("a")) {
            r.readFully(100, 500);
            assertThrows(EOFException.class, () -> r.readFully(900, 200));
        }
        assertThat("500 bytes, then the 100 that existed before the end", s.bytesRead(), is(600L));
        assertThat(
                "one read for the first, and a short read plus one at end of file for the second", s.reads(), is(3L));
    }

    @Example
    void failedCallsCountNothing() throws IOException {
        FaultInjectingStorage inner = new FaultInjectingStorage(1);
        CountingStorage s = new CountingStorage(inner);
        WritableFile f = s.create("a");
        inner.failNext(Op.APPEND);
        assertThrows(IOException.class, () -> f.append(new byte[50]));
        inner.failNext(Op.WRITE_AT);
        assertThrows(IOException.class, () -> f.writeAt(0, new byte[50]));
        assertThrows(IllegalArgumentException.class, () -> f.writeAt(1, new byte[50]), "past the end of an empty file");
        inner.failNext(Op.FORCE);
        assertThrows(IOException.class, f::force);
        inner.failNext(Op.SYNC_DIRECTORY);
        assertThrows(IOException.class, s::syncDirectory);
        assertThrows(FileAlreadyExistsException.class, () -> s.create("a"));
        inner.failNext(Op.READ);
        try (ReadableFile r = s.openRead("a")) {
            assertThrows(IOException.class, () -> r.read(0, ByteBuffer.allocate(1)));
        }
        assertThat("a failed append or in-place write wrote nothing", s.bytesWritten(), is(0L));
        assertThat("a failed force or sync forced nothing", s.forces(), is(0L));
        assertThat("a failed create created nothing: only the first create counts", s.filesCreated(), is(1L));
        assertThat("a failed read read nothing", s.bytesRead(), is(0L));
        assertThat("and is not counted as a read", s.reads(), is(0L));
    }
}
