package dev.storagelab.io;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The {@link StorageContract} on a real directory. */
class DiskStorageContractTest extends StorageContract {

    @TempDir
    Path dir;

    @Override
    Storage newStorage() throws IOException {
        return DiskStorage.open(dir);
    }

    @Override
    boolean keepsUnlinkedFilesReadable() {
        return !System.getProperty("os.name", "").startsWith("Windows");
    }
}
