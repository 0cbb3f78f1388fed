package dev.storagelab.workbench.viz;

import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.LsmEvents;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.testkit.BenchData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Real recorded runs for the viewer's tests: the lab-05 LSM tree, with tiny sizes, so it flushes and compacts within a second. */
final class VizTestRuns {

    private VizTestRuns() {
    }

    /** Records {@code keys} random puts into a fresh LSM tree of {@code style} into {@code file}. */
    static Path lsmRun(Path dir, String name, LsmOptions.CompactionStyle style, int keys) throws IOException {
        Path file = dir.resolve(name);
        Path data = Files.createDirectories(dir.resolve(name + ".data"));
        LsmOptions options = LsmOptions.tiny().withCompaction(style);
        try (EventRecorder recorder = new EventRecorder(file, Map.of("engine", style == LsmOptions.CompactionStyle.LEVELED
                ? "lsm" : "lsm-tiered", "workload", "fillrandom", "keys", keys, "ops", keys), null);
             LsmStore store = LsmStore.open(DiskStorage.open(data), options)) {
            store.setEventListener(recorder);
            recorder.onEvent(LsmEvents.levels(store));
            Random random = new Random(42);
            for (int i = 0; i < keys; i++) {
                store.put(Bytes.wrap(BenchData.keyBytes(random.nextInt(keys * 4))), Bytes.wrap(BenchData.valueBytes(random)));
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
}
