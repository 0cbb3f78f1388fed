package dev.storagelab.wal.hidden;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.testkit.KilledChild;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.wal.Wal;
import dev.storagelab.wal.WalOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The child of {@link ChildProcessCrashWalHiddenTest}: 16 threads commit to a {@link Wal} on disk
 * under {@link SyncMode#GROUP}, with 4 KiB segments so that new segments are created all the time.
 * Thread {@code t}'s {@code i}-th commit carries {@code "t/i"}. Acknowledgement {@code n} on
 * standard output means: the commits with LSNs 1 to {@code n + 1} have all returned. It never closes
 * the log: it is killed with SIGKILL.
 */
public final class CommitUntilKilled {

    static final int THREADS = 16;
    static final WalOptions OPTIONS =
            WalOptions.defaults().withSyncMode(SyncMode.GROUP).withSegmentBytes(4096);

    private static final Object ACKS = new Object();
    private static final Set<Long> returned = new HashSet<>();
    private static long nextToAcknowledge = 1;

    private CommitUntilKilled() {}

    private static void acknowledge(long lsn) {
        synchronized (ACKS) {
            returned.add(lsn);
            while (returned.remove(nextToAcknowledge)) {
                System.out.println(nextToAcknowledge - 1);
                nextToAcknowledge++;
            }
            System.out.flush();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: CommitUntilKilled DIRECTORY");
        }
        KilledChild.exitWhenParentDies();
        Wal wal = Wal.open(DiskStorage.open(Path.of(args[0])), OPTIONS);
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            Thread committer = new Thread(
                    () -> {
                        try {
                            for (int i = 0; ; i++) {
                                acknowledge(wal.commit((thread + "/" + i).getBytes(StandardCharsets.UTF_8)));
                            }
                        } catch (IOException | RuntimeException e) {
                            e.printStackTrace();
                            Runtime.getRuntime().halt(3);
                        }
                    },
                    "committer-" + t);
            committer.start();
        }
        Thread.currentThread().join();
    }
}
