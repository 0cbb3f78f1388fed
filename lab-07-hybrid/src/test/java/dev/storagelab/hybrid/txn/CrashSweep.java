package dev.storagelab.hybrid.txn;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * Failure mode 5 as a sweep: a power loss before every file operation (of either engine's log or
 * files, or of the coordinator's log) of a {@link TxnWorkload}, then recovery, then the check that
 * every transaction is wholly there or wholly absent in both engines. Optionally a crash during
 * recovery too, then recovery again.
 */
public final class CrashSweep {

    /** What a sweep did. */
    public static final class Result {
        /** Crash points run (crashes during recovery counted apart). */
        public long points;
        /** Crashes during recovery run. */
        public long recoveryPoints;
        /** Crash points in each view: {hot, cold, coordinator}. */
        public final long[] perView = new long[3];
        /** Mutations of the whole clean run. */
        public long total;
        /** Crash points after which the naive store was left with half a transaction. */
        public long broken;

        public Result add(Result o) {
            points += o.points;
            recoveryPoints += o.recoveryPoints;
            broken += o.broken;
            for (int i = 0; i < 3; i++) {
                perView[i] += o.perView[i];
            }
            total += o.total;
            return this;
        }
    }

    private CrashSweep() {}

    public static CrossEngineStore open(SharedDisk disk) throws IOException {
        return CrossEngineStore.open(
                disk.hot, disk.cold, disk.coordinator, TxnWorkload.ROUTE, CrossEngineStore.Options.small());
    }

    /**
     * Crashes the workload before every {@code step}-th mutation (offset {@code offset}) in crash
     * mode {@code mode}; after each, recovers and checks. With {@code recoveryCrashes} &gt; 0,
     * before the final recovery it also crashes the first recovery before its mutation r, for each
     * r from 1 to {@code recoveryCrashes} (or until a recovery runs clean), recovering again after each.
     */
    public static Result sweep(
            Supplier<TxnWorkload> workload, CrashMode mode, int step, int offset, int recoveryCrashes)
            throws IOException {
        Result result = new Result();
        SharedDisk dryDisk = new SharedDisk(1, mode);
        dryDisk.trace = true;
        CrossEngineStore dry = open(dryDisk);
        long before = dryDisk.disk.mutationCount();
        TxnWorkload dryRun = workload.get();
        assertThat("the clean run completes", dryRun.run(dry), equalTo(true));
        result.total = dryDisk.disk.mutationCount() - before;
        assertThat(
                "the shared disk's views see every mutation",
                (long) dryDisk.owners.size(),
                equalTo(dryDisk.disk.mutationCount()));
        assertThat(result.total, greaterThan(50L));
        for (long n = 1 + offset; n <= result.total; n += step) {
            SharedDisk disk = new SharedDisk(n, mode);
            CrossEngineStore store = open(disk);
            disk.disk.crashBeforeMutation(n);
            TxnWorkload run = workload.get();
            run.run(store);
            String when = mode + ", crash before mutation " + n + " of " + result.total + " (in "
                    + view(dryDisk.owners.get((int) (before + n - 1))) + ")";
            assertThat(when + ": the run crashed", disk.disk.isCrashed(), equalTo(true));
            disk.disk.powerLoss();
            result.perView["hck".indexOf(dryDisk.owners.get((int) (before + n - 1)))]++;
            for (int r = 1; r <= recoveryCrashes; r++) {
                disk.disk.crashBeforeMutation(r);
                boolean crashed;
                try {
                    open(disk); // abandoned, as a crashed process abandons it
                    crashed = disk.disk.isCrashed();
                } catch (IOException e) {
                    crashed = true;
                }
                disk.disk.powerLoss(); // also disarms the crash if recovery needed fewer than r mutations
                if (!crashed) {
                    break;
                }
                result.recoveryPoints++;
            }
            CrossEngineStore recovered = open(disk);
            run.check(recovered, when + (recoveryCrashes > 0 ? ", and crashes during recovery" : ""));
            recovered.close();
            result.points++;
        }
        return result;
    }

    /**
     * The same sweep over the naive store: counts the crash points that leave half a transaction
     * (never asserts atomicity: it has none).
     */
    public static Result sweepNaive(Supplier<TxnWorkload> workload, CrashMode mode, int step) throws IOException {
        Result result = new Result();
        SharedDisk dryDisk = new SharedDisk(1, mode);
        NaiveCrossEngineStore dry = NaiveCrossEngineStore.open(
                dryDisk.hot, dryDisk.cold, TxnWorkload.ROUTE, CrossEngineStore.Options.small());
        long before = dryDisk.disk.mutationCount();
        workload.get().run(dry::write, () -> {});
        result.total = dryDisk.disk.mutationCount() - before;
        for (long n = 1; n <= result.total; n += step) {
            SharedDisk disk = new SharedDisk(n, mode);
            NaiveCrossEngineStore store = NaiveCrossEngineStore.open(
                    disk.hot, disk.cold, TxnWorkload.ROUTE, CrossEngineStore.Options.small());
            disk.disk.crashBeforeMutation(n);
            TxnWorkload run = workload.get();
            run.run(store::write, () -> {});
            disk.disk.powerLoss();
            NaiveCrossEngineStore recovered = NaiveCrossEngineStore.open(
                    disk.hot, disk.cold, TxnWorkload.ROUTE, CrossEngineStore.Options.small());
            if (!run.atomic(TxnWorkload.contents(recovered::get))) {
                result.broken++;
            }
            recovered.close();
            result.points++;
        }
        return result;
    }

    private static String view(char owner) {
        return owner == 'h'
                ? "the HOT participant's storage"
                : owner == 'c' ? "the COLD participant's storage" : "the coordinator's storage";
    }
}
