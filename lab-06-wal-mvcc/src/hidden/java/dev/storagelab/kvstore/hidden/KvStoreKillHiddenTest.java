package dev.storagelab.kvstore.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kvstore.KvOptions;
import dev.storagelab.kvstore.KvStore;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.KilledChild;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real crash of the whole store: a child JVM ({@link CommitUntilKilled}) runs 16 committing
 * threads under group commit, with background checkpoints and garbage collection, and is killed
 * with SIGKILL; the reopened store must hold every acknowledged commit of every thread, each
 * commit whole (both of its keys), and no commit a thread never made.
 */
@Tag("hidden")
class KvStoreKillHiddenTest {

    private static final long TARGET = 250; // 250 x 16 = 4,000 acknowledged commits at least

    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(KvOptions.EngineKind.class)
    @Graded(
            task = "T7",
            points = 5,
            concept = "after a SIGKILL of a process with 16 threads committing, checkpointing and collecting "
                    + "garbage, the reopened store lost an acknowledged commit, kept half of one, or cannot be opened")
    void sixteenCommittersKilledWithSigkillLoseNoAcknowledgedCommit(KvOptions.EngineKind engine) throws Exception {
        Path dir = temp.resolve("kv-" + engine);
        long lines = KilledChild.runAndKill(
                CommitUntilKilled.class,
                List.of(dir.toString(), engine.name()),
                TARGET,
                "batches of 16 commits",
                120,
                temp.resolve("child-stderr-" + engine + ".txt"));
        long acknowledged = (lines + 1) * CommitUntilKilled.THREADS;
        try (KvStore store = KvStore.open(dir, CommitUntilKilled.options(engine))) {
            long recovered = 0;
            for (int t = 0; t < CommitUntilKilled.THREADS; t++) {
                Optional<Bytes> last = store.get(CommitUntilKilled.last(t));
                long n = last.map(b -> Long.parseLong(b.toUtf8())).orElse(-1L);
                recovered += n + 1;
                for (long i = Math.max(0, n - 50); i <= n; i++) {
                    assertThat(
                            engine + ": thread " + t + "'s commit " + i + " is whole (its last is " + n + ")",
                            store.get(CommitUntilKilled.commitKey(t, i)).isPresent(),
                            is(true));
                }
                assertThat(
                        engine + ": thread " + t + " never made commit " + (n + 1) + " visible",
                        store.get(CommitUntilKilled.commitKey(t, n + 1)).isPresent(),
                        equalTo(false));
            }
            System.out.println("lab-06 KvStoreKillHiddenTest " + engine + ": at least " + acknowledged
                    + " commits acknowledged before the kill, " + recovered + " recovered, "
                    + store.stats().replayedRecords() + " log records replayed");
            assertThat(
                    engine + ": every acknowledged commit survives the kill",
                    recovered,
                    greaterThanOrEqualTo(acknowledged));
            store.put(CommitUntilKilled.last(0), Bytes.of("after"));
        }
        try (KvStore store = KvStore.open(dir, CommitUntilKilled.options(engine))) {
            assertThat(
                    "the recovered store takes commits, closes and reopens with them",
                    store.get(CommitUntilKilled.last(0)),
                    equalTo(Optional.of(Bytes.of("after"))));
        }
    }
}
