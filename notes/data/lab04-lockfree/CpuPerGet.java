import dev.storagelab.btree.*;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.*;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/** CPU time per get (the measuring thread's own CPU clock, so neighbours' load counts little), readrandom and beside a writer. */
public class CpuPerGet {
    static Bytes key(long i) { return Bytes.of(String.format("key%010d", i)); }
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]); int gets = Integer.parseInt(a[1]); boolean writer = a[2].equals("rww");
        Path d = Files.createTempDirectory(Path.of("/tmp"), "pool-cpu-run");
        BPlusTree t = BPlusTree.open(DiskStorage.open(d), BTreeOptions.defaults());
        Bytes v = Bytes.copyOf(new byte[100]);
        for (long i = 0; i < n; i++) t.put(key((i * 7919L) % n), v);
        t.checkpoint();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        AtomicBoolean stop = new AtomicBoolean();
        long[] puts = new long[1];
        Thread w = new Thread(() -> {
            SplittableRandom r = new SplittableRandom(7);
            try { while (!stop.get()) { t.put(key(r.nextInt(n)), v); puts[0]++; } } catch (Exception e) { throw new RuntimeException(e); }
        });
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < gets / 4; i++) t.get(key(r.nextInt(n))); // warm-up
        if (writer) w.start();
        long c0 = mx.getCurrentThreadCpuTime(), w0 = System.nanoTime();
        for (int i = 0; i < gets; i++) t.get(key(r.nextInt(n)));
        long c1 = mx.getCurrentThreadCpuTime(), w1 = System.nanoTime();
        stop.set(true); if (writer) w.join();
        System.out.printf("%s cpu_ns_per_get %.0f wall_ns_per_get %.0f puts %d%n", a[2], (c1 - c0) / (double) gets, (w1 - w0) / (double) gets, puts[0]);
        t.close();
        try (var s = Files.walk(d)) { s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete()); }
    }
}
