package dev.storagelab.grader.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.grader.runner.Stillness.Children;
import dev.storagelab.grader.runner.Stillness.Finding;
import dev.storagelab.grader.runner.Stillness.Look;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rules that tell a hang from a test that waits on purpose, on looks set by hand. */
class StillnessTest {

    static final long TICK = HangWatch.SAMPLE_NANOS;
    /** The most CPU a tick may use and count as none. */
    static final long IDLE = TICK / Stillness.IDLE_CPU_SHARE;

    private final Stillness stillness = new Stillness();
    private long now;
    private long cpu;
    private Map<Long, Long> children = Map.of();
    private boolean childBusy;
    private Set<Long> timedWaits = Set.of();
    private Map<Long, Long> waitsFor = Map.of();

    /** One look after {@code nanos}, every thread waiting, none ready, the JVM having used {@code used} of CPU. */
    private Finding waiting(long nanos, long used) {
        now += nanos;
        cpu += used;
        return stillness.look(
                new Look(now, false, Map.of(1L, cpu), timedWaits, waitsFor, new Children(children, childBusy)));
    }

    /** How many ticks of waiting pass before the finding is a hang (-1: none within {@code most}). */
    private int ticksToHang(int most, long used) {
        for (int i = 1; i <= most; i++) {
            if (waiting(TICK, used) == Finding.STILL) {
                return i;
            }
        }
        return -1;
    }

    private static final int STILL_TICKS = (int) (HangWatch.STILL_NANOS / TICK);

    @Test
    void threadsThatAllWaitForTheStillTimeAreAHang() {
        waiting(0, 0);
        assertThat(ticksToHang(100, 0), equalTo(STILL_TICKS));
        assertThat(stillness.stillSeconds(), equalTo(HangWatch.STILL_NANOS / 1_000_000_000L));
    }

    @Test
    void aThreadThatWakesEveryMillisecondToFindNothingAndWaitsAgainIsNoProgress() {
        // a poll every millisecond that costs 30 us: 7.5 ms a tick, 3% of a CPU, in a timed wait at every look
        timedWaits = Set.of(1L);
        waiting(0, 0);
        assertThat(ticksToHang(100, 7_500_000), equalTo(STILL_TICKS));
    }

    private static final int TIMED_STILL_TICKS = (int) (HangWatch.TIMED_STILL_NANOS / TICK);

    @Test
    void aThreadInOneTimedWaitAllAlongMayWaitOnPurposeSoOnlyTheLongerTimeIsAHang() {
        // a test that joins, for at most 10 s, a thread it expects to stay blocked: the join's timeout will fire
        timedWaits = Set.of(1L);
        waiting(0, 0);
        assertThat(ticksToHang(200, 0), equalTo(TIMED_STILL_TICKS));
        assertThat(stillness.stillSeconds(), equalTo(HangWatch.TIMED_STILL_NANOS / 1_000_000_000L));
    }

    @Test
    void threadsThatWorkPastATenthOfACpuAreNeverAHang() {
        waiting(0, 0);
        assertThat(ticksToHang(200, TICK / Stillness.IDLE_CPU_SHARE + TICK / 100), equalTo(-1));
        assertThat("once they stop, the stillness counts", ticksToHang(100, 0), equalTo(STILL_TICKS));
    }

    @Test
    void aThreadSeenRunnableAtMoreThanAFewLooksIsProgress() {
        waiting(0, 0);
        for (int i = 0; i < 4 * STILL_TICKS; i++) {
            now += TICK;
            boolean seenRunning = i % 4 == 0; // a quarter of the looks: it works
            assertThat(
                    stillness.look(new Look(
                            now, seenRunning, Map.of(1L, cpu), Set.of(), Map.of(), seenRunning ? null : noChildren())),
                    equalTo(Finding.NONE));
        }
    }

