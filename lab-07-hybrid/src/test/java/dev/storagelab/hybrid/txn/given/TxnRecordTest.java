package dev.storagelab.hybrid.txn.given;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.hybrid.txn.TxnRecord;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.Entry;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** T9's record format (given code): round trips, and every malformed record named. */
class TxnRecordTest {

    private static final List<Entry> WRITES =
            List.of(Entry.put(Bytes.of("h1"), Bytes.of("v")), Entry.tombstone(Bytes.of("c2")));

    @Test
    void everyRecordTypeRoundTrips() throws CorruptionException {
        for (TxnRecord r : List.of(
                TxnRecord.write(1, WRITES),
                TxnRecord.prepare(2, WRITES),
                TxnRecord.commit(3),
                TxnRecord.abort(4),
                TxnRecord.decision(5, List.of("hot", "cold")),
                TxnRecord.end(Long.MAX_VALUE))) {
            assertThat(r.toString(), TxnRecord.decode(r.encode(), "log", 9), equalTo(r));
        }
    }

    @Test
    void theHeaderIsMagicVersionTypeAndId() {
        byte[] b = TxnRecord.commit(0x0102030405060708L).encode();
        assertThat(Arrays.toString(b), b, equalTo(new byte[] {0x54, 0x43, 1, 3, 1, 2, 3, 4, 5, 6, 7, 8}));
        byte[] d = TxnRecord.decision(1, List.of("hot")).encode();
        assertThat(
                "DECISION body: count, then length and name",
                Arrays.copyOfRange(d, 12, d.length),
                equalTo(new byte[] {1, 3, 'h', 'o', 't'}));
    }

    @Test
    void malformedRecordsAreCorruptionNamingTheLogAndLsn() {
        byte[] good = TxnRecord.commit(7).encode();
        byte[][] bad = {
            Arrays.copyOf(good, 11), // short
            with(good, 0, 0x55), // magic
            with(good, 2, 2), // version
            with(good, 3, 9), // type
            TxnRecord.commit(1).encode().clone(), // id 0 below
            Arrays.copyOf(good, 13), // a body on COMMIT
            Arrays.copyOf(TxnRecord.decision(1, List.of("hot")).encode(), 15), // a cut name
            Arrays.copyOf(TxnRecord.prepare(1, WRITES).encode(), 12), // a PREPARE without writes
        };
        bad[4][11] = 0;
        for (int i = 0; i < bad.length; i++) {
            byte[] record = bad[i];
            CorruptionException e = assertThrows(
                    CorruptionException.class, () -> TxnRecord.decode(record, "the-log", 42), "malformed record " + i);
            assertThat(e.getMessage(), containsString("the-log"));
            assertThat(e.getMessage(), containsString("LSN 42"));
        }
    }

    @Test
    void recordsCheckTheirArguments() {
        assertThrows(IllegalArgumentException.class, () -> TxnRecord.commit(0));
        assertThrows(IllegalArgumentException.class, () -> TxnRecord.prepare(1, List.of()));
        assertThrows(IllegalArgumentException.class, () -> TxnRecord.decision(1, List.of()));
        assertThrows(IllegalArgumentException.class, () -> TxnRecord.decision(1, List.of("x".repeat(65))));
    }

    private static byte[] with(byte[] b, int at, int value) {
        byte[] c = b.clone();
        c[at] = (byte) value;
        return c;
    }
}
