package dev.storagelab.hybrid.compaction;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Given code: the write amplification of each compaction policy on each workload, in memory with
 * lab-05's tiny sizes (8 KiB memtables), one line of CSV per run: compaction bytes written over
 * bytes flushed, and the shape the tree is left in (level-0 tables, non-empty levels). For the
 * handout's T8 table and the notes. {@code java ... CompactionWriteAmplification [out.csv] [writes] [workload]}.
 */
public final class CompactionWriteAmplification {

    /** The workloads, all with 100-byte values and keys that start with an 8-byte big-endian time. */
    enum Workload {
        /** Orders: times strictly increasing. */
        APPENDS,
        /** Orders that arrive a little out of order: each time up to 200 ticks (a fifth of a window) late. */
        APPENDS_JITTER,
        /** Stock: updates of 20,000 keys, uniformly at random. */
        RANDOM_UPDATES,
        /** The catalogue: nine reads per write, writes uniform over 20,000 keys. */
        READ_HEAVY,
        /**
         * All three in one tree, as the hybrid's LSM holds them: per step an order ({@code 'o'} and
         * the time, up to 200 late), a stock update ({@code 's'} and one of 20,000 ids) and, every
         * tenth step, a catalogue write ({@code 'p'}), with nine catalogue reads per step; the
         * adaptive policy gets the three prefixes as ranges.
         */
        MIXED
    }

    private static final long WINDOW = 1000;

    private CompactionWriteAmplification() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "notes/data/lab07/compaction-wa.csv");
        int writes = args.length > 1 ? Integer.parseInt(args[1]) : 60_000;
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (PrintStream csv = new PrintStream(Files.newOutputStream(out), true, StandardCharsets.UTF_8)) {
            csv.println(
                    "workload,policy,writes,flush_bytes,compaction_bytes,write_amplification,l0_tables,nonempty_levels,final_style");
            List<Workload> chosen = args.length > 2
                    ? List.of(Workload.valueOf(args[2].toUpperCase(Locale.ROOT).replace('-', '_')))
                    : List.of(Workload.values());
            for (Workload w : chosen) {
                for (String policy : List.of("leveled", "tiered", "time-window", "adaptive")) {
                    String line = run(w, policy, writes);
                    csv.println(line);
                    System.out.println(line);
                }
            }
        }
    }

    static String run(Workload w, String policyName, int writes) throws IOException {
        boolean mixed = w == Workload.MIXED;
        KeyTime time = mixed ? KeyTime.bigEndianAt(1) : KeyTime.bigEndianPrefix();
        AdaptiveCompaction adaptive = new AdaptiveCompaction(
                mixed ? List.of(Bytes.of("p"), Bytes.of("s")) : List.of(), new TimeWindowCompaction(time, WINDOW));
        LsmOptions options = switch (policyName) {
            case "leveled" -> LsmOptions.tiny();
            case "tiered" -> LsmOptions.tiny().withCompaction(LsmOptions.CompactionStyle.TIERED);
            case "time-window" -> LsmOptions.tiny().withCompactionPolicy(new TimeWindowCompaction(time, WINDOW));
            case "adaptive" -> LsmOptions.tiny().withCompactionPolicy(adaptive);
            default -> throw new IllegalArgumentException("unknown policy: " + policyName);
        };
        Random random = new Random(42);
        byte[] value = new byte[100];
        try (LsmStore store = LsmStore.open(new FaultInjectingStorage(42), options)) {
            for (int i = 0; mixed && i < writes / 2; i++) {
                Bytes order = prefixed('o', Math.max(0, i - random.nextInt(200)), i % 16);
                Bytes stock = prefixed('s', random.nextInt(20_000), 0);
                for (Bytes key : i % 10 == 0
                        ? List.of(order, stock, prefixed('p', random.nextInt(20_000), 0))
                        : List.of(order, stock)) {
                    random.nextBytes(value);
                    store.put(key, Bytes.copyOf(value));
                    adaptive.recordWrite(key);
                }
                for (int r = 0; r < 9; r++) {
                    Bytes k = prefixed('p', random.nextInt(20_000), 0);
                    store.get(k);
                    adaptive.recordRead(k);
                }
            }
            for (int i = 0; !mixed && i < writes; i++) {
                Bytes key = switch (w) {
                    case APPENDS -> key(i, i % 16);
                    case APPENDS_JITTER -> key(Math.max(0, i - random.nextInt(200)), i % 16);
                    case RANDOM_UPDATES, READ_HEAVY, MIXED -> key(random.nextInt(20_000), 0);
                };
                random.nextBytes(value);
                store.put(key, Bytes.copyOf(value));
                adaptive.recordWrite(key);
                if (w == Workload.READ_HEAVY) {
                    for (int r = 0; r < 9; r++) {
                        Bytes k = key(random.nextInt(20_000), 0);
                        store.get(k);
                        adaptive.recordRead(k);
                    }
                }
            }
            LsmStore.Stats s = store.stats();
            int levels = 0;
            for (int level = 1; level < s.filesPerLevel().length; level++) {
                levels += s.filesPerLevel()[level] > 0 ? 1 : 0;
            }
            return String.format(
                    Locale.ROOT,
                    "%s,%s,%d,%d,%d,%.3f,%d,%d,%s",
                    w.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                    policyName,
                    writes,
                    s.flushBytes(),
                    s.compactionBytesWritten(),
                    (double) s.compactionBytesWritten() / s.flushBytes(),
                    s.filesPerLevel()[0],
                    levels,
                    policyName.equals("adaptive") ? styles(adaptive) : "");
        }
    }

    private static String styles(AdaptiveCompaction a) {
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < a.rangeCount(); r++) {
            sb.append(r == 0 ? "" : "/").append(a.styleOf(r));
        }
        return sb.toString();
    }

    private static Bytes prefixed(char prefix, long time, int id) {
        return Bytes.wrap(ByteBuffer.allocate(13)
                .put((byte) prefix)
                .putLong(time)
                .putInt(id)
                .array());
    }

    private static Bytes key(long time, int id) {
        return Bytes.wrap(ByteBuffer.allocate(12).putLong(time).putInt(id).array());
    }
}
