package dev.storagelab.io;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The {@link StorageContract} through the counting decorator: counting must not change behaviour. */
class CountingStorageContractTest extends StorageContract {

    @TempDir
    Path dir;

    @Override
    Storage newStorage() throws IOException {
        return new CountingStorage(DiskStorage.open(dir));
    }

    @Override
    boolean keepsUnlinkedFilesReadable() {
        return !System.getProperty("os.name", "").startsWith("Windows");
    }
}
