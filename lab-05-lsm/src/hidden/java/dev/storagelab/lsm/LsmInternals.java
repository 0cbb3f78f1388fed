package dev.storagelab.lsm;

/** What hidden tests reach inside the package: knobs the public API does not offer. */
public final class LsmInternals {

    private LsmInternals() {
    }

    /** Makes {@code manifest} start a new MANIFEST once the current one passes {@code bytes}. */
    public static Manifest rolloverAt(Manifest manifest, long bytes) {
        return manifest.rolloverAt(bytes);
    }
}
