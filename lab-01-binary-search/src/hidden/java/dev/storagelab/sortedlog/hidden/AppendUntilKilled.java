package dev.storagelab.sortedlog.hidden;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.sortedlog.HashIndexLog;
import dev.storagelab.sortedlog.RecoveryMode;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
import dev.storagelab.testkit.KilledChild;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The child process of {@link ChildProcessCrashHiddenTest}: opens a store with
 * {@code syncWrites=true} on a real directory and appends numbered records until it is killed,
 * printing each record's number once {@code put} has returned, that is once the record is
 * acknowledged as durable.
 *
 * <p>Usage: {@code AppendUntilKilled hash|sorted DIRECTORY}. It exits by itself when its standard
 * input closes, so it never outlives a parent that died without killing it.
 */
public final class AppendUntilKilled {

    private AppendUntilKilled() {}

    /** The key of record {@code i}. */
    static Bytes key(long i) {
        return Bytes.of(String.format("record-%08d", i));
    }

    /** The value of record {@code i}: long enough that records span disk sectors unevenly. */
    static Bytes value(long i) {
        return Bytes.of("value of record " + i + " " + "#".repeat((int) (i % 97)));
    }

    static KeyValueStore open(String engine, Path dir, RecoveryMode mode) throws IOException {
        DiskStorage storage = DiskStorage.open(dir);
        return switch (engine) {
            case "hash" -> HashIndexLog.open(storage, new HashIndexLog.Options(true, mode));
            case "sorted" ->
                SortedLogStore.open(
                        storage,
                        SortedLogOptions.builder()
                                .memtableBytes(4096)
                                .blockSize(256)
                                .syncWrites(true)
                                .compactionTrigger(3)
                                .recoveryMode(mode)
                                .build());
            default -> throw new IllegalArgumentException("engine must be hash or sorted: " + engine);
        };
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: AppendUntilKilled hash|sorted DIRECTORY");
        }
        KilledChild.exitWhenParentDies();
        try (KeyValueStore store = open(args[0], Path.of(args[1]), RecoveryMode.TOLERATE_TORN_TAIL)) {
            for (long i = 0; ; i++) {
                store.put(key(i), value(i));
                System.out.println(i);
                System.out.flush();
            }
        }
    }
}
