package dev.storagelab.io;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link StorageContract} on a real directory, every file read through a memory mapping
 * ({@link DiskStorage#openReadMapped}): a mapped reader keeps every promise a positional reader
 * makes, files that grow, shrink before it opens, are replaced or deleted included.
 */
class MappedReadsContractTest extends StorageContract {

    @TempDir
    Path dir;

    @Override
    Storage newStorage() throws IOException {
        DiskStorage disk = DiskStorage.open(dir);
        return new ForwardingStorage(disk) {
            @Override
            public ReadableFile openRead(String name) throws IOException {
                return disk.openReadMapped(name);
            }
        };
    }

    @Override
    boolean keepsUnlinkedFilesReadable() {
        return !System.getProperty("os.name", "").startsWith("Windows");
    }
}
