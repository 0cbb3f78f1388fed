package dev.storagelab.hybrid.given;

import static dev.storagelab.hybrid.Hybrids.key;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.hybrid.Placement;
import dev.storagelab.hybrid.RoutingTable;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.CorruptionException;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ROUTES file (given code, so this test lives outside the lab's student packages: it passes on
 * the release): its round trip and every way it can be damaged.
 */
class RoutingTableTest {

    private static FaultInjectingStorage written() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(1);
        RoutingTable table = new RoutingTable();
        table.route(key(3), Placement.HOT, 0);
        table.route(key(1), Placement.HOT, 0);
        table.route(key(2), Placement.HOT, 0);
        table.route(key(2), Placement.COLD, 0);
        table.write(storage);
        return storage;
    }

    @Test
    void theHotKeysSurviveARoundTrip() throws IOException {
        RoutingTable read = RoutingTable.read(written(), 0);
        assertThat(List.copyOf(read.hotKeys()), equalTo(List.of(key(1), key(3))));
        assertThat(read.placement(key(2)), equalTo(Placement.COLD));
    }

    @Test
    void noFileIsAnEmptyTableAndALeftoverTempFileIsLeftForTheNextWrite() throws IOException {
        FaultInjectingStorage storage = new FaultInjectingStorage(2);
        try (WritableFile f = storage.create(RoutingTable.TEMP_NAME)) {
            f.append(new byte[] {1, 2, 3});
        }
        RoutingTable read = RoutingTable.read(storage, 0);
        assertThat("no table yet: every key is cold", read.hotCount(), equalTo(0));
        assertThat("reading writes nothing: the leftover stays", storage.exists(RoutingTable.TEMP_NAME), equalTo(true));
        read.write(storage);
        assertThat("the next write replaces the leftover", storage.exists(RoutingTable.TEMP_NAME), equalTo(false));
        assertThat("and publishes the table", storage.exists(RoutingTable.NAME), equalTo(true));
    }

    private static CorruptionException damaged(FaultInjectingStorage storage, byte[] bytes) {
        storage.plant(RoutingTable.NAME, bytes);
        return assertThrows(CorruptionException.class, () -> RoutingTable.read(storage, 0));
    }

    @Test
    void aWrongMagicIsNamed() throws IOException {
        FaultInjectingStorage storage = written();
        byte[] bytes = storage.contents(RoutingTable.NAME);
        bytes[0] = 'X';
        assertThat(damaged(storage, bytes).getMessage(), containsString("wrong magic"));
    }

    @Test
    void aFlippedBitFailsTheChecksum() throws IOException {
        FaultInjectingStorage storage = written();
        byte[] bytes = storage.contents(RoutingTable.NAME);
        bytes[20] ^= 0x10;
        CorruptionException e = damaged(storage, bytes);
        assertThat(e.getMessage(), containsString("checksum"));
        assertThat(e.getMessage(), containsString(RoutingTable.NAME));
    }

    @Test
    void aCutFileIsNamed() throws IOException {
        FaultInjectingStorage storage = written();
        byte[] bytes = storage.contents(RoutingTable.NAME);
        damaged(storage, java.util.Arrays.copyOf(bytes, 10));
        damaged(storage, java.util.Arrays.copyOf(bytes, bytes.length - 3));
    }
}
