package dev.storagelab.grader.run;

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

    /** The CPU time the test's processes and the whole machine have used, set by hand. */
    private long testCpu;

    private long machineCpu;

    private final TestClock clock =
            new TestClock(() -> new TestClock.Sample(Map.copyOf(waits), testCpu, machineCpu, 2));

    /** Other processes kept both CPUs busy for {@code nanos}: enough load to explain any wait of the test's. */
    private void othersBusyFor(long nanos) {
        machineCpu += 2 * nanos;
    }

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
        othersBusyFor(SECOND);
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
        othersBusyFor(SECOND);
        assertThat(clock.advance(SECOND), equalTo(600_000_000L));
    }

    @Test
    void onTheBusiestMachineTheClockStillRunsAtATenthOfTheWallClock() {
        waits.put(1L, 0L);
        clock.restart(0);
        waits.put(1L, 2 * SECOND); // more than the interval: counters and clocks are read at different instants
        othersBusyFor(2 * SECOND);
        assertThat(clock.advance(SECOND), equalTo(SECOND / TestClock.MAX_STRETCH));
    }

    @Test
    void aTestsOwnBusyThreadsStretchNothing() {
        // a deadlocked test thread (1) beside six spinning threads of its own on two CPUs: they wait
        // for each other, and the machine runs nothing else
        for (long tid = 1; tid <= 7; tid++) {
            waits.put(tid, 0L);
        }
        clock.restart(0);
        for (long tid = 2; tid <= 7; tid++) {
            waits.put(tid, 666_000_000L); // each ran a third of the second and waited the rest
        }
        testCpu += 2 * SECOND;
        machineCpu += 2 * SECOND; // the machine's CPU time is the test's own
        assertThat(clock.advance(SECOND), equalTo(SECOND));
        assertThat(clock.starvedNanos(), equalTo(0L));
    }

    @Test
    void aTestIsKeptNoLongerThanOtherProcessesTookOfTheCpus() {
        waits.put(1L, 0L);
        clock.restart(0);
        waits.put(1L, 800_000_000L); // its own threads kept it waiting most of the second...
        testCpu += 1_600_000_000L;
        machineCpu += 2 * SECOND; // ...and others ran 0.4 s of CPU time, 0.2 s on each of the two CPUs
        assertThat(clock.advance(SECOND), equalTo(800_000_000L));
    }

    @Test
    void withoutTheMachinesCountersOnlyTheWallClockCounts() {
        TestClock blind = new TestClock(() -> new TestClock.Sample(Map.copyOf(waits), -1, -1, 2));
        waits.put(1L, 0L);
        blind.restart(0);
        waits.put(1L, 900_000_000L);
        assertThat(blind.advance(SECOND), equalTo(SECOND));
    }

    @Test
    void theMachinesCountersAreRead() {
        long[] machine = TestClock.machineCpu(java.nio.file.Path.of("/proc/stat"));
        org.junit.jupiter.api.Assumptions.assumeTrue(
                machine[0] >= 0, "no /proc/stat: the clock is the wall clock there");
        assertThat(machine[1], equalTo((long) Runtime.getRuntime().availableProcessors()));
        assertThat(TestClock.processCpuNanos(ProcessHandle.current().pid()), greaterThan(0L));
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
        othersBusyFor(SECOND);
        assertThat(clock.advance(SECOND), equalTo(SECOND));
    }

    @Test
    void unreadableCountersLeaveTheWallClock() {
        TestClock blind = new TestClock(() -> new TestClock.Sample(Map.of(), -1, -1, 1));
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
