package dev.storagelab.testkit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void aSetupThatThrowsLeavesNoDirectoryAndItsExceptionIsRethrown() throws IOException {
        String prefix = "storagelab-bench-testkit-setup-throws-";
        long before = countInTempDir(prefix);
        Path dir = BenchData.tempDir("testkit-setup-throws");
        IOException thrown = new IOException("the store this setup fills is not written yet");

        IOException failure = assertThrows(
                IOException.class,
                () -> BenchData.setUpIn(dir, () -> {
                    Files.createDirectories(dir.resolve("archive"));
                    Files.writeString(dir.resolve("archive/segment"), "data");
                    throw thrown;
                }));

        assertThat("the setup's own exception is rethrown", failure, sameInstance(thrown));
        assertThat("the directory and what the setup wrote in it are gone", Files.exists(dir), is(false));
        assertThat("no directory with the prefix is left", countInTempDir(prefix), is(before));
        assertThat("nothing is left to delete", BenchData.undeleted(), not(hasItem(dir)));
    }

    @Test
    void aSetupThatSucceedsKeepsItsDirectoryForTheTrial() throws IOException {
        Path dir = BenchData.tempDir("testkit-setup-succeeds");
        try {
            BenchData.setUpIn(dir, () -> Files.writeString(dir.resolve("segment"), "data"));

            assertThat("the trial reads what its setup wrote", Files.readString(dir.resolve("segment")), is("data"));
            assertThat("the trial's teardown deletes it", BenchData.undeleted(), hasItem(dir));
        } finally {
            BenchData.delete(dir);
        }
    }

    @Test
    void trialDirectoriesGoWhereATestSaysForItsDuration(@TempDir Path parent) throws IOException {
        String before = System.getProperty(BenchData.DIR_PROPERTY);
        Path[] made = new Path[1];

        BenchData.withTrialDirectoriesIn(parent.resolve("bench"), () -> made[0] = BenchData.tempDir("testkit"));

        assertThat(made[0].getParent(), equalTo(parent.resolve("bench")));
        assertThat(made[0].getFileName().toString(), startsWith("storagelab-bench-testkit-"));
        assertThat("the property is put back", System.getProperty(BenchData.DIR_PROPERTY), equalTo(before));
        BenchData.delete(made[0]);
    }

    private static long countInTempDir(String prefix) throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix))
                    .count();
        }
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
