package dev.storagelab.kvstore.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The storage media under the log, measured on this machine with plain {@link FileChannel}s (no
 * engine in the way): what a force costs, what sequential and random 4 KiB writes cost with and
 * without a force each, and what a random 4 KiB read costs with the file in the page cache and
 * without it. notes/06-wal-mvcc.md quotes the numbers; {@code ./storagelab figures} draws them.
 *
 * <pre>
 * java -cp &lt;lab-06 test classpath&gt; dev.storagelab.kvstore.bench.StorageMedia DIR OUT.json [quick]
 * </pre>
 *
 * <ul>
 *   <li><b>force</b>: an append of 128 bytes (or 4 KiB) then {@code force(false)} (fdatasync) or
 *       {@code force(true)} (fsync), and a 128-byte overwrite inside a preallocated, already forced
 *       file then {@code force(false)}: the file's size does not change, so no metadata needs to
 *       reach the disk with it. Every operation's latency goes into an HdrHistogram.</li>
 *   <li><b>write bandwidth</b>: 4 KiB writes appended to a new file (as a log grows), in order
 *       over a preallocated, forced file, or at random over it (a shuffled permutation of its
 *       blocks, as a page file is updated), either forced once at the end (the time includes that
 *       force) or forced after every write.</li>
 *   <li><b>random reads</b>: 4 KiB reads at random aligned offsets of a file written and forced
 *       before: <i>warm</i> right after reading the whole file once (every page cached);
 *       <i>cold, buffered</i> after {@code dd iflag=nocache count=0} asked the kernel to drop the
 *       file's cached pages (posix_fadvise(DONTNEED); Java has no call for it), with readahead
 *       still on; and <i>O_DIRECT</i> through {@code com.sun.nio.file.ExtendedOpenOption.DIRECT},
 *       which bypasses the page cache. On a virtual machine the host may still cache the disk
 *       image: "cold" here means "not in this kernel's page cache".</li>
 * </ul>
 * The results are written as one JSON object; a line per measurement goes to standard output.
 * The directory must be on the disk under test (not tmpfs); the program deletes what it creates.
 */
public final class StorageMedia {

    static final int BLOCK = 4096;

    private StorageMedia() {}

