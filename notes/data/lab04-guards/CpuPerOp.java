import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The measuring thread's own CPU time per operation (so the neighbours' load counts little), on a
 * tree of N keys in the default 1,024-frame pool: gets alone (rr), gets beside one writer (rww), and
 * puts of random keys alone (put). Usage: CpuPerOp KEYS OPS rr|rww|put
 */
public class CpuPerOp {
    static Bytes key(long i) {
        return Bytes.of(String.format("key%010d", i));
    }

    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]);
        int ops = Integer.parseInt(a[1]);
        String mode = a[2];
        Path d = Files.createTempDirectory(Path.of("/tmp"), "cpu-per-op");
        BPlusTree t = BPlusTree.open(DiskStorage.open(d), BTreeOptions.defaults());
        Bytes v = Bytes.copyOf(new byte[100]);
        for (long i = 0; i < n; i++) {
            t.put(key((i * 7919L) % n), v);
        }
        t.checkpoint();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        AtomicBoolean stop = new AtomicBoolean();
        long[] puts = new long[1];
        Thread w = new Thread(() -> {
            SplittableRandom r = new SplittableRandom(7);
            try {
                while (!stop.get()) {
                    t.put(key(r.nextInt(n)), v);
                    puts[0]++;
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        SplittableRandom r = new SplittableRandom(42);
        boolean put = mode.equals("put");
        for (int i = 0; i < ops / 4; i++) { // warm-up
            if (put) {
                t.put(key(r.nextInt(n)), v);
            } else {
                t.get(key(r.nextInt(n)));
            }
        }
        if (mode.equals("rww")) {
            w.start();
        }
        long c0 = mx.getCurrentThreadCpuTime();
        long w0 = System.nanoTime();
        for (int i = 0; i < ops; i++) {
            if (put) {
                t.put(key(r.nextInt(n)), v);
            } else {
                t.get(key(r.nextInt(n)));
            }
        }
        long c1 = mx.getCurrentThreadCpuTime();
        long w1 = System.nanoTime();
        stop.set(true);
        if (mode.equals("rww")) {
            w.join();
        }
        System.out.printf("%s cpu_ns_per_op %.0f wall_ns_per_op %.0f writer_puts %d%n", mode, (c1 - c0) / (double) ops,
                (w1 - w0) / (double) ops, puts[0]);
        t.close();
        try (var s = Files.walk(d)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