    @Test
    void aPollCaughtAwakeAtALookOrTwoIsStillNoProgress() {
        waiting(0, 0);
        for (int i = 0; i < STILL_TICKS - 1; i++) {
            now += TICK;
            boolean caught = i == 3 || i == 9;
            assertThat(
                    stillness.look(
                            new Look(now, caught, Map.of(1L, cpu), Set.of(), Map.of(), caught ? null : noChildren())),
                    equalTo(Finding.NONE));
        }
        assertThat(waiting(TICK, 0), equalTo(Finding.STILL));
    }

    @Test
    void aThreadThatStartsOrEndsStartsTheStillTimeOver() {
        waiting(0, 0);
        for (int i = 0; i < STILL_TICKS - 1; i++) {
            waiting(TICK, 0);
        }
        now += TICK;
        assertThat(
                "a second thread appeared",
                stillness.look(new Look(now, false, Map.of(1L, cpu, 2L, 0L), Set.of(), Map.of(), noChildren())),
                equalTo(Finding.NONE));
        // the first look after it has one thread again: the time starts there
        assertThat(ticksToHang(100, 0), equalTo(STILL_TICKS + 1));
    }

    @Test
    void looksTheWatchWasLateForDoNotCountTowardTheStillTime() {
        waiting(0, 0);
        for (int i = 0; i < 100; i++) {
            assertThat("the machine kept the watch waiting 3 ticks", waiting(3 * TICK, 0), equalTo(Finding.NONE));
        }
        assertThat(ticksToHang(100, 0), equalTo(STILL_TICKS));
    }

    @Test
    void aChildProcessThatRunsOrWaitsForTheDiskIsProgressAndOneThatDoesNotIsPartOfTheHang() {
        children = Map.of(42L, 0L);
        waiting(0, 0);
        for (int i = 0; i < 3 * STILL_TICKS; i++) {
            children = Map.of(42L, (i + 1) * TICK / 2); // the child JVM works: half a CPU
            assertThat(waiting(TICK, 0), equalTo(Finding.NONE));
        }
        childBusy = true; // a child waits for the disk
        for (int i = 0; i < 3 * STILL_TICKS; i++) {
            assertThat(waiting(TICK, 0), equalTo(Finding.NONE));
        }
        childBusy = false;
        children = Map.of(42L, 1L, 43L, 0L); // a child ended, another started
        assertThat(waiting(TICK, 0), equalTo(Finding.NONE));
        assertThat(ticksToHang(100, 0), equalTo(STILL_TICKS));
        assertThat(stillness.childrenStill(), equalTo(true));
    }

    private Children noChildren() {
        return new Children(children, childBusy);
    }

    @Test
    void theSameCycleOfLockWaitsForTheDeadlockTimeIsADeadlockWhatEverElseRuns() {
        stillness.look(new Look(now, true, Map.of(1L, 0L, 2L, 0L, 3L, 0L), Set.of(), Map.of(), null));
        waitsFor = Map.of(1L, 2L, 2L, 1L, 3L, 1L); // 1 and 2 wait for each other; 3 waits for 1
        int ticks = 0;
        Finding f;
        do {
            now += TICK;
            ticks++;
            cpu += TICK;
            f = stillness.look(
                    new Look(now, true, Map.of(1L, 0L, 2L, 0L, 3L, cpu), Set.of(), waitsFor, null)); // 3 spins
        } while (f == Finding.NONE && ticks < 100);
        assertThat(f, equalTo(Finding.DEADLOCK));
        // the first look that shows the cycle starts its time: then it must last DEADLOCK_NANOS
        assertThat(ticks, equalTo((int) (HangWatch.DEADLOCK_NANOS / TICK) + 1));
        assertThat(stillness.cycle(), equalTo(Set.of(1L, 2L)));
    }

    @Test
    void waitsWithoutACycleAreNoDeadlock() {
        assertThat(Stillness.cycle(Map.of(1L, 2L, 2L, 3L, 4L, 3L)), empty());
        assertThat(Stillness.cycle(Map.of(1L, 2L, 2L, 3L, 3L, 2L)), equalTo(Set.of(2L, 3L)));
        assertThat(Stillness.cycle(Map.of(5L, 5L)), equalTo(Set.of(5L)));
    }
}
