package dev.storagelab.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link FaultInjectingStorage#flipBit}: bit rot that checksums must catch. Exactly one bit of one
 * byte changes, readers see it, and it is on the "disk", so a power loss does not heal it.
 */
class FaultInjectingStorageBitFlipTest {

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A durable file written the way an engine writes one. */
    private static void write(FaultInjectingStorage s, String name, byte[] content) throws IOException {
        try (WritableFile f = s.create(name)) {
            f.append(content);
            f.force();
        }
        s.syncDirectory();
    }

    @Property(tries = 200)
    void exactlyThatBitChangesAndTheFlipSurvivesAPowerLoss(
            @ForAll @IntRange(min = 1, max = 2048) int size,
            @ForAll @IntRange(min = 0, max = 2047) int offsetSeed,
            @ForAll @IntRange(min = 0, max = 7) int bit,
            @ForAll CrashMode mode,
            @ForAll long seed)
            throws IOException {
        int offset = offsetSeed % size;
        byte[] content = randomBytes(size, seed);
        byte[] expected = content.clone();
        expected[offset] ^= (byte) (1 << bit);

        FaultInjectingStorage s = new FaultInjectingStorage(seed).crashMode(mode);
        write(s, "a.seg", content);
        s.flipBit("a.seg", offset, bit);
        try (ReadableFile r = s.openRead("a.seg")) {
            assertThat(
                    "offset " + offset + " bit " + bit
                            + ": a reader sees the original bytes with that one bit inverted",
                    r.readFully(0, size),
                    equalTo(expected));
        }
        assertThat("the flip is on the durable bytes too", s.durableContents("a.seg"), equalTo(expected));
        s.powerLoss();
        assertThat(
                mode + ": bit rot is on the medium; a reboot does not undo it", s.contents("a.seg"), equalTo(expected));
    }

    @Example
    void flippingTheSameBitTwiceRestoresTheByte() throws IOException {
        FaultInjectingStorage s = new FaultInjectingStorage(1);
        byte[] content = randomBytes(100, 1);
        write(s, "a.seg", content);
        s.flipBit("a.seg", 42, 7);
        s.flipBit("a.seg", 42, 7);
        assertThat("a flip is an XOR, its own inverse", s.contents("a.seg"), equalTo(content));
    }

    @Example
    void aFlipInBytesHiddenByAnUnforcedTruncateReturnsWithThem() throws IOException {
        FaultInjectingStorage s = new FaultInjectingStorage(2).crashMode(CrashMode.LOSE_UNSYNCED);
        byte[] content = randomBytes(1000, 2);
        write(s, "a.log", content);
        s.truncate("a.log", 300);
        s.flipBit("a.log", 100, 0);
        s.powerLoss();
        byte[] expected = content.clone();
        expected[100] ^= 1;
        assertThat(
                "the crash undoes the truncate, and the flipped byte comes back flipped",
                s.contents("a.log"),
                equalTo(expected));
    }

    @Example
    void aFlipInASectorOverwrittenSinceTheLastForceAlsoFlipsItsOldBytes() throws IOException {
        FaultInjectingStorage s = new FaultInjectingStorage(4).crashMode(CrashMode.LOSE_UNSYNCED);
        byte[] content = randomBytes(1024, 4);
        write(s, "pages", content);
        byte[] page = randomBytes(512, 5);
        try (WritableFile f = s.openAppend("pages")) {
            f.writeAt(512, page); // not forced: the medium still holds the old sector
        }
        s.flipBit("pages", 600, 2);
        byte[] expectedNow = content.clone();
        System.arraycopy(page, 0, expectedNow, 512, 512);
        expectedNow[600] ^= 4;
        byte[] expectedDurable = content.clone();
        expectedDurable[600] ^= 4;
        assertThat("a reader sees the new sector with the bit flipped", s.contents("pages"), equalTo(expectedNow));
        assertThat("the old sector on the medium rotted too", s.durableContents("pages"), equalTo(expectedDurable));
        s.powerLoss();
        assertThat(
                "the crash brings back the old sector, flipped bit and all",
                s.contents("pages"),
                equalTo(expectedDurable));
    }

    @Example
    void flipOutsideTheFileOrOfABadBitIsRejected() throws IOException {
        FaultInjectingStorage s = new FaultInjectingStorage(3);
        write(s, "a.seg", randomBytes(10, 3));
        IllegalArgumentException past = assertThrows(IllegalArgumentException.class, () -> s.flipBit("a.seg", 10, 0));
        assertThat("the message names the file and its size", past.getMessage(), containsString("a.seg"));
        assertThrows(IllegalArgumentException.class, () -> s.flipBit("a.seg", -1, 0), "negative offset");
        assertThrows(IllegalArgumentException.class, () -> s.flipBit("a.seg", 0, 8), "a byte has bits 0-7");
        assertThrows(IllegalArgumentException.class, () -> s.flipBit("a.seg", 0, -1), "a byte has bits 0-7");
        assertThrows(NoSuchFileException.class, () -> s.flipBit("missing", 0, 0), "no file, nothing to flip");
        assertThat("rejected flips change nothing", s.contents("a.seg"), equalTo(randomBytes(10, 3)));
    }
}
