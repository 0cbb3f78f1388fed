package dev.storagelab.bounds.bench;

import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.commons.io.FileUtils;

/**
 * The data every lab-02 benchmark uses, the same shape as lab-01's: 16-byte keys that sort in the
 * order of their number, and 100-byte random values from a seeded generator, so two runs store
 * the same bytes.
 */
final class BenchData {

    /** Key length in bytes: {@code "key-"} and 12 digits. */
    static final int KEY_BYTES = 16;
    /** Value length in bytes. */
    static final int VALUE_BYTES = 100;
    /** The seed of every generator, so runs repeat. */
    static final long SEED = 42;

    private BenchData() {
    }

    /** The {@code i}-th key; keys sort by {@code i} because the number is zero-padded. */
    static Bytes key(long i) {
        return Bytes.wrap(String.format("key-%012d", i).getBytes(StandardCharsets.US_ASCII));
    }

    /** A fresh random value. */
    static Bytes value(Random random) {
        byte[] v = new byte[VALUE_BYTES];
        random.nextBytes(v);
        return Bytes.wrap(v);
    }

    /** A fresh directory for one trial's files, on the disk that holds {@code java.io.tmpdir}. */
    static Path tempDir(String prefix) throws IOException {
        return Files.createTempDirectory("storagelab-bench-" + prefix + "-");
    }

    /** Removes a trial's directory and everything in it. */
    static void delete(Path dir) throws IOException {
        if (dir != null) {
            FileUtils.deleteDirectory(dir.toFile());
        }
    }
}
