package dev.storagelab.sortedlog;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for lab-01 T4: {@code HashIndexLog.recover()}, which rebuilds the hash index from the log
 * on open and cuts off a torn tail.
 *
 * <p>The oracle is a {@link TreeMap} holding what the store should contain. Damage is done on a
 * {@link FaultInjectingStorage}; plain reopening uses real files.
 */
class HashIndexLogRecoveryTest {

    private static final String LOG = HashIndexLog.LOG_NAME;

    @TempDir
    Path dir;

    private static Bytes b(String s) {
        return Bytes.of(s);
    }

    /** The bytes one record of {@code key -> value} takes in the log, from the format diagram. */
    private static long recordSize(String key, String value) {
        return LogFormat.RECORD_HEADER_SIZE + LogFormat.PAYLOAD_PREFIX_SIZE + b(key).length() + b(value).length();
    }

    private static void assertStoreHolds(
            HashIndexLog store, Map<Bytes, Bytes> oracle, Iterable<Bytes> keys, String when) throws IOException {
        for (Bytes key : keys) {
            assertThat(
                    when + ": get(" + key + ") must return the newest value written, or empty if the last write"
                            + " was a delete",
                    store.get(key),
                    equalTo(Optional.ofNullable(oracle.get(key))));
        }
        assertThat(
                when + ": size() counts live keys only (a tombstone removes its key from the index)",
                store.size(),
                is(oracle.size()));
    }

