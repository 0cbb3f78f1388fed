package dev.storagelab.hybrid.cost.calibration;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.hybrid.cost.HardwareProfile;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.CorruptionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hardware profile file (given code, lab-07 T1's input; its byte diagram is in the handout's
 * Formats section): round trips, the layout, and every kind of damage named with the file and what
 * failed.
 */
class HardwareProfileTest {

    private static final List<HardwareProfile> PRESETS = List.of(
            HardwareProfile.nvme(), HardwareProfile.ssd(), HardwareProfile.hdd(), HardwareProfile.objectStore());

    @TempDir
    Path dir;

    @Test
    void everyPresetSurvivesAFileRoundTrip() throws IOException {
        for (HardwareProfile p : PRESETS) {
            Path file = dir.resolve(p.name() + ".profile");
            p.write(dev.storagelab.io.DiskStorage.open(dir), file.getFileName().toString());
            assertThat(
                    HardwareProfile.read(
                            dev.storagelab.io.DiskStorage.open(dir),
                            file.getFileName().toString()),
                    equalTo(p));
            assertThat(
                    "no temp file left behind", Files.exists(dir.resolve(p.name() + ".profile.tmp")), equalTo(false));
        }
    }

    @Test
    void theLayoutIsTheHandoutsDiagram() {
        HardwareProfile p = HardwareProfile.hdd();
        byte[] b = p.encode();
        assertThat(
                "magic, version, name length, name, figure count, 14 doubles, CRC32C",
                b.length,
                equalTo(8 + 2 + 2 + 3 + 2 + 14 * 8 + 4));
        assertThat(new String(b, 0, 8, StandardCharsets.US_ASCII), equalTo("SLHWPROF"));
        ByteBuffer buf = ByteBuffer.wrap(b);
        assertThat("version 1, big-endian", buf.getShort(8), equalTo((short) 1));
        assertThat("name length", buf.getShort(10), equalTo((short) 3));
        assertThat(new String(b, 12, 3, StandardCharsets.UTF_8), equalTo("hdd"));
        assertThat("figure count", buf.getShort(15), equalTo((short) 14));
        assertThat("the first figure is the random read", buf.getDouble(17), equalTo(8_000.0));
        assertThat(
                "the last figure is the machine's price per hour",
                buf.getDouble(17 + 13 * 8),
                equalTo(p.machinePerHour()));
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        assertThat("the CRC32C covers everything before it", buf.getInt(b.length - 4), equalTo((int) crc.getValue()));
    }

    @Test
    void aWrongMagicNamesTheFile() throws IOException {
        Path file = dir.resolve("not-a-profile");
        byte[] b = HardwareProfile.nvme().encode();
        b[0] = 'X';
        Files.write(file, b);
        IOException e = assertThrows(
                CorruptionException.class,
                () -> HardwareProfile.read(dev.storagelab.io.DiskStorage.open(dir), "not-a-profile"));
        assertThat(e.getMessage(), allOf(containsString("not-a-profile"), containsString("magic")));
    }

    @Test
    void aFlippedBitAnywhereIsCaught() {
        byte[] good = HardwareProfile.ssd().encode();
        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = good.clone();
                b[i] ^= (byte) (1 << bit);
                CorruptionException e = assertThrows(
                        CorruptionException.class,
                        () -> HardwareProfile.decode(b, "p.profile"),
                        "bit " + bit + " of byte " + i + " flipped");
                assertThat(e.file(), equalTo("p.profile"));
            }
        }
    }

    @Test
    void aChecksumMismatchSaysSo() {
        byte[] b = HardwareProfile.ssd().encode();
        b[20] ^= 1; // inside the first figure
        CorruptionException e = assertThrows(CorruptionException.class, () -> HardwareProfile.decode(b, "p.profile"));
        assertThat(e.getMessage(), containsString("checksum"));
        assertThat("the offset is the checksum's", e.offset(), equalTo((long) b.length - 4));
    }

    @Test
    void aTruncatedOrLengthenedFileIsCaught() {
        byte[] good = HardwareProfile.nvme().encode();
        for (int n : new int[] {0, 7, 12, good.length - 1}) {
            byte[] b = Arrays.copyOf(good, n);
            assertThrows(CorruptionException.class, () -> HardwareProfile.decode(b, "p"), n + " bytes");
        }
        byte[] longer = Arrays.copyOf(good, good.length + 8);
        CorruptionException e = assertThrows(CorruptionException.class, () -> HardwareProfile.decode(longer, "p"));
        assertThat(e.getMessage(), containsString("name length"));
    }

    @Test
    void anUnknownVersionIsRefusedEvenWithAGoodChecksum() {
        byte[] b = HardwareProfile.nvme().encode();
        b[9] = 2;
        reseal(b);
        CorruptionException e = assertThrows(CorruptionException.class, () -> HardwareProfile.decode(b, "p"));
        assertThat(e.getMessage(), containsString("version 2"));
    }

    @Test
    void aFigureOutOfRangeIsRefusedEvenWithAGoodChecksum() {
        byte[] b = HardwareProfile.nvme().encode();
        ByteBuffer.wrap(b).putDouble(8 + 2 + 2 + 4 + 2 + 8, -1.0); // seqReadMBps
        reseal(b);
        CorruptionException e = assertThrows(CorruptionException.class, () -> HardwareProfile.decode(b, "p"));
        assertThat(e.getMessage(), allOf(containsString("out of range"), containsString("seqReadMBps")));
    }

    @Test
    void writingGoesThroughStorageAndIsAtomic() throws IOException {
        try (FaultInjectingStorage s = new FaultInjectingStorage()) {
            HardwareProfile.hdd().write(s, "hw.profile");
            HardwareProfile.nvme().write(s, "hw.profile");
            assertThat(s.list(), equalTo(List.of("hw.profile")));
            assertThat(HardwareProfile.read(s, "hw.profile"), equalTo(HardwareProfile.nvme()));
            try (WritableFile f = s.create("big.profile")) {
                f.append(ByteBuffer.allocate(4096));
            }
            CorruptionException e =
                    assertThrows(CorruptionException.class, () -> HardwareProfile.read(s, "big.profile"));
            assertThat(e.getMessage(), containsString("more than a profile can be"));
        }
    }

    @Test
    void presetsRankTheDevices() {
        assertThat(
                HardwareProfile.hdd().randomReadMicros(),
                greaterThan(HardwareProfile.ssd().randomReadMicros()));
        assertThat(
                HardwareProfile.ssd().randomReadMicros(),
                greaterThan(HardwareProfile.nvme().randomReadMicros()));
        assertThat(
                HardwareProfile.objectStore().randomWriteMicros(),
                greaterThan(HardwareProfile.hdd().randomWriteMicros()));
        assertThat(HardwareProfile.preset("hdd"), equalTo(HardwareProfile.hdd()));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> HardwareProfile.preset("floppy"));
        assertThat(e.getMessage(), containsString("floppy"));
        assertThat(
                "10^6 microseconds per second, 3600 seconds per hour: an hour of the machine",
                HardwareProfile.nvme().moneyToMicros(0.10),
                equalTo(3_600e6));
    }

    private static void reseal(byte[] b) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).putInt(b.length - 4, (int) crc.getValue());
    }
}
