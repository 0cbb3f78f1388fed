package dev.storagelab.workbench.viz;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.LsmEvents;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.testkit.BenchData;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;

/** Real recorded runs for the viewer's tests: the lab-05 LSM tree, with tiny sizes, so it flushes and compacts within a second. */
final class VizTestRuns {

    private VizTestRuns() {}

    /** Records {@code keys} random puts into a fresh LSM tree of {@code style} into {@code file}. */
    static Path lsmRun(Path dir, String name, LsmOptions.CompactionStyle style, int keys) throws IOException {
        Path file = dir.resolve(name);
        Path data = Files.createDirectories(dir.resolve(name + ".data"));
        LsmOptions options = LsmOptions.tiny().withCompaction(style);
        try (EventRecorder recorder = new EventRecorder(
                        file,
                        Map.of(
                                "engine",
                                style == LsmOptions.CompactionStyle.LEVELED ? "lsm" : "lsm-tiered",
                                "workload",
                                "fillrandom",
                                "keys",
                                keys,
                                "ops",
                                keys),
                        null);
                LsmStore store = LsmStore.open(DiskStorage.open(data), options)) {
            store.setEventListener(recorder);
            recorder.onEvent(LsmEvents.levels(store));
            Random random = new Random(42);
            for (int i = 0; i < keys; i++) {
                store.put(
                        Bytes.wrap(BenchData.keyBytes(random.nextInt(keys * 4))),
                        Bytes.wrap(BenchData.valueBytes(random)));
            }
            recorder.onEvent(LsmEvents.levels(store));
            store.setEventListener(null);
        }
        return file;
    }

    /** The number of the first event of {@code type} in the recording, or -1. */
    static int first(Path file, String type) throws IOException {
        List<String> lines = Files.readAllLines(file);
        for (int k = 1; k < lines.size(); k++) {
            if (lines.get(k).contains("\"type\":\"" + type + "\"")) {
                return k - 1;
            }
        }
        return -1;
    }

    private static Path millionEventRun;

    /**
     * One recording of a million {@link #writeSyntheticBtreeRun} events for every test class of this JVM
     * (80 MB: written once, not once per class), in a temporary folder deleted when the JVM exits.
     */
    static synchronized Path millionEventRun() throws IOException {
        if (millionEventRun == null) {
            Path dir = Files.createTempDirectory("viz-million");
            Path file = writeSyntheticBtreeRun(dir.resolve("million.jsonl"), 1_000_000);
            dir.toFile().deleteOnExit();
            file.toFile().deleteOnExit(); // deleted first: deleteOnExit runs in reverse order
            millionEventRun = file;
        }
        return millionEventRun;
    }

    /**
     * A valid recording of {@code events} B+tree events written directly in {@link RunFormat}, with
     * no engine behind it, so a run of a million events is made in a second or two: leaf splits,
     * evictions and group commits in turn, a root split every 100,000 events, and a picture of the
     * tree every 10,000 events (as the workbench's sampler takes one every 1% of a run).
     */
    private static Path writeSyntheticBtreeRun(Path file, int events) throws IOException {
        CRC32C crc = new CRC32C();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            line(
                    out,
                    crc,
                    "{\"format\":\"" + RunFormat.FORMAT + "\",\"version\":" + RunFormat.VERSION
                            + ",\"engine\":\"btree\","
                            + "\"workload\":\"fillrandom\",\"keys\":" + events + ",\"ops\":" + events + ",\"seed\":42,"
                            + "\"startedAt\":\"2026-11-25T10:00:00Z\"}");
            StringBuilder sb = new StringBuilder(512);
            for (int i = 0; i < events; i++) {
                sb.setLength(0);
                sb.append("{\"i\":")
                        .append(i)
                        .append(",\"t\":")
                        .append(1000L * i)
                        .append(",\"type\":");
                if (i % 10_000 == 0) {
                    sb.append("\"snapshot\",\"view\":\"btree\",\"height\":2,\"root\":1,\"pageCount\":33,\"pages\":[");
                    sb.append("{\"id\":1,\"level\":0,\"leaf\":false,\"fill\":0.4}");
                    for (int p = 2; p < 34; p++) {
                        sb.append(",{\"id\":").append(p).append(",\"level\":1,\"leaf\":true,\"fill\":0.7}");
                    }
                    sb.append("]}");
                } else if (i % 3 == 1 || i % 100_000 == 50_001) {
                    boolean root = i % 100_000 == 50_001;
                    sb.append("\"page.split\",\"page\":")
                            .append(2 + i % 32)
                            .append(",\"right\":")
                            .append(100 + i)
                            .append(",\"level\":")
                            .append(root ? 0 : 1)
                            .append(",\"leaf\":")
                            .append(!root)
                            .append(",\"fill\":0.5,\"separator\":\"key-")
                            .append(String.format(Locale.ROOT, "%012d", i))
                            .append("\",\"root\":")
                            .append(root)
                            .append('}');
                } else if (i % 3 == 2) {
                    sb.append("\"page.evict\",\"frame\":")
                            .append(i % 64)
                            .append(",\"evictions\":")
                            .append(i / 3)
                            .append('}');
                } else {
                    sb.append("\"wal.group_commit\",\"size\":")
                            .append(1 + i % 7)
                            .append(",\"bytes\":")
                            .append(120 * (1 + i % 7))
                            .append(",\"firstLsn\":")
                            .append(i)
                            .append(",\"segments\":")
                            .append(1 + i / 250_000)
                            .append('}');
                }
                line(out, crc, sb.toString());
            }
            String end = "{\"end\":true,\"events\":" + events + ",\"crc32c\":\"" + String.format("%08x", crc.getValue())
                    + "\"}\n";
            out.write(end.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    private static void line(OutputStream out, CRC32C crc, String line) throws IOException {
        byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
        crc.update(b);
        out.write(b);
    }
}
