package dev.storagelab.io;

/**
 * The {@link StorageContract} on the in-memory storage with no fault armed: it must behave
 * exactly like the disk, or crash tests run on it prove nothing about the disk.
 */
class FaultInjectingStorageContractTest extends StorageContract {

    @Override
    Storage newStorage() {
        return new FaultInjectingStorage(42);
    }
}
