package dev.storagelab.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DeviceWork}: what every storage of the JVM read and wrote, whichever storage the work went
 * through. Other work of the JVM (a test's background threads) can only add to the totals, so each
 * figure is checked as at least the work done here.
 */
class DeviceWorkTest {

    @TempDir
    Path dir;

    @Test
    void aDiskStorageOpenedBesideTheCountedOneCountsWhatItReadsAndWrites() throws IOException {
        CountingStorage counted = new CountingStorage(DiskStorage.open(dir));
        byte[] bytes = new byte[10_000];
        try (WritableFile f = counted.create("data")) {
            f.append(ByteBuffer.wrap(bytes));
        }
        long countedBefore = counted.bytesRead();
        DeviceWork start = DeviceWork.now();

        DiskStorage own = DiskStorage.open(dir); // the same directory, not through the counted storage
        try (ReadableFile r = own.openRead("data")) {
            r.readFully(0, bytes.length);
        }
        try (WritableFile w = own.openAppend("data")) {
            w.writeAt(0, ByteBuffer.wrap(new byte[700]));
            w.append(ByteBuffer.wrap(new byte[300]));
        }
        DeviceWork work = DeviceWork.now().since(start);

        assertThat("the counted storage saw none of it", counted.bytesRead(), is(countedBefore));
        assertThat(
                "the JVM's bytes read count the other storage's read", work.bytesRead(), greaterThanOrEqualTo(10_000L));
        assertThat("and its read calls", work.reads(), greaterThanOrEqualTo(1L));
        assertThat(
                "the JVM's bytes written count its in-place write and its append",
                work.bytesWritten(),
                greaterThanOrEqualTo(1_000L));
    }

    @Test
    void onDiskTheJvmCountsAtLeastWhatACountingStorageCounts() throws IOException {
        countsAtLeastWhatACountingStorageCounts(DiskStorage.open(dir));
    }

    @Test
    void inMemoryTheJvmCountsAtLeastWhatACountingStorageCounts() throws IOException {
        countsAtLeastWhatACountingStorageCounts(new FaultInjectingStorage(3));
    }

    private static void countsAtLeastWhatACountingStorageCounts(Storage storage) throws IOException {
        DeviceWork start = DeviceWork.now();
        CountingStorage counted = new CountingStorage(storage);
        try (WritableFile f = counted.create("f")) {
            f.append(ByteBuffer.wrap(new byte[5000]));
            f.writeAt(100, ByteBuffer.wrap(new byte[50]));
        }
        try (ReadableFile r = counted.openRead("f")) {
            r.read(0, ByteBuffer.allocate(4096));
            r.read(4096, ByteBuffer.allocate(4096)); // 904 bytes left
            r.read(5000, ByteBuffer.allocate(10)); // the end of the file: a read call, no byte
        }
        DeviceWork work = DeviceWork.now().since(start);

        assertThat(counted.reads(), is(3L));
        assertThat(work.reads(), greaterThanOrEqualTo(counted.reads()));
        assertThat(counted.bytesRead(), is(5000L));
        assertThat(work.bytesRead(), greaterThanOrEqualTo(counted.bytesRead()));
        assertThat(counted.bytesWritten(), is(5050L));
        assertThat(work.bytesWritten(), greaterThanOrEqualTo(counted.bytesWritten()));
    }

    @Test
    void plantingAFileInMemoryCountsItsBytesAsWritten() {
        DeviceWork start = DeviceWork.now();
        new FaultInjectingStorage(5).plant("planted", new byte[2048]);
        assertThat(DeviceWork.now().since(start).bytesWritten(), greaterThanOrEqualTo(2048L));
    }
}
