package dev.storagelab.grader.sandbox;

import java.nio.file.Path;
import java.util.List;

/**
 * A grader that dies with a run open, for {@link TestUserSweepTest}: leases a test user, starts
 * {@link SelfAttachingJvm} as that user from the class folder its argument names, prints
 * {@code <uid> <the test JVM's pid> <its runs' folder>}, and waits to be killed. Its run is never
 * closed, so its test JVM lives on and nothing of its user is swept.
 */
public final class DyingGrader {

    private DyingGrader() {}

    public static void main(String[] args) throws Exception {
        Confinement.Run run = Confinement.current().open(List.of(Path.of(args[0])));
        Process jvm = TestUserSweepTest.startSelfAttaching(run);
        String pid = TestUserSweepTest.attachedPid(jvm);
        System.out.println(run.uid() + " " + pid + " " + run.channels().getParent());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