    /** The sizes of one run: the full one, or a quick one for the smoke test. */
    record Sizes(
            int forceOps,
            double forceSeconds,
            long bandwidthFileBytes,
            int forcedWrites,
            double forcedSeconds,
            long readFileBytes,
            int reads,
            int directReads,
            double readSeconds) {
        static Sizes full() {
            return new Sizes(3000, 4, 64L << 20, 3000, 4, 256L << 20, 20000, 4000, 5);
        }

        static Sizes quick() {
            return new Sizes(50, 0.5, 1L << 20, 50, 0.5, 2L << 20, 200, 100, 0.5);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: StorageMedia DIR OUT.json [quick]");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        Path out = Path.of(args[1]);
        Sizes sizes = args.length > 2 && args[2].equals("quick") ? Sizes.quick() : Sizes.full();
        Files.writeString(out, run(dir, sizes));
    }

    /** Runs every measurement in a fresh subdirectory of {@code dir}; returns the JSON. */
    static String run(Path base, Sizes sizes) throws IOException {
        Path dir = Files.createTempDirectory(base, "media");
        Json json = new Json();
        json.field("loadavgBefore", Bench.loadavg());
        json.field("fileSystem", Bench.fileSystem(dir));
        try {
            List<String> force = new ArrayList<>();
            force.add(forceLatency(dir, "append 128 B + fdatasync", 128, false, false, sizes));
            force.add(forceLatency(dir, "append 128 B + fsync", 128, true, false, sizes));
            force.add(forceLatency(dir, "append 4 KiB + fdatasync", BLOCK, false, false, sizes));
            force.add(forceLatency(dir, "overwrite 128 B in place + fdatasync", 128, false, true, sizes));
            json.array("force", force);

            List<String> bw = new ArrayList<>();
            for (boolean forceEach : new boolean[] {false, true}) {
                bw.add(bandwidth(dir, false, false, forceEach, sizes)); // appending, as a log does
                bw.add(bandwidth(dir, false, true, forceEach, sizes)); // in order over a preallocated file
                bw.add(bandwidth(dir, true, true, forceEach, sizes)); // at random, as a page file is updated
            }
            json.array("writeBandwidth", bw);

            json.array("randomRead", randomReads(dir, sizes));
        } finally {
            Bench.deleteTree(dir);
        }
        json.field("loadavgAfter", Bench.loadavg());
        return json.toString();
    }

    // ---------------------------------------------------------------- force latency

    private static String forceLatency(Path dir, String what, int bytes, boolean metadata, boolean inPlace, Sizes sizes)
            throws IOException {
        Path file = dir.resolve("force.dat");
        Files.deleteIfExists(file);
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        ByteBuffer buf = ByteBuffer.allocateDirect(bytes);
        SplittableRandom random = new SplittableRandom(42);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long region = (long) sizes.forceOps() * bytes;
            if (inPlace) { // preallocate with real blocks, forced with the metadata, as a recycled log segment is
                fill(ch, 0, region + BLOCK);
                ch.force(true);
            }
            long position = 0;
            long deadline = System.nanoTime() + (long) (sizes.forceSeconds() * 1e9);
            int ops = 0;
            // a few unmeasured rounds first: the first force of a new file also writes its inode
            for (int i = 0; i < sizes.forceOps() + 5 && System.nanoTime() < deadline; i++) {
                buf.clear();
                buf.putLong(0, random.nextLong());
                long t0 = System.nanoTime();
                while (buf.hasRemaining()) {
                    position += ch.write(buf, position);
                }
                ch.force(metadata);
                long t = System.nanoTime() - t0;
                if (i >= 5) {
                    h.recordValue(Math.min(t, TimeUnit.SECONDS.toNanos(10)));
                    ops++;
                }
                if (position >= region) {
                    position = 0;
                }
            }
            String row = new Json()
                    .field("what", what)
                    .field("bytes", bytes)
                    .field("metadata", metadata)
                    .field("inPlace", inPlace)
                    .field("ops", ops)
                    .histogram(h)
                    .field("loadavg", Bench.loadavg())
                    .toString();
            System.out.printf(
                    Locale.ROOT,
                    "force  %-40s %6d ops  p50 %8.1f us  p99 %8.1f us  p99.9 %8.1f us  max %8.1f us%n",
                    what,
                    ops,
                    h.getValueAtPercentile(50) / 1e3,
                    h.getValueAtPercentile(99) / 1e3,
                    h.getValueAtPercentile(99.9) / 1e3,
                    h.getMaxValue() / 1e3);
            return row;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    // ---------------------------------------------------------------- write bandwidth

    private static String bandwidth(Path dir, boolean random, boolean preallocated, boolean forceEach, Sizes sizes)
            throws IOException {
        Path file = dir.resolve("bw.dat");
        Files.deleteIfExists(file);
        long blocks = sizes.bandwidthFileBytes() / BLOCK;
        int[] order = new int[(int) blocks];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (random) {
            shuffle(order, new SplittableRandom(7));
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(BLOCK);
        SplittableRandom bytes = new SplittableRandom(11);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            if (preallocated) { // overwrite real blocks, as a B+tree's page file is updated; the file exists and is
                // durable
                fill(ch, 0, blocks * BLOCK);
                ch.force(true);
            }
            long deadline = System.nanoTime() + (long) (sizes.forcedSeconds() * 1e9);
            long limit = forceEach ? Math.min(blocks, sizes.forcedWrites()) : blocks;
            Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            long written = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < limit; i++) {
                buf.clear();
                buf.putLong(0, bytes.nextLong());
                long w0 = System.nanoTime();
                long pos = (long) order[i] * BLOCK;
                while (buf.hasRemaining()) {
                    pos += ch.write(buf, pos);
                }
                if (forceEach) {
                    ch.force(false);
                    h.recordValue(Math.min(System.nanoTime() - w0, TimeUnit.SECONDS.toNanos(10)));
                    if (System.nanoTime() > deadline) {
                        written += BLOCK;
                        break;
                    }
                }
                written += BLOCK;
            }
            if (!forceEach) {
                ch.force(false);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            String what = (random ? "random overwrites" : preallocated ? "sequential overwrites" : "appends") + ", "
                    + (forceEach ? "forced each" : "forced at the end");
            Json row = new Json()
                    .field("what", what)
                    .field("random", random)
                    .field("preallocated", preallocated)
                    .field("forceEach", forceEach)
                    .field("bytes", written)
                    .field("seconds", seconds)
                    .field("mbPerSecond", written / seconds / 1e6)
                    .field("writesPerSecond", written / BLOCK / seconds);
            if (forceEach) {
                row.histogram(h);
            }
            row.field("loadavg", Bench.loadavg());
            System.out.printf(
                    Locale.ROOT,
                    "write  %-45s %10d bytes in %7.3f s: %8.2f MB/s, %9.0f writes/s%n",
                    what,
                    written,
                    seconds,
                    written / seconds / 1e6,
                    written / BLOCK / seconds);
            return row.toString();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    // ---------------------------------------------------------------- random reads

    private static List<String> randomReads(Path dir, Sizes sizes) throws IOException {
        Path file = dir.resolve("read.dat");
        long blocks = sizes.readFileBytes() / BLOCK;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            fill(ch, 0, blocks * BLOCK);
            ch.force(true);
        }
        List<String> rows = new ArrayList<>();
        try {
            // warm: every page read once, then random reads
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ByteBuffer big = ByteBuffer.allocateDirect(1 << 20);
                long pos = 0;
                while (pos < blocks * BLOCK) {
                    big.clear();
                    int n = ch.read(big, pos);
                    if (n <= 0) {
                        throw new IOException(file + ": unexpected end at offset " + pos);
                    }
                    pos += n;
                }
                rows.add(reads(
                        "warm (page cache)",
                        ch,
                        blocks,
                        sizes.reads(),
                        sizes.readSeconds(),
                        ByteBuffer.allocateDirect(BLOCK),
                        null));
            }
            // cold, buffered: the kernel drops the file's pages first (posix_fadvise DONTNEED through dd)
            String dropped = Bench.dropFromPageCache(file);
            String cachedBefore = Bench.fincore(file);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                rows.add(reads(
                        "cold, buffered (after posix_fadvise DONTNEED)",
                        ch,
                        blocks,
                        sizes.directReads(),
                        sizes.readSeconds(),
                        ByteBuffer.allocateDirect(BLOCK),
                        () -> "dd: " + dropped + "; fincore (cached bytes, file bytes) before: " + cachedBefore
                                + "; after the reads: " + Bench.fincore(file)));
            }
            // O_DIRECT: no page cache at all
            OpenOption direct;
            try {
                direct = com.sun.nio.file.ExtendedOpenOption.DIRECT;
            } catch (LinkageError e) {
                rows.add(new Json()
                        .field("what", "O_DIRECT")
                        .field("error", e.toString())
                        .toString());
                return rows;
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, direct)) {
                ByteBuffer aligned = ByteBuffer.allocateDirect(2 * BLOCK).alignedSlice(BLOCK);
                aligned.limit(BLOCK);
                rows.add(reads(
                        "O_DIRECT (no page cache)",
                        ch,
                        blocks,
                        sizes.directReads(),
                        sizes.readSeconds(),
                        aligned,
                        null));
            } catch (IOException | UnsupportedOperationException e) {
                rows.add(new Json()
                        .field("what", "O_DIRECT")
                        .field("error", e.toString())
                        .toString());
                System.out.println("read   O_DIRECT failed: " + e);
            }
        } finally {
            Files.deleteIfExists(file);
        }
        return rows;
    }

