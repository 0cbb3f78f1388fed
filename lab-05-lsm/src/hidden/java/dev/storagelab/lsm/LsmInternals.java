package dev.storagelab.lsm;

/** What hidden tests reach inside the package: knobs the public API does not offer. */
public final class LsmInternals {

    private LsmInternals() {}

    /** Makes {@code manifest} start a new MANIFEST once the current one passes {@code bytes}. */
    public static Manifest rolloverAt(Manifest manifest, long bytes) {
        return manifest.rolloverAt(bytes);
    }

    /**
     * Makes {@code batch} run {@code pause} after each operation {@link WriteBatch#forEach} hands
     * to the store's memtable: a writer stopped inside {@code apply}, between two operations.
     */
    public static WriteBatch afterEachOperation(WriteBatch batch, Runnable pause) {
        batch.afterEachOperation = pause;
        return batch;
    }
}
