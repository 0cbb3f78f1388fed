package dev.storagelab.hybrid.cache;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;

/** Builds a {@link ReplacementPolicy} by the name the hybrid's options and the reports use. */
public final class ReplacementPolicies {

    /** The names {@link #of} knows, in the order reports list them. */
    public static final List<String> NAMES = List.of("arc", "lru", "lfu");

    private ReplacementPolicies() {}

    /**
     * An empty policy: {@code arc} ({@link ArcPolicy}), {@code lru} ({@link LruPolicy}) or
     * {@code lfu} ({@link LfuPolicy}), keeping {@code capacity} resident keys.
     *
     * @throws IllegalArgumentException if the name is none of those, or {@code capacity < 1}
     */
    public static <K> ReplacementPolicy<K> of(String name, int capacity) {
        checkArgument(name != null, "replacement policy name must not be null (arc, lru or lfu)");
        checkArgument(capacity >= 1, "capacity must be at least 1: %s", capacity);
        return switch (name) {
            case "arc" -> new ArcPolicy<>(capacity);
            case "lru" -> new LruPolicy<>(capacity);
            case "lfu" -> new LfuPolicy<>(capacity);
            default ->
                throw new IllegalArgumentException("unknown replacement policy '" + name + "' (arc, lru or lfu)");
        };
    }
}
