package dev.storagelab.hybrid.cost;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.Ticker;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.hybrid.tier.DeviceModel;
import dev.storagelab.hybrid.tier.LatencyInjectingStorage;
import dev.storagelab.hybrid.tier.Sleeper;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures a {@link HardwareProfile} on this machine: the storage's random and sequential reads
 * and writes and its forces, then the lab-04 B+tree's and the lab-05 LSM tree's time per get and
 * per put with a data set their caches hold ({@code keys} keys of 100-byte values, in a seeded
 * random order, after a warm-up round), everything in a scratch directory. What
 * {@code ./storagelab hybrid-calibrate} runs; a few seconds with the default 10,000 keys.
 *
 * <p>With a {@link DeviceModel} the same measurements run over a {@link LatencyInjectingStorage}
 * whose latency is spent on a simulated clock, and only that clock is read: the profile is the
 * device's figures and the engines' I/O on it, the same on every run and every machine (the CPU
 * time, microseconds against a simulated disk's milliseconds, is left out).
 *
 * <p>What this machine's figures mean: the reads of a file just written come from the operating
 * system's page cache, so "random read" is the page cache's cost unless the device is simulated;
 * writes are timed up to their force, so they reach the device.
 */
public final class Calibrator {

    /** Bytes of the file the device measurements use. */
    static final int FILE_BYTES = 32 << 20;
    /** Bytes of that file when the device is simulated. */
    static final int SIMULATED_FILE_BYTES = 4 << 20;

    static final int IO_BYTES = 4096;
    static final int RANDOM_READS = 1_000;
    static final int RANDOM_WRITES = 256;
    static final int FORCES = 20;
    static final int VALUE_BYTES = 100;
    static final long SEED = 42;

    private final DiskStorage dir;
    private final DeviceModel device;
    private final int keys;
    private final int fileBytes;
    private final Ticker clock;
    private final Sleeper sleeper;

    /**
     * A calibration in {@code dir} (created if missing; the engines' files are left in its
     * subdirectories {@code btree-warmup}, {@code btree}, {@code lsm-warmup} and {@code lsm}, the
     * device's scratch files in {@code device} are deleted; give it a fresh directory), of this
     * machine's storage ({@code device} null) or of a simulated one, with {@code keys} keys per engine.
     */
    public Calibrator(DiskStorage dir, DeviceModel device, int keys) {
        // a simulated device's figures do not depend on the file's size: a small one saves real I/O
        this(dir, device, keys, device == null ? FILE_BYTES : SIMULATED_FILE_BYTES);
    }

    /** As {@link #Calibrator(DiskStorage, DeviceModel, int)}, the device measured with a file of {@code fileBytes} (at least 1 MiB). */
    public Calibrator(DiskStorage dir, DeviceModel device, int keys, int fileBytes) {
        checkArgument(keys >= 100, "keys must be at least 100: %s", keys);
        checkArgument(
                fileBytes >= 1 << 20 && fileBytes % IO_BYTES == 0,
                "fileBytes must be at least 1 MiB, whole 4 KiB pages: %s",
                fileBytes);
        this.fileBytes = fileBytes;
        this.dir = dir;
        this.device = device;
        this.keys = keys;
        if (device == null) {
            this.clock = Ticker.systemTicker();
            this.sleeper = Sleeper.REAL;
        } else {
            SimulatedClock c = new SimulatedClock();
            this.clock = c;
            this.sleeper = c;
        }
    }

    /**
     * Calibrates {@code device} ({@code nvme}: this machine's own storage, measured;
     * {@code hdd} or {@code object-store}: simulated) in {@code dir} with {@code keys} keys; the
     * money weights are the preset's of the same name ({@link HardwareProfile#preset}).
     */
    public static HardwareProfile calibrate(DiskStorage dir, String device, int keys) throws IOException {
        HardwareProfile prices = HardwareProfile.preset(device);
        DeviceModel model = switch (device) {
            case "nvme", "ssd" -> null;
            case "hdd" -> DeviceModel.hdd();
            case "object-store" -> DeviceModel.objectStore();
            default -> throw new IllegalArgumentException("unknown device '" + device + "': nvme, hdd or object-store");
        };
        return new Calibrator(dir, model, keys).measure(prices);
    }

    /** Runs every measurement; the profile takes its money weights from {@code prices}. */
    public HardwareProfile measure(HardwareProfile prices) throws IOException {
        double[] f = prices.figures();
        try (Storage s = open("device")) {
            measureDevice(s, f);
        }
        measureBTree("btree-warmup", new double[2]);
        double[] btree = new double[2];
        measureBTree("btree", btree);
        measureLsm("lsm-warmup", new double[2]);
        double[] lsm = new double[2];
        measureLsm("lsm", lsm);
        f[5] = btree[0];
        f[6] = btree[1];
        f[7] = lsm[0];
        f[8] = lsm[1];
        String name = device == null ? "measured" : device.name() + "-simulated";
        return HardwareProfile.fromFigures(name, f);
    }

    private Storage open(String sub) throws IOException {
        Storage disk = dir.subdirectory(sub);
        return device == null ? disk : new LatencyInjectingStorage(disk, device, sleeper);
    }

    private long now() {
        return clock.read();
    }

    private static double micros(long nanos) {
        return Math.max(0, nanos) / 1_000.0;
    }

    /** Fills figures 0-4: random read, sequential read, random write, sequential write, force. */
    private void measureDevice(Storage s, double[] f) throws IOException {
        Random random = new Random(SEED);
        byte[] page = new byte[IO_BYTES];
        random.nextBytes(page);
        ByteBuffer big = ByteBuffer.allocateDirect(fileBytes);
        while (big.hasRemaining()) {
            big.put(page, 0, Math.min(page.length, big.remaining()));
        }
        // sequential write: the marginal rate between a 4 KiB append and a 32 MiB one, each forced
        long t0 = now();
        try (WritableFile w = s.create("small.dat")) {
            w.append(ByteBuffer.wrap(page));
            w.force();
        }
        long small = now() - t0;
        t0 = now();
        try (WritableFile w = s.create("big.dat")) {
            w.append(big.flip());
            w.force();
        }
        long large = now() - t0;
        f[3] = (fileBytes - IO_BYTES) / Math.max(1.0, micros(large - small));
        try (ReadableFile r = s.openRead("big.dat")) {
            // sequential read: the same difference, reading
            t0 = now();
            r.read(0, ByteBuffer.allocate(IO_BYTES));
            small = now() - t0;
            big.clear();
            t0 = now();
            r.readFully(0, big);
            large = now() - t0;
            f[1] = (fileBytes - IO_BYTES) / Math.max(0.001, micros(large - small));
            // random read: 4 KiB at a random 4 KiB-aligned offset
            ByteBuffer one = ByteBuffer.allocate(IO_BYTES);
            int pages = fileBytes / IO_BYTES;
            t0 = now();
            for (int i = 0; i < RANDOM_READS; i++) {
                one.clear();
                r.read((long) random.nextInt(pages) * IO_BYTES, one);
            }
            f[0] = micros(now() - t0) / RANDOM_READS;
        }
        // force: appends with a force each, less the same appends without
        try (WritableFile w = s.create("force.dat")) {
            t0 = now();
            for (int i = 0; i < FORCES; i++) {
                w.append(ByteBuffer.wrap(page));
            }
            long appends = now() - t0;
            t0 = now();
            for (int i = 0; i < FORCES; i++) {
                w.append(ByteBuffer.wrap(page));
                w.force();
            }
            f[4] = micros(now() - t0 - appends) / FORCES;
        }
        // random write: 4 KiB in place at random offsets, then one force, less one force
        try (WritableFile w = s.openAppend("big.dat")) {
            int pages = fileBytes / IO_BYTES;
            t0 = now();
            for (int i = 0; i < RANDOM_WRITES; i++) {
                w.writeAt((long) random.nextInt(pages) * IO_BYTES, ByteBuffer.wrap(page));
            }
            w.force();
            f[2] = Math.max(0, micros(now() - t0) - f[4]) / RANDOM_WRITES;
        }
        for (String name : new String[] {"small.dat", "big.dat", "force.dat"}) {
            s.delete(name);
        }
    }

    /** The {@code i}-th key: {@code key-} and 12 digits, so keys sort by number. */
    static Bytes key(int i) {
        return Bytes.wrap(String.format("key-%012d", i).getBytes(StandardCharsets.US_ASCII));
    }

    private int[] order(long seed) {
        int[] o = new int[keys];
        for (int i = 0; i < keys; i++) {
            o[i] = i;
        }
        Random r = new Random(seed);
        for (int i = keys - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = o[i];
            o[i] = o[j];
            o[j] = t;
        }
        return o;
    }

    private Bytes value(Random random) {
        byte[] v = new byte[VALUE_BYTES];
        random.nextBytes(v);
        return Bytes.wrap(v);
    }

    /** Times per get and per put (its share of the closing checkpoint included) into {@code out}. */
    private void measureBTree(String sub, double[] out) throws IOException {
        int[] puts = order(SEED);
        int[] gets = order(SEED + 1);
        Random random = new Random(SEED);
        Bytes[] ks = new Bytes[keys];
        Bytes[] vs = new Bytes[keys];
        for (int i = 0; i < keys; i++) {
            ks[i] = key(puts[i]);
            vs[i] = value(random);
        }
        try (Storage s = open(sub);
                BPlusTree tree = BPlusTree.open(s, BTreeOptions.defaults())) {
            long t0 = now();
            for (int i = 0; i < keys; i++) {
                tree.put(ks[i], vs[i]);
            }
            tree.checkpoint();
            out[1] = micros(now() - t0) / keys;
            t0 = now();
            for (int i = 0; i < keys; i++) {
                if (tree.get(key(gets[i])).isEmpty()) {
                    throw new IllegalStateException("calibration: the B+tree lost " + key(gets[i]));
                }
            }
            out[0] = micros(now() - t0) / keys;
        }
    }

    /** Times per get and per put (its share of flushes and compactions included) into {@code out}. */
    private void measureLsm(String sub, double[] out) throws IOException {
        int[] puts = order(SEED);
        int[] gets = order(SEED + 1);
        Random random = new Random(SEED);
        Bytes[] ks = new Bytes[keys];
        Bytes[] vs = new Bytes[keys];
        for (int i = 0; i < keys; i++) {
            ks[i] = key(puts[i]);
            vs[i] = value(random);
        }
        // small memtables, so the puts pay for flushes and compactions as a loaded store's do;
        // no log of its own (the hybrid's log holds every write), work on this thread (repeatable)
        LsmOptions options =
                LsmOptions.defaults().withoutWal().withBackgroundWork(false).withMemtableBytes(64 << 10);
        try (Storage s = open(sub);
                LsmStore lsm = LsmStore.open(s, options)) {
            long t0 = now();
            for (int i = 0; i < keys; i++) {
                lsm.put(ks[i], vs[i]);
            }
            lsm.flush();
            out[1] = micros(now() - t0) / keys;
            t0 = now();
            for (int i = 0; i < keys; i++) {
                if (lsm.get(key(gets[i])).isEmpty()) {
                    throw new IllegalStateException("calibration: the LSM tree lost " + key(gets[i]));
                }
            }
            out[0] = micros(now() - t0) / keys;
        }
    }

    /** A clock that moves only when latency is injected: the calibration's simulated time. */
    static final class SimulatedClock extends Ticker implements Sleeper {
        private final AtomicLong nanos = new AtomicLong();

        @Override
        public long read() {
            return nanos.get();
        }

        @Override
        public void sleep(long n) {
            if (n > 0) {
                nanos.addAndGet(n);
            }
        }
    }
}
