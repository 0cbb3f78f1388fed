package dev.storagelab.sortedlog.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.KeyValueStore;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.HashIndexLog;
import dev.storagelab.sortedlog.RecoveryMode;
import dev.storagelab.sortedlog.SegmentReader;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Bit rot: one flipped bit in a log record (lab-01 T3 and T4), a segment block, its index or its
 * footer (T7), in every byte of small files, a random bit each. Every flip must be reported as a
 * {@link CorruptionException} naming the file, at open or at get, and never returned as data.
 *
 * <p>The documented exception ({@code LogReader.next()}): under
 * {@link RecoveryMode#TOLERATE_TORN_TAIL} a bad <em>last</em> log record that ends exactly at the
 * end of the file looks like a torn write, so it may be dropped as a torn tail instead; it is
 * still never returned. Under {@link RecoveryMode#ABSOLUTE_CONSISTENCY} every flip must throw.
 */
@Tag("hidden")
class CorruptionHiddenTest {

    private static final String LOG = "flip.log";

    @BeforeAll
    static void silenceExpectedWarnings() {
        Engine.quietLogs(true);
    }

    @AfterAll
    static void restoreLogs() {
        Engine.quietLogs(false);
    }

    @Test
    @Graded(
            task = "T3",
            points = 4,
            concept = "bit flip in a log record returned as data or not reported (ABSOLUTE_CONSISTENCY)")
    void everyBitFlipInALogIsReportedUnderAbsoluteConsistency() {
        List<Entry> entries = LogHiddenTest.sampleEntries();
        SpecLog.Built log = SpecLog.log(entries);
        Random random = new Random(5);
        for (int offset = 0; offset < log.bytes().length; offset++) {
            int bit = random.nextInt(8);
            FaultInjectingStorage storage = storageWithFlip(LOG, log.bytes(), offset, bit);
            SpecLog.ReadOutcome read = SpecLog.readAll(storage, LOG, RecoveryMode.ABSOLUTE_CONSISTENCY);
            String where =
                    "bit " + bit + " of byte " + offset + " flipped in a log of " + log.bytes().length + " bytes";
            assertThat(
                    where + ": ABSOLUTE_CONSISTENCY must report it",
                    read.failure(),
                    instanceOf(CorruptionException.class));
            assertThat(where + ": the exception names the file", read.failure().getMessage(), containsString(LOG));
            assertThat(
                    where + ": records before the damage may come back, changed ones never",
                    read.entries(),
                    equalTo(entries.subList(0, read.entries().size())));
        }
    }

    @Test
    @Graded(
            task = "T3",
            points = 3,
            concept = "bit flip in a log record silently cut off as a torn tail (or returned) under "
                    + "TOLERATE_TORN_TAIL")
    void bitFlipsUnderTolerateTornTailAreCorruptionOrADroppedLastRecord() {
        List<Entry> entries = LogHiddenTest.sampleEntries();
        SpecLog.Built log = SpecLog.log(entries);
        Random random = new Random(6);
        for (int offset = 0; offset < log.bytes().length; offset++) {
            int bit = random.nextInt(8);
            FaultInjectingStorage storage = storageWithFlip(LOG, log.bytes(), offset, bit);
            SpecLog.ReadOutcome read = SpecLog.readAll(storage, LOG, RecoveryMode.TOLERATE_TORN_TAIL);
            String where = "bit " + bit + " of byte " + offset + " flipped (the last record starts at "
                    + log.lastStart() + ")";
            if (offset < log.lastStart()) {
                assertThat(
                        where + ": a bad record with valid records after it is corruption, never a torn tail",
                        read.failure(),
                        instanceOf(CorruptionException.class));
                assertThat(
                        where + ": the exception names the file", read.failure().getMessage(), containsString(LOG));
                assertThat(
                        where + ": records before the damage may come back, changed ones never",
                        read.entries(),
                        equalTo(entries.subList(0, read.entries().size())));
            } else if (read.failure() == null) {
                assertThat(
                        where + ": a damaged last record may be dropped as a torn tail, never returned",
                        read.entries(),
                        equalTo(entries.subList(0, entries.size() - 1)));
                assertThat(where + ": and the drop is reported as a torn tail", read.tornTail(), is(true));
                assertThat(
                        where + ": recovery must truncate where the damaged record starts",
                        read.validEnd(),
                        equalTo(log.lastStart()));
            } else {
                assertThat(
                        where + ": a damaged last record is reported as corruption or dropped as torn",
                        read.failure(),
                        instanceOf(CorruptionException.class));
                assertThat(
                        where + ": records before the damage may come back, changed ones never",
                        read.entries(),
                        equalTo(entries.subList(0, read.entries().size())));
            }
        }
    }

    @Test
    @Graded(
            task = "T4",
            points = 3,
            concept = "corrupt log record silently dropped on open (corruption treated as a torn tail)")
    void hashIndexLogRefusesToOpenOverACorruptRecord() throws IOException {
        List<Entry> writes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Bytes key = Bytes.of("k" + i % 5);
            writes.add(i % 4 == 3 ? Entry.tombstone(key) : Entry.put(key, Bytes.of("value " + i)));
        }
        SpecLog.Built log = SpecLog.log(writes);
        TreeMap<Bytes, Bytes> withoutLast = new TreeMap<>();
        writes.subList(0, writes.size() - 1).forEach(e -> HashIndexLogHiddenTest.apply(withoutLast, e));
        Random random = new Random(7);
        for (int offset = 0; offset < log.bytes().length; offset++) {
            int bit = random.nextInt(8);
            FaultInjectingStorage storage = storageWithFlip(HashIndexLog.LOG_NAME, log.bytes(), offset, bit);
            String where = "bit " + bit + " of byte " + offset + " of store.log flipped (the last record starts at "
                    + log.lastStart() + ")";
            try (HashIndexLog store = HashIndexLog.open(storage)) {
                assertThat(
                        where + ": only damage in the last record may be taken for a torn tail; elsewhere open must "
                                + "throw a CorruptionException rather than cut away the records after it",
                        offset >= log.lastStart(),
                        is(true));
                for (int k = 0; k < 5; k++) {
                    Bytes key = Bytes.of("k" + k);
                    assertThat(
                            where + ": with the damaged last record dropped, " + key,
                            store.get(key),
                            equalTo(Optional.ofNullable(withoutLast.get(key))));
                }
            } catch (CorruptionException e) {
                assertThat(where + ": the exception names the log", e.file(), containsString(HashIndexLog.LOG_NAME));
            }
        }
    }

    @Test
    @Graded(task = "T4", points = 1, concept = "bit rot in a log record after open returned as data by get")
    void hashIndexLogGetNeverReturnsARottenRecord() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage();
        Map<Bytes, Bytes> written = new LinkedHashMap<>();
        try (HashIndexLog store = HashIndexLog.open(storage)) {
            for (int i = 0; i < 6; i++) {
                written.put(Bytes.of("key" + i), Bytes.of("value number " + i));
                store.put(Bytes.of("key" + i), Bytes.of("value number " + i));
            }
            store.sync();
            Bytes victim = Bytes.of("key3");
            long start = SpecLog.fileHeader().length;
            for (int i = 0; i < 3; i++) {
                start += SpecLog.record(Entry.put(Bytes.of("key" + i), written.get(Bytes.of("key" + i)))).length;
            }
            long end = start + SpecLog.record(Entry.put(victim, written.get(victim))).length;
            Random random = new Random(8);
            for (long offset = start; offset < end; offset++) {
                int bit = random.nextInt(8);
                storage.flipBit(HashIndexLog.LOG_NAME, offset, bit);
                try {
                    Optional<Bytes> value = store.get(victim);
                    throw new AssertionError("bit " + bit + " of byte " + offset + " of the record of " + victim
                            + " flipped after open, yet get returned " + value + " instead of a CorruptionException");
                } catch (CorruptionException e) {
                    assertThat("the exception names the log", e.file(), containsString(HashIndexLog.LOG_NAME));
                }
                storage.flipBit(HashIndexLog.LOG_NAME, offset, bit); // heal it for the next round
            }
            assertThat(
                    "once healed, the record reads again",
                    store.get(victim),
                    equalTo(Optional.of(written.get(victim))));
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 4,
            concept = "bit flip in a segment block, index or footer returned as data or not detected")
    void everyBitFlipInASegmentIsDetected() throws IOException {
        String name = "000002-000002.seg";
        List<Entry> entries = SegmentHiddenTest.manyEntries(25, 12);
        SpecSegment.Built segment = SpecSegment.build(entries, 128);
        assertThat("the test needs several blocks", segment.blocks().size(), greaterThan(3));
        Random random = new Random(9);
        for (int offset = 0; offset < segment.bytes().length; offset++) {
            int bit = random.nextInt(8);
            FaultInjectingStorage storage = storageWithFlip(name, segment.bytes(), offset, bit);
            String where = "bit " + bit + " of byte " + offset + " flipped, in " + segment.regionOf(offset);
            boolean detected = false;
            try (SegmentReader reader = SegmentReader.open(storage, name, null)) {
                for (Entry e : entries) {
                    try {
                        assertThat(
                                where + ": get(" + e.key() + ") must return the stored entry or throw",
                                reader.get(e.key()),
                                equalTo(e));
                    } catch (CorruptionException c) {
                        assertThat(where + ": the exception names the segment", c.file(), containsString(name));
                        detected = true;
                    }
                }
            } catch (CorruptionException c) {
                assertThat(where + ": the exception names the segment", c.file(), containsString(name));
                detected = true;
            }
            assertThat(
                    where + ": every byte of a segment is covered by a checksum (the block CRC, the index CRC "
                            + "or the footer CRC and magic), so open or a get of some key must report it",
                    detected,
                    is(true));
        }
    }

    @Test
    @Graded(task = "T7", points = 2, concept = "corrupt segment in a SortedLogStore served as data instead of reported")
    void sortedLogStoreReportsACorruptSegment() throws IOException {
        FaultInjectingStorage original = new FaultInjectingStorage();
        SortedLogOptions options = SortedLogOptions.builder()
                .memtableBytes(1 << 20)
                .blockSize(256)
                .compactionTrigger(0)
                .build();
        TreeMap<Bytes, Bytes> oracle = new TreeMap<>();
        String segmentName;
        try (SortedLogStore store = SortedLogStore.open(original, options)) {
            for (int i = 0; i < 60; i++) {
                Bytes key = Bytes.of(String.format("key-%02d", i));
                oracle.put(key, Bytes.of("value " + i));
                store.put(key, Bytes.of("value " + i));
            }
            store.flush();
            segmentName = store.segmentNames().get(0);
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String f : original.list()) {
            files.put(f, original.contents(f));
        }
        byte[] segment = files.get(segmentName);
        Random random = new Random(10);
        for (int offset = 0; offset < segment.length; offset++) {
            int bit = random.nextInt(8);
            FaultInjectingStorage storage = new FaultInjectingStorage();
            files.forEach(storage::plant);
            storage.flipBit(segmentName, offset, bit);
            String where = "bit " + bit + " of byte " + offset + " of " + segmentName + " flipped";
            boolean detected = false;
            try (KeyValueStore store = SortedLogStore.open(storage, options)) {
                for (Map.Entry<Bytes, Bytes> e : oracle.entrySet()) {
                    try {
                        assertThat(
                                where + ": get(" + e.getKey() + ") must return the stored value or throw",
                                store.get(e.getKey()),
                                equalTo(Optional.of(e.getValue())));
                    } catch (CorruptionException c) {
                        assertThat(where + ": the exception names the segment", c.file(), containsString(segmentName));
                        detected = true;
                    }
                }
            } catch (CorruptionException c) {
                assertThat(where + ": the exception names the segment", c.file(), containsString(segmentName));
                detected = true;
            }
            assertThat(where + ": open or a get of some key must report it", detected, is(true));
        }
    }

    @Test
    @Graded(
            task = "T3",
            points = 2,
            concept = "corrupt write-ahead log record silently dropped when a SortedLogStore opens")
    void sortedLogStoreRefusesACorruptWriteAheadLog() throws IOException {
        String wal = "000001.log";
        List<Entry> writes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            writes.add(Entry.put(Bytes.of("k" + i), Bytes.of("value " + i)));
        }
        SpecLog.Built log = SpecLog.log(writes);
        SortedLogOptions options =
                SortedLogOptions.builder().compactionTrigger(0).build();
        Random random = new Random(11);
        for (int offset = 0; offset < log.bytes().length; offset++) {
            int bit = random.nextInt(8);
            FaultInjectingStorage storage = storageWithFlip(wal, log.bytes(), offset, bit);
            String where = "bit " + bit + " of byte " + offset + " of " + wal + " flipped (the last record starts at "
                    + log.lastStart() + ")";
            try (SortedLogStore store = SortedLogStore.open(storage, options)) {
                assertThat(
                        where + ": only damage in the last record may be taken for a torn tail; elsewhere open must "
                                + "throw a CorruptionException",
                        offset >= log.lastStart(),
                        is(true));
                for (int i = 0; i < writes.size() - 1; i++) {
                    assertThat(
                            where + ": record " + i + " survives",
                            store.get(writes.get(i).key()),
                            equalTo(Optional.of(writes.get(i).value())));
                }
                assertThat(
                        where + ": the damaged last record is dropped, never returned",
                        store.get(writes.get(writes.size() - 1).key()),
                        equalTo(Optional.empty()));
            } catch (CorruptionException e) {
                assertThat(where + ": the exception names the log", e.file(), containsString(wal));
            }
        }
    }

    /** A storage holding {@code bytes} as {@code name}, with bit {@code bit} of byte {@code offset} flipped. */
    private static FaultInjectingStorage storageWithFlip(String name, byte[] bytes, int offset, int bit) {
        byte[] copy = bytes.clone();
        copy[offset] ^= (byte) (1 << bit);
        FaultInjectingStorage storage = new FaultInjectingStorage();
        storage.plant(name, copy);
        return storage;
    }
}
