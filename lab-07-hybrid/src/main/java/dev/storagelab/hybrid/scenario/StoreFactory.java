package dev.storagelab.hybrid.scenario;

import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.RoutedStore;
import dev.storagelab.hybrid.SimpleHybridStore;
import dev.storagelab.hybrid.tier.DeviceModel;
import dev.storagelab.io.Storage;
import java.io.IOException;
import java.util.function.Function;

/**
 * Opens the store a scenario runs on: the same workload drives the {@link SimpleHybridStore} and
 * the hardened {@code HybridStore}, each opened by its own factory over the scenario's storage.
 */
@FunctionalInterface
public interface StoreFactory {

    /**
     * Opens a store over {@code storage} (the fast tier, already slowed down to {@code device}) and
     * {@code archive} (an empty in-memory directory for the archive tier), on {@code clock}.
     */
    RoutedStore open(Storage storage, Storage archive, SimClock clock, DeviceModel device) throws IOException;

    /** The simple engine with {@code knobs} (it has no archive tier and ignores the device). */
    public static StoreFactory simple(SimpleHybridStore.Knobs knobs) {
        return (storage, archive, clock, device) -> SimpleHybridStore.open(storage, clock.ticker(), knobs);
    }

    /**
     * The hardened {@link HybridStore} with {@code options}, made fit for a simulation: every clock
     * on the scenario's, the archive's latency spent on it too, maintenance left to the scenario (no
     * background thread) and the LSM tree's flushes and compactions done inline, so a run is
     * deterministic.
     */
    public static StoreFactory hardened(HybridOptions options) {
        return hardenedPerDevice(device -> options);
    }

    /**
     * The hardened {@link HybridStore} with the options {@code optionsFor} gives for the scenario's
     * device (its cost model's hardware profile, say), made fit for a simulation as
     * {@link #hardened(HybridOptions)} says.
     */
    public static StoreFactory hardenedPerDevice(Function<DeviceModel, HybridOptions> optionsFor) {
        return (storage, archive, clock, device) ->
                HybridStore.open(storage, archive, forSimulation(optionsFor.apply(device), clock));
    }

    /** {@code options} on {@code clock}, with no background thread anywhere. */
    public static HybridOptions forSimulation(HybridOptions options, SimClock clock) {
        return options.toBuilder()
                .clock(clock.ticker(), clock.sleeper())
                .maintenance(options.maintenanceInterval(), false)
                .lsm(options.lsm().withBackgroundWork(false))
                .build();
    }
}
