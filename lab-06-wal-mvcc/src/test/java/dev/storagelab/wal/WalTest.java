package dev.storagelab.wal;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.Op;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.lsm.RecordLogFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tests for lab-06 T1, the log: records get LSNs 1, 2, 3, ... and come back from {@link Wal#replay}
 * in order, across segment files named by their first LSN; on open a torn tail of the last segment
 * is cut and damage anywhere else is a {@link CorruptionException}; {@link Wal#truncateBefore}
 * deletes covered segments; after a failed force the log refuses to write.
 */
class WalTest {

    private final FaultInjectingStorage storage = new FaultInjectingStorage();

    private static byte[] payload(long i) {
        return ("record " + i).getBytes(StandardCharsets.UTF_8);
    }

    private static WalOptions small() {
        return WalOptions.defaults().withSegmentBytes(200);
    }

    /** A T1 "commit": append, then force (T2's {@code Wal.commit} does this with group commit). */
    static long appendAndForce(Wal wal, byte[] payload) throws IOException {
        long lsn = wal.append(payload);
        wal.force();
        return lsn;
    }

    private static List<String> replayed(Wal wal, long after) throws IOException {
        List<String> out = new ArrayList<>();
        wal.replay(after, (lsn, p) -> out.add(lsn + "=" + new String(p, StandardCharsets.UTF_8)));
        return out;
    }

    private static List<String> expected(long from, long to) {
        List<String> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(i + "=record " + i);
        }
        return out;
    }

    @Test
    void recordEncodingCarriesTheLsnAndDecodingChecksIt() throws IOException {
        byte[] r = WalRecord.encode(0x0102030405060708L, new byte[] {42});
        assertThat("lsn u64 big-endian, type DATA, payload", r, equalTo(new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, WalRecord.TYPE_DATA, 42
        }));
        assertThat(WalRecord.decode(r, 0x0102030405060708L, "f", 0), equalTo(new byte[] {42}));
        CorruptionException gap = assertThrows(
                CorruptionException.class,
                () -> WalRecord.decode(r, 7, "seg", 123),
                "a record whose LSN is not the expected one");
        assertThat(gap.getMessage(), allOf(containsString("seg"), containsString("123")));
        assertThrows(CorruptionException.class, () -> WalRecord.decode(new byte[5], 1, "seg", 0), "a record too short");
    }

    @Test
    void appendsGetConsecutiveLsnsAndReplayInOrderAfterReopen() throws IOException {
        try (Wal wal = Wal.open(storage, WalOptions.defaults())) {
            assertThat("a new log", wal.lastLsn(), equalTo(0L));
            for (long i = 1; i <= 10; i++) {
                assertThat("the LSN of append " + i, wal.append(payload(i)), equalTo(i));
            }
            assertThat(wal.lastLsn(), equalTo(10L));
            wal.force();
            assertThat(wal.durableLsn(), equalTo(10L));
            assertThat("replay from 4", replayed(wal, 4), equalTo(expected(5, 10)));
        }
        try (Wal wal = Wal.open(storage, WalOptions.defaults())) {
            assertThat(wal.lastLsn(), equalTo(10L));
            assertThat("replay after reopening", replayed(wal, 0), equalTo(expected(1, 10)));
            assertThat("LSNs continue after reopening", wal.append(payload(11)), equalTo(11L));
        }
    }

    @Test
    void segmentsRollOverAndAreNamedByTheirFirstLsn() throws IOException {
        try (Wal wal = Wal.open(storage, small())) {
            for (long i = 1; i <= 40; i++) {
                appendAndForce(wal, payload(i));
            }
            List<String> names = wal.segmentNames();
            assertThat("segments of 200 bytes hold a few records each", names.size(), greaterThan(3));
            assertThat("the first segment", names.get(0), equalTo("00000000000000000001.wal"));
            assertThat(
                    "names sort in LSN order",
                    names,
                    equalTo(names.stream().sorted().toList()));
        }
        try (Wal wal = Wal.open(storage, small())) {
            assertThat(replayed(wal, 0), equalTo(expected(1, 40)));
            assertThat(replayed(wal, 33), equalTo(expected(34, 40)));
        }
    }

    @Test
    void aTornTailOfTheLastSegmentIsCut() throws IOException {
        try (Wal wal = Wal.open(storage, small())) {
            for (long i = 1; i <= 20; i++) {
                appendAndForce(wal, payload(i));
            }
        }
        List<String> names = storage.list();
        String last = names.get(names.size() - 1);
        byte[] content = storage.contents(last);
        storage.plant(last, Arrays.copyOf(content, content.length - 3)); // the last record loses its end
        try (Wal wal = Wal.open(storage, small())) {
            assertThat("the torn record is gone", wal.lastLsn(), equalTo(19L));
            assertThat(replayed(wal, 0), equalTo(expected(1, 19)));
            assertThat("its LSN is given again", appendAndForce(wal, payload(20)), equalTo(20L));
        }
        try (Wal wal = Wal.open(storage, small())) {
            assertThat(replayed(wal, 0), equalTo(expected(1, 20)));
        }
    }

    @Test
    void damageBeforeTheTailIsCorruptionNamingFileAndOffset() throws IOException {
        try (Wal wal = Wal.open(storage, small())) {
            for (long i = 1; i <= 20; i++) {
                appendAndForce(wal, payload(i));
            }
        }
        String first = storage.list().get(0);
        long offset = RecordLogFormat.FILE_HEADER_SIZE + RecordLogFormat.FRAGMENT_HEADER_SIZE + 3;
        storage.flipBit(first, offset, 2);
        CorruptionException e = assertThrows(
                CorruptionException.class,
                () -> Wal.open(storage, small()),
                "a flipped bit in the first record of the first segment");
        assertThat("names the segment", e.file(), containsString(first));
        assertThat("names the record's offset", e.offset(), equalTo((long) RecordLogFormat.FILE_HEADER_SIZE));
    }

    @Test
    void aMissingMiddleSegmentIsCorruption() throws IOException {
        List<String> names;
        try (Wal wal = Wal.open(storage, small())) {
            for (long i = 1; i <= 40; i++) {
                appendAndForce(wal, payload(i));
            }
            names = wal.segmentNames();
        }
        storage.delete(names.get(1));
        CorruptionException e = assertThrows(
                CorruptionException.class, () -> Wal.open(storage, small()), "segment " + names.get(1) + " deleted");
        assertThat("names the segment after the gap", e.file(), containsString(names.get(2)));
        assertThat(e.getMessage(), containsString("missing"));
    }

    @Test
    void truncateBeforeDeletesCoveredSegmentsButNeverTheActiveOne() throws IOException {
        try (Wal wal = Wal.open(storage, small())) {
            for (long i = 1; i <= 40; i++) {
                appendAndForce(wal, payload(i));
            }
            List<String> before = wal.segmentNames();
            long secondStart = Long.parseLong(before.get(1).substring(0, 20));
            wal.truncateBefore(secondStart);
            assertThat(
                    "only the first segment is covered", wal.segmentNames(), equalTo(before.subList(1, before.size())));
            wal.truncateBefore(Long.MAX_VALUE);
            assertThat("the active segment stays", wal.segmentNames(), equalTo(List.of(before.get(before.size() - 1))));
            assertThat(storage.list(), equalTo(wal.segmentNames()));
            assertThat("appends go on", appendAndForce(wal, payload(41)), equalTo(41L));
        }
        try (Wal wal = Wal.open(storage, small())) {
            assertThat(wal.lastLsn(), equalTo(41L));
            long start = Long.parseLong(wal.segmentNames().get(0).substring(0, 20));
            assertThat(replayed(wal, start - 1), equalTo(expected(start, 41)));
        }
    }

    @Test
    void afterAFailedForceTheLogRefusesEveryWrite() throws IOException {
        try (Wal wal = Wal.open(storage, WalOptions.defaults())) {
            appendAndForce(wal, payload(1));
            wal.append(payload(2));
            storage.failNext(Op.FORCE);
            assertThrows(IOException.class, wal::force, "the force that fails");
            IOException later = assertThrows(
                    IOException.class,
                    () -> wal.append(payload(3)),
                    "an append after a failed force (fsyncgate: never retry a failed fsync)");
            assertThat("names the first failure", later.getMessage(), containsString("force"));
            assertThrows(IOException.class, wal::force, "a force after a failed force");
        }
    }
}