    private static String reads(
            String what,
            FileChannel ch,
            long blocks,
            int count,
            double seconds,
            ByteBuffer buf,
            java.util.function.Supplier<String> note)
            throws IOException {
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        SplittableRandom random = new SplittableRandom(99);
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        int ops = 0;
        for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
            long pos = random.nextLong(blocks) * BLOCK;
            buf.clear();
            long t0 = System.nanoTime();
            while (buf.hasRemaining()) {
                int n = ch.read(buf, pos + buf.position());
                if (n <= 0) {
                    throw new IOException("unexpected end of the file at offset " + (pos + buf.position()));
                }
            }
            h.recordValue(Math.min(System.nanoTime() - t0, TimeUnit.SECONDS.toNanos(10)));
            ops++;
        }
        System.out.printf(
                Locale.ROOT,
                "read   %-45s %6d ops  p50 %8.1f us  p99 %8.1f us  p99.9 %8.1f us%n",
                what,
                ops,
                h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3);
        Json row = new Json()
                .field("what", what)
                .field("fileBytes", blocks * BLOCK)
                .field("ops", ops)
                .histogram(h);
        if (note != null) {
            row.field("note", note.get());
        }
        return row.field("loadavg", Bench.loadavg()).toString();
    }

    /** Writes {@code length} bytes of pseudo-random data at {@code from}, in 1 MiB writes. */
    private static void fill(FileChannel ch, long from, long length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        SplittableRandom random = new SplittableRandom(3);
        while (buf.remaining() >= 8) {
            buf.putLong(random.nextLong());
        }
        long pos = from;
        while (pos < from + length) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), from + length - pos));
            while (buf.hasRemaining()) {
                pos += ch.write(buf, pos);
            }
        }
    }

    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
