package dev.storagelab.grader.sandbox;

import java.util.List;

/**
 * A second grader, for {@link TestUserLeaseTest}: leases a test user the way a grading does,
 * prints its id, and holds it until its standard input closes.
 */
public final class LeaseHolder {

    private LeaseHolder() {}

    public static void main(String[] args) throws Exception {
        try (Confinement.Run run = Confinement.current().open(List.of())) {
            System.out.println(run.uid());
            System.out.flush();
            while (System.in.read() >= 0) {
                // held until the test lets go
            }
        }
    }
}