    @Test
    void indexIsRebuiltFromTheLogOnReopen() throws IOException {
        Storage storage = DiskStorage.open(dir);
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        TreeMap<Bytes, Boolean> everyKey = new TreeMap<>();
        Random random = new Random(11);
        int writes = 2_000;
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            for (int i = 0; i < writes; i++) {
                Bytes key = b("key-" + random.nextInt(300));
                everyKey.put(key, true);
                if (random.nextInt(6) == 0) {
                    store.delete(key);
                    oracle.remove(key);
                } else {
                    Bytes value = b("value-" + i);
                    store.put(key, value);
                    oracle.put(key, value);
                }
            }
        }
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            assertStoreHolds(store, oracle, everyKey.keySet(), "after close and reopen");
            RecoveryReport report = store.recoveryReport();
            assertThat(
                    "recoveryReport().records() counts every record replayed, deletes included",
                    report.records(),
                    is((long) writes));
            assertThat("a cleanly closed log has no torn tail to cut", report.truncatedBytes(), is(0L));
            assertThat(
                    "recoveryReport().validBytes() is the whole log after a clean close",
                    report.validBytes(),
                    is(storage.size(LOG)));
        }
    }

    @Test
    void deletesSurviveReopen() throws IOException {
        Storage storage = DiskStorage.open(dir);
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            store.put(b("a"), b("1"));
            store.put(b("b"), b("2"));
            store.put(b("c"), b("3"));
            store.delete(b("b"));
            store.delete(b("never-written"));
        }
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            assertThat(
                    "b was deleted before the close; replaying its tombstone must remove it from the index",
                    store.get(b("b")),
                    is(Optional.empty()));
            assertThat("a was never deleted", store.get(b("a")), is(Optional.of(b("1"))));
            assertThat("c was never deleted", store.get(b("c")), is(Optional.of(b("3"))));
            assertThat("a tombstone for a key that never existed adds nothing to the index", store.size(), is(2));
            store.put(b("b"), b("back"));
        }
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            assertThat(
                    "a put after a delete wins on the next reopen: records replay in log order",
                    store.get(b("b")),
                    is(Optional.of(b("back"))));
        }
    }

    @Test
    void tornTailIsCutAndEverythingBeforeItKept() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(12);
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            for (int i = 0; i < 10; i++) {
                store.put(b("key-" + i), b("value-" + i));
                oracle.put(b("key-" + i), b("value-" + i));
            }
        }
        long fullSize = storage.size(LOG);
        long lastRecord = recordSize("key-9", "value-9");
        int bytesLeftOfLastRecord = 7;
        storage.truncate(LOG, fullSize - lastRecord + bytesLeftOfLastRecord);
        oracle.remove(b("key-9"));

        try (HashIndexLog store = HashIndexLog.open(storage)) {
            assertStoreHolds(store, oracle, oracle.keySet(), "after a crash tore the last record");
            assertThat(
                    "key-9's record was torn, so key-9 was never durably written",
                    store.get(b("key-9")),
                    is(Optional.empty()));
            RecoveryReport report = store.recoveryReport();
            assertThat("recoveryReport().records(): the 9 whole records were replayed", report.records(), is(9L));
            assertThat(
                    "recoveryReport().validBytes(): the log up to the start of the torn record",
                    report.validBytes(),
                    is(fullSize - lastRecord));
            assertThat(
                    "recoveryReport().truncatedBytes(): the " + bytesLeftOfLastRecord + " bytes of the torn record",
                    report.truncatedBytes(),
                    is((long) bytesLeftOfLastRecord));
            assertThat(
                    "the torn bytes must be cut from the file itself, or new records would follow garbage",
                    storage.size(LOG),
                    is(fullSize - lastRecord));
            for (int i = 0; i < 5; i++) {
                store.put(b("new-" + i), b("after-crash-" + i));
                oracle.put(b("new-" + i), b("after-crash-" + i));
            }
        }
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            assertStoreHolds(store, oracle, oracle.keySet(), "after appending past a cut tail and reopening again");
            assertThat(
                    "the second reopen finds nothing torn: the new records were appended where the cut was",
                    store.recoveryReport().truncatedBytes(),
                    is(0L));
            assertThat(
                    "9 old records and 5 new ones are replayed",
                    store.recoveryReport().records(),
                    is(14L));
        }
    }

    @Test
    void zeroFilledTailIsCut() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(13);
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            store.put(b("k"), b("v"));
        }
        byte[] log = storage.contents(LOG);
        storage.plant(LOG, Arrays.copyOf(log, log.length + 1000)); // space allocated, never written
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            assertThat("the record before the zeros is intact", store.get(b("k")), is(Optional.of(b("v"))));
            assertThat(
                    "all 1000 zero bytes are a torn tail and are cut",
                    store.recoveryReport().truncatedBytes(),
                    is(1000L));
            assertThat(
                    "the zeros must be cut from the file itself, or new records would follow them",
                    storage.size(LOG),
                    is((long) log.length));
            store.put(b("k2"), b("v2"));
        }
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            assertThat(
                    "a record appended after the cut is read back after another reopen",
                    store.get(b("k2")),
                    is(Optional.of(b("v2"))));
        }
    }

    @Test
    void syncedWritesSurvivePowerLossAndUnsyncedOnesSurviveAsAPrefix() throws IOException {
        long tornTails = 0;
        for (long seed = 0; seed < 30; seed++) {
            FaultInjectingStorage storage = new FaultInjectingStorage(seed).crashMode(CrashMode.RANDOM);
            HashIndexLog crashed = HashIndexLog.open(storage);
            for (int i = 0; i < 20; i++) {
                crashed.put(b("synced-" + i), b("value-" + i));
            }
            crashed.sync();
            for (int i = 0; i < 40; i++) {
                crashed.put(b("unsynced-" + i), b("value-" + i));
            }
            storage.powerLoss(); // the process dies: the store is never closed

            try (HashIndexLog store = HashIndexLog.open(storage)) {
                tornTails += store.recoveryReport().truncatedBytes() > 0 ? 1 : 0;
                for (int i = 0; i < 20; i++) {
                    assertThat(
                            "seed " + seed + ": synced-" + i + " was written before sync() returned, so it is"
                                    + " durable",
                            store.get(b("synced-" + i)),
                            is(Optional.of(b("value-" + i))));
                }
                boolean lost = false;
                for (int i = 0; i < 40; i++) {
                    Optional<Bytes> v = store.get(b("unsynced-" + i));
                    if (v.isPresent()) {
                        assertThat(
                                "seed " + seed + ": unsynced-" + i + " survived although an earlier write was lost;"
                                        + " a log keeps a prefix of its writes, never a later one without an earlier one",
                                lost,
                                is(false));
                        assertThat(
                                "seed " + seed + ": a surviving record must hold its own value",
                                v.get(),
                                equalTo(b("value-" + i)));
                    } else {
                        lost = true;
                    }
                }
                store.put(b("after"), b("crash"));
            }
            String where = "seed " + seed + ": records appended after recovery must start where the valid log ends"
                    + " (truncate to validEnd), or the next open finds them behind garbage";
            try (HashIndexLog store = assertDoesNotThrow(() -> HashIndexLog.open(storage), where)) {
                assertThat(
                        "seed " + seed + ": a write after recovery is read back after another reopen",
                        store.get(b("after")),
                        is(Optional.of(b("crash"))));
            }
        }
        assertThat(
                "over 30 random power losses some should tear a record mid-way; if none did, this test"
                        + " proved nothing about torn tails",
                tornTails,
                greaterThan(0L));
    }

    @Test
    void corruptionInTheMiddleIsReportedNotCutAway() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(14);
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            for (int i = 0; i < 5; i++) {
                store.put(b("key-" + i), b("value-" + i));
            }
        }
        long secondRecord = LogFormat.FILE_HEADER_SIZE + recordSize("key-0", "value-0");
        storage.flipBit(LOG, secondRecord + LogFormat.RECORD_HEADER_SIZE + 2, 4);
        byte[] before = storage.contents(LOG);

        CorruptionException e = assertThrows(
                CorruptionException.class,
                () -> HashIndexLog.open(storage),
                "a record in the middle of the log fails its checksum: recovery must not repair corruption by"
                        + " truncating, it must report it");
        assertThat("the exception names the bad record's offset", e.offset(), is(secondRecord));
        assertThat("the exception names the log file", e.getMessage(), containsString(LOG));
        assertThat(
                "a failed open must leave the file as it found it (cutting here would destroy 3 good records)",
                storage.contents(LOG),
                equalTo(before));
    }

    @Test
    void logWhoseCreationWasTornIsRecreated() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(15);
        storage.plant(LOG, new byte[] {'S', 'L', 'O'}); // a crash cut the 8-byte file header
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            assertThat("a log without a whole file header holds nothing", store.size(), is(0));
            store.put(b("k"), b("v"));
        }
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            assertThat(
                    "after recreating the log, writes to it are read back on the next open",
                    store.get(b("k")),
                    is(Optional.of(b("v"))));
        }
    }

    @Test
    void newLogSurvivesPowerLossWithItsSyncedWrites() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(16).crashMode(CrashMode.LOSE_UNSYNCED);
        HashIndexLog.Options syncWrites = new HashIndexLog.Options(true, RecoveryMode.TOLERATE_TORN_TAIL);
        HashIndexLog crashed = HashIndexLog.open(storage, syncWrites);
        crashed.put(b("k"), b("v"));
        storage.powerLoss();
        assertThat(
                "the new log file must survive a power loss: sync the directory after creating it",
                storage.exists(LOG),
                is(true));
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            assertThat(
                    "with syncWrites the put was forced before it returned, and the file it went into was made"
                            + " durable by a directory sync",
                    store.get(b("k")),
                    is(Optional.of(b("v"))));
        }
    }
}
