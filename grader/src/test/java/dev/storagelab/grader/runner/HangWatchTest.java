package dev.storagelab.grader.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;
import org.junit.jupiter.api.Test;

/**
 * The hang watch on real threads of this JVM: a deadlock and a latch never let go are found in
 * seconds, and the verdict names the waits and the frames of lab code (here: this class, named as
 * lab code), never a thread's name. Every thread it blocks waits interruptibly, and is freed at the end.
 */
class HangWatchTest {

    /** This module's test classes (Maven's {@code basedir}): their frames are the "lab code" the verdicts show. */
    private static final HangReport REPORT = new HangReport(
            List.of(Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("target/test-classes")));

    private final CompletableFuture<String> verdict = new CompletableFuture<>();

    /** A watch of this JVM whose verdict completes {@link #verdict} (for test {@code watched}) instead of ending the JVM. */
    private HangWatch watch() {
        return new HangWatch(REPORT, (test, message) -> verdict.complete(test + ": " + message)).start();
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void twoLocksTakenInOppositeOrdersAreADeadlockFoundInSeconds() throws Exception {
        HangWatch watch = watch();
        ReentrantLock wal = new ReentrantLock();
        ReentrantLock store = new ReentrantLock();
        CountDownLatch bothHold = new CountDownLatch(2);
        Thread a = daemon("secret-name-one", () -> Locks.takeInOrder(wal, store, bothHold));
        Thread b = daemon("secret-name-two", () -> Locks.takeInOrder(store, wal, bothHold));
        long start = System.nanoTime();
        watch.started("Test#deadlocks");
        try {
            String message = verdict.get(60, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(seconds, lessThan(HangWatch.STILL_NANOS / 1e9 + 5));
            assertThat(
                    message,
                    allOf(
                            containsString("Test#deadlocks: hangs: a deadlock"),
                            containsString("A waits in ReentrantLock.lockInterruptibly, held by B"),
                            containsString("B waits in ReentrantLock.lockInterruptibly, held by A"),
                            containsString("at Locks.takeInOrder:"),
                            not(containsString("secret-name"))));
        } finally {
            watch.ended();
            a.interrupt();
            b.interrupt();
        }
    }

    @Test
    void readersOfALatchThatIsNeverLetGoAreAWaitWithNoProgress() throws Exception {
        HangWatch watch = watch();
        StampedLock latch = new StampedLock();
        latch.writeLock(); // taken, and never let go
        Runnable reader = () -> Locks.readPage(latch);
        Thread r1 = daemon("reader-one", reader);
        Thread r2 = daemon("reader-two", reader);
        long start = System.nanoTime();
        watch.started("Test#waits");
        try {
            String message = verdict.get(60, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            // this thread waits for the verdict in a timed wait, whose timeout will fire: the longer time
            assertThat(seconds, greaterThanOrEqualTo(HangWatch.TIMED_STILL_NANOS / 1e9));
            assertThat(
                    message,
                    allOf(
                            containsString("Test#waits: hangs: for 15 s no thread ran, and none could"),
                            containsString("2 threads wait in StampedLock.readLockInterruptibly at Locks.readPage:"),
                            containsString("never let go"),
                            not(containsString("reader-"))));
        } finally {
            watch.ended();
            r1.interrupt();
            r2.interrupt();
        }
    }

    @Test
    void theWaitTheOthersQueueBehindIsSaidFirst() throws Exception {
        HangWatch watch = watch();
        StampedLock latch = new StampedLock();
        latch.writeLock(); // taken, and never let go
        ReentrantLock tree = new ReentrantLock();
        CountDownLatch held = new CountDownLatch(1);
        // the thread queued behind starts first: the JVM lists it first
        Thread behind = daemon("queued", () -> {
            try {
                held.await();
                Locks.lockTree(tree);
            } catch (InterruptedException e) {
                // freed at the end of the test
            }
        });
        Thread holder = daemon("holder", () -> Locks.holdTreeAndReadPage(tree, latch, held));
        watch.started("Test#chain");
        try {
            String message = verdict.get(60, TimeUnit.SECONDS);
            String first = "1 thread waits in StampedLock.readLockInterruptibly at Locks.holdTreeAndReadPage:";
            String queued =
                    "1 thread waits in ReentrantLock.lockInterruptibly, held by a thread above, at Locks.lockTree:";
            assertThat(message, allOf(containsString(first), containsString(queued)));
            assertThat(
                    "the wait the other queues behind is said first: " + message,
                    message.indexOf(first),
                    lessThan(message.indexOf(queued)));
        } finally {
            watch.ended();
            behind.interrupt();
            holder.interrupt();
        }
    }

    @Test
    void aThreadLeftWaitingByAnEarlierTestFollowsTheTestsOwn() throws Exception {
        HangWatch watch = watch();
        StampedLock earlier = new StampedLock();
        earlier.writeLock(); // an earlier test's latch, never let go
        Thread left = daemon("left-over", () -> Locks.readPage(earlier));
        watch.started("Test#leftOver");
        StampedLock latch = new StampedLock();
        latch.writeLock(); // this test's latch, never let go
        Thread own = daemon("own", () -> Locks.holdTreeAndReadPage(new ReentrantLock(), latch, new CountDownLatch(1)));
        try {
            String message = verdict.get(60, TimeUnit.SECONDS);
            String first = "1 thread waits in StampedLock.readLockInterruptibly at Locks.holdTreeAndReadPage:";
            String leftOver = "1 thread waits in StampedLock.readLockInterruptibly at Locks.readPage:";
            assertThat(message, allOf(containsString(first), containsString(leftOver)));
            assertThat(
                    "the test's own wait is said first, the one left from before it after: " + message,
                    message.indexOf(first),
                    lessThan(message.indexOf(leftOver)));
            assertThat(
                    message,
                    message.lines()
                            .filter(l -> l.startsWith(leftOver))
                            .findFirst()
                            .orElse(""),
                    containsString("(started before this test)"));
            assertThat(
                    message,
                    message.lines().filter(l -> l.startsWith(first)).findFirst().orElse(""),
                    not(containsString("before this test")));
            assertThat(
                    "the thread that runs the test (here, waiting for the verdict) is the test's own: " + message,
                    message.lines()
                            .filter(l -> l.contains("CompletableFuture.get"))
                            .findFirst()
                            .orElse("no line"),
                    allOf(containsString("at HangWatchTest."), not(containsString("before this test"))));
        } finally {
            watch.ended();
            left.interrupt();
            own.interrupt();
        }
    }

    @Test
    void labFramesAreTheLabFoldersClassesAndNothingElse() {
        assertThat(REPORT.isLab(HangWatchTest.class.getName()), equalTo(true));
        assertThat(REPORT.isLab("java.util.concurrent.locks.StampedLock"), equalTo(false));
        assertThat(REPORT.isLab(org.junit.jupiter.api.Test.class.getName()), equalTo(false));
    }
}

/** The lab code of the test: where its threads wait. */
final class Locks {
    private Locks() {}

    static void takeInOrder(ReentrantLock first, ReentrantLock second, CountDownLatch bothHold) {
        try {
            first.lockInterruptibly();
            try {
                bothHold.countDown();
                bothHold.await();
                second.lockInterruptibly();
                second.unlock();
            } finally {
                first.unlock();
            }
        } catch (InterruptedException e) {
            // freed at the end of the test
        }
    }

    static void lockTree(ReentrantLock tree) throws InterruptedException {
        tree.lockInterruptibly();
        tree.unlock();
    }

    static void holdTreeAndReadPage(ReentrantLock tree, StampedLock latch, CountDownLatch held) {
        tree.lock();
        try {
            held.countDown();
            readPage(latch);
        } finally {
            tree.unlock();
        }
    }

    static void readPage(StampedLock latch) {
        try {
            latch.unlockRead(latch.readLockInterruptibly());
        } catch (InterruptedException e) {
            // freed at the end of the test
        }
    }
}
