package dev.storagelab.hybrid.txn.bench;

import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.Placement;
import dev.storagelab.hybrid.txn.CrossEngineStore;
import dev.storagelab.io.CountingStorage;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.wal.SyncMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The figure's first half (lab-07 T9): forces (file forces and directory syncs, counted by lab-01's
 * {@link CountingStorage} under every directory) and bytes written per transaction, for a
 * transaction that writes one HOT and one COLD key, and for one that writes two COLD keys, through
 * T9's {@link CrossEngineStore} (two-phase commit, three logs) and through lab-07's
 * {@link HybridStore} (one shared log), every commit durable on return. The second half, latency,
 * is {@link CrossEngineCommitBenchmark}.
 *
 * <pre>{@code
 * java -cp $CP dev.storagelab.hybrid.txn.bench.CommitForces [transactions] [directory]
 * }</pre>
 * The directory defaults to {@code java.io.tmpdir}; the counts do not depend on the disk.
 */
public final class CommitForces {

    private CommitForces() {}

    public static void main(String[] args) throws IOException {
        int transactions = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Path base = Path.of(args.length > 1 ? args[1] : System.getProperty("java.io.tmpdir"));
        Bytes value = Bytes.wrap(new byte[100]);
        System.out.println("| store | transaction | forces per transaction | bytes written per transaction |");
        System.out.println("| --- | --- | ---: | ---: |");
        for (boolean cross : new boolean[] {true, false}) {
            String shape = cross ? "1 HOT + 1 COLD key" : "2 COLD keys";
            // two-phase commit
            Path dir = Files.createTempDirectory(base, "txn-forces");
            DiskStorage root = DiskStorage.open(dir);
            CountingStorage[] counted = {
                new CountingStorage(root.subdirectory("hot")),
                new CountingStorage(root.subdirectory("cold")),
                new CountingStorage(root.subdirectory("coord"))
            };
            CrossEngineStore twoPhase = CrossEngineStore.open(
                    counted[0],
                    counted[1],
                    counted[2],
                    k -> k.byteAt(0) == 'h' ? Placement.HOT : Placement.COLD,
                    CrossEngineStore.Options.defaults());
            long[] before = totals(counted);
            for (int t = 0; t < transactions; t++) {
                twoPhase.write(batch(cross, t, value));
            }
            long[] after = totals(counted);
            print("two-phase commit (3 logs)", shape, after, before, transactions);
            twoPhase.close();
            delete(dir);
            // one shared log
            dir = Files.createTempDirectory(base, "txn-forces");
            CountingStorage one = new CountingStorage(DiskStorage.open(dir));
            HybridStore shared = HybridStore.open(
                    one,
                    HybridOptions.builder()
                            .cache("arc", 0)
                            .syncMode(SyncMode.EVERY_WRITE)
                            .maintenance(Duration.ofSeconds(1), false)
                            .build());
            for (int i = 0; i < 16; i++) {
                shared.move(key('h', i), Placement.HOT);
            }
            before = totals(one);
            for (int t = 0; t < transactions; t++) {
                shared.write(batch(cross, t, value));
            }
            after = totals(one);
            print("lab-07 HybridStore (1 shared log)", shape, after, before, transactions);
            shared.close();
            delete(dir);
        }
    }

    private static Bytes key(char kind, int i) {
        return Bytes.of(String.format("%c%015d", kind, i));
    }

    private static List<Entry> batch(boolean cross, int t, Bytes value) {
        return List.of(Entry.put(key(cross ? 'h' : 'c', t % 16), value), Entry.put(key('c', 1000 + t % 16), value));
    }

    private static long[] totals(CountingStorage... storages) {
        long forces = 0;
        long bytes = 0;
        for (CountingStorage s : storages) {
            forces += s.forces();
            bytes += s.bytesWritten();
        }
        return new long[] {forces, bytes};
    }

    private static void print(String store, String shape, long[] after, long[] before, int n) {
        System.out.printf(
                "| %s | %s | %.2f | %.0f |%n",
                store, shape, (after[0] - before[0]) / (double) n, (after[1] - before[1]) / (double) n);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
