package dev.storagelab.workbench.workloads;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ThreadTimesTest {

    @Test
    void aThreadThatSpinsBetweenTwoSamplesIsCountedAsRunningThenAndNotBefore() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/task")), "Linux's /proc/self/task");
        AtomicBoolean spin = new AtomicBoolean(true);
        CountDownLatch started = new CountDownLatch(1);
        Thread spinner = new Thread(
                () -> {
                    started.countDown();
                    long x = 0;
                    while (spin.get()) {
                        x += System.nanoTime() & 1; // work the JIT cannot remove
                    }
                    if (x == -1) {
                        System.out.println(x);
                    }
                },
                "storagelab-spin");
        Map<Long, ThreadTimes.Sample> before = ThreadTimes.sample();
        assumeTrue(!before.isEmpty(), "scheduler statistics in /proc/self/task/TID/schedstat");
        spinner.start();
        started.await();
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
        while (System.nanoTime() < until) {
            Thread.sleep(10);
        }
        Map<Long, ThreadTimes.Sample> after = ThreadTimes.sample();
        spin.set(false);
        spinner.join();

        Map<String, ThreadTimes.Times> times = ThreadTimes.between(before, after);
        assertThat(times, hasKey("storagelab-spin"));
        ThreadTimes.Times spun = times.get("storagelab-spin");
        assertThat(spun.threads(), equalTo(1));
        // 300 ms of wall time, on a machine that may be busy: it ran a good part of it, and not more
        assertThat(spun.cpuSeconds() + spun.waitSeconds(), greaterThan(0.2));
        assertThat(spun.cpuSeconds(), greaterThan(0.02));
        assertThat(spun.cpuSeconds(), lessThan(0.5));
    }

    @Test
    void threadsStartedBetweenTheSamplesCountFromZeroAndGroupsAreSummedLongestFirst() {
        Map<Long, ThreadTimes.Sample> before = Map.of(
                1L, new ThreadTimes.Sample("java", 5_000_000_000L, 1_000_000_000L),
                2L, new ThreadTimes.Sample("GC Thread#0", 100_000_000L, 0),
                3L, new ThreadTimes.Sample("old-worker", 900_000_000L, 0));
        Map<Long, ThreadTimes.Sample> after = Map.of(
                1L, new ThreadTimes.Sample("java", 5_400_000_000L, 1_300_000_000L),
                2L, new ThreadTimes.Sample("GC Thread#0", 150_000_000L, 10_000_000L),
                // born in between: all of its time is the interval's
                4L, new ThreadTimes.Sample("GC Thread#1", 70_000_000L, 20_000_000L),
                // the id of a thread that ended, given to a new one: it counts from zero, not from the old one's
                3L, new ThreadTimes.Sample("new-worker", 600_000_000L, 0));

        Map<String, ThreadTimes.Times> times = ThreadTimes.between(before, after);
        assertThat(times.keySet(), contains("new-worker", "java", "GC Thread"));
        assertThat(times.get("java"), equalTo(new ThreadTimes.Times(1, 0.4, 0.3)));
        assertThat(times.get("GC Thread").threads(), equalTo(2));
        assertThat(times.get("GC Thread").cpuSeconds(), equalTo(0.12));
        assertThat(times.get("GC Thread").waitSeconds(), equalTo(0.03));
        assertThat(times.get("new-worker").cpuSeconds(), equalTo(0.6));
    }

    @Test
    void aGroupIsTheNameWithoutItsTrailingNumber() {
        assertThat(ThreadTimes.group("GC Thread#3"), equalTo("GC Thread"));
        assertThat(ThreadTimes.group("C2 CompilerThre"), equalTo("C2 CompilerThre"));
        assertThat(ThreadTimes.group("lsm-compaction"), equalTo("lsm-compaction"));
        assertThat(ThreadTimes.group("G1 Conc#0"), equalTo("G1 Conc"));
        assertThat(ThreadTimes.group("42"), equalTo("42"));
    }
}
