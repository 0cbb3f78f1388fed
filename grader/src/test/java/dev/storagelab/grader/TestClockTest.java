package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasKey;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The test's own time: the wall time less what the machine kept it waiting, read from the scheduler's counters. */
class TestClockTest {

    static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** Run-queue waits the test sets by hand, as the kernel's counters would read. */
    private final Map<Long, Long> waits = new HashMap<>();

    private final TestClock clock = new TestClock(() -> Map.copyOf(waits));

    @Test
    void aTestThatNeverWaitsForACpuCountsTheWallTime() {
        waits.put(1L, 5 * SECOND);
        clock.restart(0);
        assertThat(clock.advance(SECOND), equalTo(SECOND));
        assertThat(clock.advance(3 * SECOND), equalTo(3 * SECOND));
        assertThat(clock.starvedNanos(), equalTo(0L));
    }

    @Test
    void theTimeOneThreadStoodReadyWhileOthersRanIsNotCounted() {
        waits.put(1L, 0L);
        waits.put(2L, 0L);
        clock.restart(0);
        waits.put(1L, 700_000_000L); // the test's thread waited 0.7 s of the second
        waits.put(2L, 100_000_000L);
        assertThat(clock.advance(SECOND), equalTo(300_000_000L));
        assertThat(clock.starvedNanos(), equalTo(700_000_000L));
    }

    @Test
    void threadsThatWaitSideBySideWaitOnce() {
        for (long tid = 1; tid <= 4; tid++) {
            waits.put(tid, 0L);
        }
        clock.restart(0);
        for (long tid = 1; tid <= 4; tid++) {
            waits.put(tid, 400_000_000L); // four threads each waited the same 0.4 s
        }
        assertThat(clock.advance(SECOND), equalTo(600_000_000L));
    }

    @Test
    void onTheBusiestMachineTheClockStillRunsAtATenthOfTheWallClock() {
        waits.put(1L, 0L);
        clock.restart(0);
        waits.put(1L, 2 * SECOND); // more than the interval: counters and clocks are read at different instants
        assertThat(clock.advance(SECOND), equalTo(SECOND / TestClock.MAX_STRETCH));
    }

    @Test
    void aDeadlockedTestWaitsForNoCpuSoItsTimeIsTheWallTime() {
        waits.put(1L, SECOND);
        waits.put(2L, SECOND);
        clock.restart(0);
        // blocked on each other: neither thread is ready, so the counters do not move
        assertThat(clock.advance(120 * SECOND), equalTo(120 * SECOND));
    }

    @Test
    void threadsBornOrGoneBetweenTwoReadingsAreLeftOut() {
        waits.put(1L, 0L);
        clock.restart(0);
        waits.remove(1L);
        waits.put(9L, 900_000_000L); // started after the last reading: its wait so far may predate the test
        assertThat(clock.advance(SECOND), equalTo(SECOND));
    }

    @Test
    void unreadableCountersLeaveTheWallClock() {
        TestClock blind = new TestClock(Map::of);
        blind.restart(10);
        assertThat(blind.advance(10 + 5 * SECOND), equalTo(5 * SECOND));
    }

    @Test
    void theClockIsReadEveryFifthOfASecondNotOnEveryPoll() {
        waits.put(1L, 0L);
        clock.restart(0);
        assertThat(clock.advance(TestClock.SAMPLE_NANOS - 1), equalTo(0L));
        assertThat(clock.advance(TestClock.SAMPLE_NANOS), equalTo(TestClock.SAMPLE_NANOS));
    }

    @Test
    void theKernelsCountersAreReadForThisJvmsThreads() throws Exception {
        Map<Long, Long> mine = new HashMap<>();
        TestClock.readThreads(ProcessHandle.current().pid(), mine);
        org.junit.jupiter.api.Assumptions.assumeTrue(
                java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/task")),
                "no /proc: the clock is the wall clock there");
        assertThat("every thread of this JVM, the test's own among them", mine.size(), greaterThan(1));
        assertThat(mine, hasKey(ProcessHandle.current().pid())); // the main thread's id is the process id
        assertThat(mine.values().stream().mapToLong(Long::longValue).min().orElseThrow(), greaterThanOrEqualTo(0L));
    }
}
