package dev.storagelab.testkit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BenchDataTest {

    @Test
    void keysAreSixteenAsciiBytesThatSortByTheirNumber() {
        long[] numbers = {0, 1, 9, 10, 99, 12345, 999_999_999_999L};
        for (int i = 0; i < numbers.length; i++) {
            byte[] key = BenchData.keyBytes(numbers[i]);
            assertThat("\"key-\" and 12 digits", key.length, is(BenchData.KEY_BYTES));
            assertThat(
                    new String(key, StandardCharsets.US_ASCII),
                    equalTo("key-" + "0".repeat(12 - Long.toString(numbers[i]).length()) + numbers[i]));
            if (i > 0) {
                assertThat(
                        "zero padding makes byte order follow number order",
                        Arrays.compareUnsigned(BenchData.keyBytes(numbers[i - 1]), key),
                        lessThan(0));
            }
        }
    }

    @Test
    void valuesAndShufflesRepeatForTheSameSeed() {
        assertThat(BenchData.valueBytes(new Random(BenchData.SEED)).length, is(BenchData.VALUE_BYTES));
        assertThat(
                "the same seed gives the same value bytes",
                BenchData.valueBytes(new Random(BenchData.SEED)),
                equalTo(BenchData.valueBytes(new Random(BenchData.SEED))));
        int[] order = BenchData.shuffled(1000, BenchData.SEED);
        assertThat("the same seed gives the same order", order, equalTo(BenchData.shuffled(1000, BenchData.SEED)));
        assertThat(
                "a shuffle is a permutation of 0..n-1",
                Arrays.stream(order).sorted().toArray(),
                equalTo(IntStream.range(0, 1000).toArray()));
        assertThat(
                "a shuffle of 1000 numbers is not the identity",
                order,
                not(equalTo(IntStream.range(0, 1000).toArray())));
    }

    @Test
    void deleteRemovesATrialDirectoryWithItsFiles() throws IOException {
        Path dir = BenchData.tempDir("testkit");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/file"), "data");

        BenchData.delete(dir);

        assertThat("the trial directory and everything in it are gone", Files.exists(dir), is(false));
    }
}
