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
 * handout's T8 table and the notes. {@code java ... CompactionWriteAmplification [out.csv] [ops]}.
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
        READ_HEAVY
    }

    private static final long WINDOW = 1000;

    private CompactionWriteAmplification() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "notes/data/lab07/compaction-wa.csv");
        int writes = args.length > 1 ? Integer.parseInt(args[1]) : 60_000;
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (PrintStream csv = new PrintStream(Files.newOutputStream(out), true, StandardCharsets.UTF_8)) {
            csv.println("workload,policy,writes,flush_bytes,compaction_bytes,write_amplification,l0_tables,nonempty_levels,final_style");
            for (Workload w : Workload.values()) {
                for (String policy : List.of("leveled", "tiered", "time-window", "adaptive")) {
                    String line = run(w, policy, writes);
                    csv.println(line);
                    System.out.println(line);
                }
            }
        }
    }

    static String run(Workload w, String policyName, int writes) throws IOException {
        AdaptiveCompaction adaptive = new AdaptiveCompaction(List.of(),
                new TimeWindowCompaction(KeyTime.bigEndianPrefix(), WINDOW));
        LsmOptions options = switch (policyName) {
            case "leveled" -> LsmOptions.tiny();
            case "tiered" -> LsmOptions.tiny().withCompaction(LsmOptions.CompactionStyle.TIERED);
            case "time-window" -> LsmOptions.tiny().withCompactionPolicy(new TimeWindowCompaction(KeyTime.bigEndianPrefix(), WINDOW));
            case "adaptive" -> LsmOptions.tiny().withCompactionPolicy(adaptive);
            default -> throw new IllegalArgumentException("unknown policy: " + policyName);
        };
        Random random = new Random(42);
        byte[] value = new byte[100];
        try (LsmStore store = LsmStore.open(new FaultInjectingStorage(42), options)) {
            for (int i = 0; i < writes; i++) {
                Bytes key = switch (w) {
                    case APPENDS -> key(i, i % 16);
                    case APPENDS_JITTER -> key(Math.max(0, i - random.nextInt(200)), i % 16);
                    case RANDOM_UPDATES, READ_HEAVY -> key(random.nextInt(20_000), 0);
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
            return String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%.3f,%d,%d,%s", w.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                    policyName, writes, s.flushBytes(), s.compactionBytesWritten(),
                    (double) s.compactionBytesWritten() / s.flushBytes(), s.filesPerLevel()[0], levels,
                    policyName.equals("adaptive") ? adaptive.styleOf(0) : "");
        }
    }

    private static Bytes key(long time, int id) {
        return Bytes.wrap(ByteBuffer.allocate(12).putLong(time).putInt(id).array());
    }
}
