package dev.storagelab.hybrid.scenario;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.hybrid.HybridStats;
import dev.storagelab.hybrid.RoutedStore;
import dev.storagelab.hybrid.tier.DeviceModel;
import dev.storagelab.hybrid.tier.LatencyInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One scenario run's test bench: a store opened by a {@link StoreFactory} over in-memory storage
 * (lab-01's {@link FaultInjectingStorage}, no faults) slowed down to a {@link DeviceModel} by a
 * {@link LatencyInjectingStorage} whose sleeper advances the scenario's {@link SimClock}; the
 * operations a scenario drives, each timed on that clock; {@link RoutedStore#runMaintenance()}
 * called every maintenance interval of simulated time, with the migrations it did counted apart
 * from those done on the request path; and, on request, a {@link TreeMap} that every read is
 * checked against.
 *
 * <p>An operation that throws a {@link RuntimeException} (the simple engine's B+tree refusing a
 * value too large for it) is counted in {@link #errors()}, the first one kept, and the run goes on.
 */
public final class Rig implements Closeable {

    private final SimClock clock;
    private final FaultInjectingStorage disk;
    private final FaultInjectingStorage archive;
    private final LatencyInjectingStorage device;
    private final RoutedStore store;
    private final TreeMap<Bytes, Bytes> model;
    private final long interval;
    private long nextMaintenance;
    private long nextSync;
    private long maintenanceRuns;
    private long maintenanceMigrations;
    private long maxDuplicateKeys;
    private long errors;
    private RuntimeException firstError;
    private long mismatches;
    private String firstMismatch;
    private Latencies gets = new Latencies();

    private Rig(
            SimClock clock,
            FaultInjectingStorage disk,
            FaultInjectingStorage archive,
            LatencyInjectingStorage device,
            RoutedStore store,
            boolean checkModel,
            Duration maintenanceInterval) {
        this.clock = clock;
        this.disk = disk;
        this.archive = archive;
        this.device = device;
        this.store = store;
        this.model = checkModel ? new TreeMap<>() : null;
        this.interval = maintenanceInterval.toNanos();
        this.nextMaintenance = clock.now() + interval;
        this.nextSync = clock.now() + SYNC_INTERVAL;
    }

    /**
     * How often the rig calls {@link RoutedStore#sync()}: an application that wants its writes
     * durable within a minute. The hardened store's writes are durable once logged, so its sync is
     * cheap; the simple engine's checkpoints its B+tree, as it must for its hot keys' writes to
     * survive a crash, and the write amplification shows it.
     */
    public static final long SYNC_INTERVAL = Duration.ofMinutes(1).toNanos();

    /**
     * Opens a store with {@code factory} on fresh in-memory storage behind {@code deviceModel}.
     *
     * @param checkModel whether to keep a {@link TreeMap} of every write and check every read against it
     */
    public static Rig open(
            StoreFactory factory,
            SimClock clock,
            DeviceModel deviceModel,
            Duration maintenanceInterval,
            boolean checkModel)
            throws IOException {
        Objects.requireNonNull(factory, "factory");
        checkArgument(
                maintenanceInterval != null && !maintenanceInterval.isNegative() && !maintenanceInterval.isZero(),
                "maintenanceInterval must be positive: %s",
                maintenanceInterval);
        FaultInjectingStorage disk = new FaultInjectingStorage(1);
        FaultInjectingStorage archive = new FaultInjectingStorage(2);
        LatencyInjectingStorage device = new LatencyInjectingStorage(disk, deviceModel, clock.sleeper());
        RoutedStore store = factory.open(device, archive, clock, deviceModel);
        return new Rig(clock, disk, archive, device, store, checkModel, maintenanceInterval);
    }

    public RoutedStore store() {
        return store;
    }

    public SimClock clock() {
        return clock;
    }

    /** The fast tier's device, with its call and byte counts. */
    public LatencyInjectingStorage device() {
        return device;
    }

    /** Where the latencies of the gets from now on go. */
    public void recordGetsInto(Latencies latencies) {
        this.gets = Objects.requireNonNull(latencies, "latencies");
    }

    /**
     * Moves simulated time to {@code nanos} (if it is ahead), calling {@link RoutedStore#runMaintenance()}
     * at every maintenance tick on the way, and {@link RoutedStore#sync()} every {@link #SYNC_INTERVAL}.
     * Both spend simulated time too (their I/O sleeps on the clock); ticks they overran are not made up.
     */
    public void advanceTo(long nanos) throws IOException {
        while (Math.min(nextMaintenance, nextSync) <= nanos) {
            if (nextSync < nextMaintenance) {
                clock.advanceTo(nextSync);
                store.sync();
                nextSync = Math.max(nextSync + SYNC_INTERVAL, clock.now());
            } else {
                clock.advanceTo(nextMaintenance);
                maintain();
                nextMaintenance = Math.max(nextMaintenance + interval, clock.now());
            }
        }
        clock.advanceTo(nanos);
    }

    /**
     * Calls {@link RoutedStore#runMaintenance()} now, counting the migrations it does and noting the
     * keys in two engines after it.
     */
    public void maintain() throws IOException {
        long before = store.stats().migrations();
        store.runMaintenance();
        HybridStats after = store.stats();
        maintenanceMigrations += after.migrations() - before;
        maxDuplicateKeys = Math.max(maxDuplicateKeys, after.duplicateKeys());
        maintenanceRuns++;
    }

    /** A get, timed into the current {@link Latencies}; checked against the model if there is one. */
    public Optional<Bytes> get(Bytes key) throws IOException {
        long start = clock.now();
        Optional<Bytes> v;
        try {
            v = store.get(key);
        } catch (RuntimeException e) {
            failed(e);
            return Optional.empty();
        }
        gets.add(clock.now() - start);
        if (model != null) {
            Bytes expected = model.get(key);
            if (!Objects.equals(v.orElse(null), expected)) {
                mismatch("get(" + key + ") returned " + v.map(Bytes::toString).orElse("nothing") + ", the model has "
                        + (expected == null ? "nothing" : expected.toString()));
            }
        }
        return v;
    }

    public void put(Bytes key, Bytes value) throws IOException {
        try {
            store.put(key, value);
        } catch (RuntimeException e) {
            failed(e);
            return;
        }
        if (model != null) {
            model.put(key, value);
        }
    }

    public void delete(Bytes key) throws IOException {
        try {
            store.delete(key);
        } catch (RuntimeException e) {
            failed(e);
            return;
        }
        if (model != null) {
            model.remove(key);
        }
    }

    /**
     * Reads up to {@code limit} entries from {@code from} (null: from the first key); returns how
     * many there were (checked against the model).
     */
    public int scan(Bytes from, int limit) throws IOException {
        int n = 0;
        Iterator<Map.Entry<Bytes, Bytes>> expected = model == null
                ? null
                : (from == null ? model : model.tailMap(from, true)).entrySet().iterator();
        try (EntryIterator it = store.scan(from, null)) {
            while (n < limit && it.hasNext()) {
                Entry e = it.next();
                n++;
                if (expected != null) {
                    Map.Entry<Bytes, Bytes> want = expected.hasNext() ? expected.next() : null;
                    if (want == null
                            || !want.getKey().equals(e.key())
                            || !want.getValue().equals(e.value())) {
                        mismatch("scan from " + from + ": entry " + n + " is " + e + ", the model has "
                                + (want == null ? "nothing" : want.getKey() + "=" + want.getValue()));
                        return n;
                    }
                }
            }
        } catch (RuntimeException e) {
            failed(e);
        }
        if (expected != null && n < limit && expected.hasNext()) {
            mismatch("scan from " + from + " ended after " + n + " entries; the model has "
                    + expected.next().getKey() + " next");
        }
        return n;
    }

    /**
     * Checks the whole store against the model (a full scan both ways, and a get of every key);
     * returns the mismatches found so far, all runs included. Needs {@code checkModel}.
     */
    public long verifyAgainstModel() throws IOException {
        checkArgument(model != null, "this rig keeps no model");
        int n = scan(null, Integer.MAX_VALUE);
        if (n != model.size()) {
            mismatch("a full scan returned " + n + " entries; the model has " + model.size());
        }
        Iterator<Map.Entry<Bytes, Bytes>> want =
                model.descendingMap().entrySet().iterator();
        try (EntryIterator it = store.scanReverse(null, null)) {
            while (it.hasNext()) {
                Entry e = it.next();
                Map.Entry<Bytes, Bytes> w = want.hasNext() ? want.next() : null;
                if (w == null || !w.getKey().equals(e.key()) || !w.getValue().equals(e.value())) {
                    mismatch("a reverse scan returned " + e + " where the model has "
                            + (w == null ? "nothing" : w.getKey()));
                    break;
                }
            }
        }
        for (Bytes key : model.keySet()) {
            Optional<Bytes> v = store.get(key);
            if (!v.equals(Optional.of(model.get(key)))) {
                mismatch("get(" + key + ") returned " + v + " at the final check, the model has " + model.get(key));
            }
        }
        return mismatches;
    }

    private void failed(RuntimeException e) {
        if (errors++ == 0) {
            firstError = e;
        }
    }

    private void mismatch(String what) {
        if (mismatches++ == 0) {
            firstMismatch = what;
        }
    }

    /** The store's counters now. */
    public HybridStats stats() {
        return store.stats();
    }

    /** Bytes in every file of the fast tier and the archive: what the store occupies. */
    public long storedBytes() throws IOException {
        long sum = 0;
        for (FaultInjectingStorage s : new FaultInjectingStorage[] {disk, archive}) {
            for (String name : s.list()) {
                sum += s.size(name);
            }
        }
        return sum;
    }

    /** Every file of the fast tier and the archive with its size, a line each (for reports and failure messages). */
    public String describeFiles() throws IOException {
        StringBuilder b = new StringBuilder();
        for (FaultInjectingStorage s : new FaultInjectingStorage[] {disk, archive}) {
            for (String name : s.list()) {
                b.append(s == archive ? "archive/" : "")
                        .append(name)
                        .append(' ')
                        .append(s.size(name))
                        .append('\n');
            }
        }
        return b.toString();
    }

    /** The most keys in two engines at once, as read after each maintenance run. */
    public long maxDuplicateKeys() {
        return maxDuplicateKeys;
    }

    public long maintenanceRuns() {
        return maintenanceRuns;
    }

    /** Migrations done inside {@link RoutedStore#runMaintenance()}; the rest of {@link HybridStats#migrations()} were inline. */
    public long maintenanceMigrations() {
        return maintenanceMigrations;
    }

    public long errors() {
        return errors;
    }

    /** The first operation's failure, or null. */
    public RuntimeException firstError() {
        return firstError;
    }

    public long mismatches() {
        return mismatches;
    }

    /** What the first mismatch with the model was, or null. */
    public String firstMismatch() {
        return firstMismatch;
    }

    /** "none" or the first error's message, for a result. */
    String errorSummary() {
        return firstError == null ? "none" : firstError.getClass().getSimpleName() + ": " + firstError.getMessage();
    }

    @Override
    public void close() throws IOException {
        store.close();
    }
}
