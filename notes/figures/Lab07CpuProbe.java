import dev.storagelab.bounds.OrderedStore;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.workbench.workloads.Workload;
import java.lang.management.ManagementFactory;
import java.nio.file.*;
import java.util.*;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Where the hybrid's time goes on the workbench's ecommerce mix, in CPU time rather than wall time (a
 * shared machine stretches wall time; it does not stretch the CPU a thread uses): preloads KEYS keys,
 * then runs OPS ecommerce operations (the workbench's generator) on one variant of an engine, timing
 * each operation with the thread's CPU clock, and prints the CPU per operation by kind, the process's
 * CPU (background threads included) and the GC time of the measured phase. Variants: btree, lsm,
 * lsm-nowal (its log off: what a log costs per put), hybrid (the workbench's options), hybrid-nomaint
 * (no background maintenance: no migrations), hybrid-nocache (the cache off); "noscan" as a fourth
 * argument skips the 1% of scans. From the workspace root, after building the workbench jar:
 *
 *   javac -cp workbench/target/storagelab-workbench.jar -d /tmp/probe notes/figures/Lab07CpuProbe.java
 *   java -Xmx2g -cp workbench/target/storagelab-workbench.jar:/tmp/probe Lab07CpuProbe hybrid 200000 200000
 */
public class Lab07CpuProbe {
    public static void main(String[] a) throws Exception {
        String variant = a[0];
        long keys = Long.parseLong(a[1]), ops = Long.parseLong(a[2]);
        Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "probe-");
        OrderedStore store;
        HybridOptions.Builder hb = HybridOptions.defaults().toBuilder().syncMode(SyncMode.NONE);
        switch (variant) {
            case "btree" -> store = BPlusTree.open(DiskStorage.open(dir), BTreeOptions.defaults());
            case "lsm" -> store = LsmStore.open(DiskStorage.open(dir), LsmOptions.defaults());
            case "lsm-nowal" -> store = LsmStore.open(DiskStorage.open(dir), LsmOptions.defaults().withoutWal());
            case "hybrid" -> store = HybridStore.open(dir, hb.build());
            case "hybrid-nomaint" -> store = HybridStore.open(dir, hb.maintenance(java.time.Duration.ofSeconds(1), false).build());
            case "hybrid-nocache" -> store = HybridStore.open(dir, hb.cache("arc", 0).build());
            default -> throw new IllegalArgumentException(variant);
        }
        boolean noScans = a.length > 3 && a[3].equals("noscan");
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(42);
        List<Entry> batch = new ArrayList<>();
        Workload w = Workload.ECOMMERCE;
        for (long i = 0; i < keys; i++) {
            long k = (i * 7919) % keys;
            byte[] v = new byte[100]; rng.nextBytes(v);
            batch.add(Entry.put(preloadKey(k, keys), Bytes.wrap(v)));
            if (batch.size() == 1000) { store.write(batch); batch.clear(); }
        }
        if (!batch.isEmpty()) store.write(batch);
        store.sync();
        var gen = w.generator(keys, rng);
        var tmx = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long c0 = tmx.getCurrentThreadCpuTime(), p0 = os.getProcessCpuTime(), t0 = System.nanoTime();
        long gcs0 = gcTime();
        long[] kindNanos = new long[5]; long[] kindCount = new long[5];
        for (long n = 0; n < ops; n++) {
            Workload.Op op = gen.next(n);
            if (noScans && op.kind() == Workload.Kind.SCAN) continue;
            long s = tmx.getCurrentThreadCpuTime();
            switch (op.kind()) {
                case PUT, INSERT -> { byte[] v = new byte[100]; rng.nextBytes(v); store.put(op.key(), Bytes.wrap(v)); }
                case GET -> store.get(op.key());
                case READ_MODIFY_WRITE -> { store.get(op.key()); byte[] v = new byte[100]; rng.nextBytes(v); store.put(op.key(), Bytes.wrap(v)); }
                case SCAN -> { try (EntryIterator it = store.scan(op.key(), null)) { for (int i = 0; i < op.scanLength() && it.hasNext(); i++) it.next(); } }
            }
            kindNanos[op.kind().ordinal()] += tmx.getCurrentThreadCpuTime() - s; kindCount[op.kind().ordinal()]++;
        }
        store.sync();
        long c1 = tmx.getCurrentThreadCpuTime(), p1 = os.getProcessCpuTime(), t1 = System.nanoTime();
        System.out.printf(Locale.ROOT, "%s keys=%d ops=%d: wall %.1f s, main-thread CPU %.2f s (%.1f us/op), process CPU %.2f s, GC %d ms, load %.1f%n",
                variant, keys, ops, (t1 - t0) / 1e9, (c1 - c0) / 1e9, (c1 - c0) / 1e3 / ops, (p1 - p0) / 1e9, gcTime() - gcs0, os.getSystemLoadAverage());
        for (Workload.Kind k : Workload.Kind.values()) if (kindCount[k.ordinal()] > 0)
            System.out.printf(Locale.ROOT, "  %-18s %7d ops, CPU %.1f us/op, %.2f s total%n", k, kindCount[k.ordinal()], kindNanos[k.ordinal()] / 1e3 / kindCount[k.ordinal()], kindNanos[k.ordinal()] / 1e9);
        store.close();
        org.apache.commons.io.file.PathUtils.deleteDirectory(dir);
    }
    static long gcTime() { long t = 0; for (var g : ManagementFactory.getGarbageCollectorMXBeans()) t += g.getCollectionTime(); return t; }
    static Bytes preloadKey(long i, long keys) {
        long p = Math.max(1, keys / 100);
        return Bytes.of(i < p ? String.format("price/%010d", i) : i < 2 * p ? String.format("stock/%010d", i - p) : String.format("order/%010d", i - 2 * p));
    }
}
