package dev.storagelab.hybrid.scenario;

import dev.storagelab.hybrid.RoutedStore;
import dev.storagelab.hybrid.SimpleHybridStore;
import dev.storagelab.hybrid.tier.DeviceModel;
import dev.storagelab.io.Storage;
import java.io.IOException;

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
    static StoreFactory simple(SimpleHybridStore.Knobs knobs) {
        return (storage, archive, clock, device) -> SimpleHybridStore.open(storage, clock.ticker(), knobs);
    }
}
