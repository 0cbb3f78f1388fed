package dev.storagelab.workbench.engines;

import dev.storagelab.kv.Bytes;
import java.io.IOException;

/**
 * An open engine that places keys in tiers (lab-07's hybrid engines): what the shell's
 * {@code where}, {@code tiers} and {@code move} ask it.
 */
public interface RoutedHandle {

    /** Where {@code key} is served from and why (records no access). */
    String where(Bytes key) throws IOException;

    /** Each tier's size, the cache's hit rate, the migrations and their budget, as lines of text. */
    String tiers() throws IOException;

    /**
     * Moves {@code key} to {@code target} ({@code hot} or {@code cold}) now, whatever the router
     * says; returns what happened, in a sentence.
     */
    String move(Bytes key, String target) throws IOException;
}
