package dev.storagelab.hybrid.txn.bench;

import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.Placement;
import dev.storagelab.hybrid.Tier;
import dev.storagelab.hybrid.txn.CrossEngineStore;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.testkit.BenchData;
import dev.storagelab.wal.SyncMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One cross-engine commit on a real disk (lab-07 T9): a transaction that puts a 100-byte value
 * under one HOT key (the B+tree) and one COLD key (the LSM tree), every commit durable on return
 * ({@link SyncMode#EVERY_WRITE}: no group commit, one thread), with {@code commitStore}:
 * <ul>
 *   <li>{@code 2pc}: T9's {@link CrossEngineStore}, each engine with its own log in its own
 *       directory and the coordinator's log in a third: two PREPAREs, the DECISION and two COMMITs
 *       forced, five forces per transaction, one after the other;</li>
 *   <li>{@code shared-log}: lab-07's {@link HybridStore}, one lab-06 write-ahead log in front of both
 *       engines: the batch is one record, one force.</li>
 * </ul>
 * With {@code commitDevice=memory} the same runs over lab-01's in-memory storage, where a force
 * costs nothing: what is left is the protocol's own CPU cost (encoding, three logs, the in-doubt
 * table), steady enough to grade. Both engines are checkpointed after each iteration so the logs do
 * not grow without bound. The directory is {@code java.io.tmpdir} unless {@code -Dtxn.bench.dir=...} names one: it must be on a
 * real disk (not tmpfs), or the forces cost nothing and the benchmark measures nothing. Run with
 * {@code -bm sample} for percentiles.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class CrossEngineCommitBenchmark {

    private static final int PROBES = 1 << 10;

    @Param({"2pc", "shared-log"})
    public String commitStore;

    @Param({"2000"})
    public int commitKeys;

    /** {@code disk}: a temporary directory, real forces; {@code memory}: lab-01's in-memory storage, the protocol's CPU cost alone. */
    @Param({"disk", "memory"})
    public String commitDevice;

    private Path dir;
    private CrossEngineStore twoPhase;
    private HybridStore shared;
    private Bytes[] hotKeys;
    private Bytes[] coldKeys;
    private Bytes value;
    private int next;

    private static Bytes key(char kind, int i) {
        return Bytes.of(String.format("%c%015d", kind, i));
    }

    @Setup(Level.Trial)
    public void open() throws IOException {
        String base = System.getProperty("txn.bench.dir", System.getProperty("java.io.tmpdir"));
        dir = commitDevice.equals("disk") ? Files.createTempDirectory(Path.of(base), "txn-bench") : null;
        BenchData.setUpIn(dir, () -> {
            byte[] v = new byte[100];
            new Random(42).nextBytes(v);
            value = Bytes.wrap(v);
            Storage[] storages;
            if (commitDevice.equals("disk")) {
                DiskStorage root = DiskStorage.open(dir);
                storages = new Storage[] {
                    root.subdirectory("hot"), root.subdirectory("cold"), root.subdirectory("coord"), root
                };
            } else if (commitDevice.equals("memory")) {
                storages = new Storage[] {
                    new FaultInjectingStorage(1),
                    new FaultInjectingStorage(2),
                    new FaultInjectingStorage(3),
                    new FaultInjectingStorage(4)
                };
            } else {
                throw new IllegalArgumentException("commitDevice must be disk or memory: " + commitDevice);
            }
            if (commitStore.equals("2pc")) {
                twoPhase = CrossEngineStore.open(
                        storages[0],
                        storages[1],
                        storages[2],
                        k -> k.byteAt(0) == 'h' ? Placement.HOT : Placement.COLD,
                        CrossEngineStore.Options.defaults());
            } else if (commitStore.equals("shared-log")) {
                shared = HybridStore.open(
                        storages[3],
                        HybridOptions.builder()
                                .cache("arc", 0)
                                .syncMode(SyncMode.EVERY_WRITE)
                                .maintenance(Duration.ofSeconds(1), false)
                                .build());
            } else {
                throw new IllegalArgumentException("commitStore must be 2pc or shared-log: " + commitStore);
            }
            List<Entry> load = new ArrayList<>();
            for (int i = 0; i < commitKeys; i++) {
                load.add(Entry.put(key('h', i), value));
                load.add(Entry.put(key('c', i), value));
                if (load.size() >= 1000) {
                    write(load);
                    load.clear();
                }
            }
            if (!load.isEmpty()) {
                write(load);
            }
            if (shared != null) {
                for (int i = 0; i < commitKeys; i++) {
                    shared.move(key('h', i), Placement.HOT);
                }
            }
            checkpoint();
            Random random = new Random(7);
            hotKeys = new Bytes[PROBES];
            coldKeys = new Bytes[PROBES];
            for (int i = 0; i < PROBES; i++) {
                hotKeys[i] = key('h', random.nextInt(commitKeys));
                coldKeys[i] = key('c', random.nextInt(commitKeys));
            }
            // Both stores place the keys as the benchmark says, or it compares nothing.
            if (shared != null && (shared.where(hotKeys[0]) != Tier.HOT || shared.where(coldKeys[0]) != Tier.COLD)) {
                throw new IllegalStateException("the shared-log store did not place the keys HOT and COLD");
            }
        });
    }

    private void write(List<Entry> batch) throws IOException {
        if (twoPhase != null) {
            twoPhase.write(batch);
        } else {
            shared.write(batch);
        }
    }

    private void checkpoint() throws IOException {
        if (twoPhase != null) {
            twoPhase.checkpoint();
        } else {
            shared.checkpoint();
        }
    }

    @TearDown(Level.Iteration)
    public void checkpointAfterIteration() throws IOException {
        Optional<Bytes> got = twoPhase != null ? twoPhase.get(hotKeys[0]) : shared.get(hotKeys[0]);
        if (got.isEmpty()) {
            throw new IllegalStateException("a loaded key was lost");
        }
        checkpoint();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        if (twoPhase != null) {
            twoPhase.close();
        } else {
            shared.close();
        }
        BenchData.delete(dir);
    }

    /** One transaction: a HOT key and a COLD key, durable on return. */
    @Benchmark
    public int crossEngineCommit() throws IOException {
        int i = next++ & (PROBES - 1);
        write(List.of(Entry.put(hotKeys[i], value), Entry.put(coldKeys[i], value)));
        return i;
    }
}
