package dev.storagelab.testkit;

import java.util.Comparator;
import java.util.Objects;

/**
 * Key comparisons counted where lab code cannot avoid them: the values are wrapped in opaque
 * {@link Key}s that only this comparator can compare. Generic code handed such keys (a binary
 * search over a list, an ordered map built with a comparator) can neither read them nor order
 * them any other way, so each comparison it makes comes through {@link #compare} and is counted.
 * Lab code may not call this package, so it cannot unwrap a key or reset the count either. A
 * benchmark's counting pass counts with it; one order belongs to one thread.
 *
 * @param <T> the values compared
 */
public final class CountingOrder<T> implements Comparator<CountingOrder.Key<T>> {

    /** A value only its {@link CountingOrder} can compare or read. */
    public static final class Key<T> {
        private final T value;

        private Key(T value) {
            this.value = value;
        }

        /** Says nothing of the value: a key is to be compared, not read. */
        @Override
        public String toString() {
            return "a key";
        }
    }

    private final Comparator<? super T> order;
    private long comparisons;

    /** An order that compares values by {@code order}. */
    public CountingOrder(Comparator<? super T> order) {
        this.order = Objects.requireNonNull(order, "order");
    }

    /** {@code value}, wrapped. */
    public Key<T> key(T value) {
        return new Key<>(value);
    }

    /** The value {@code key} wraps: for the benchmark's answer checks. */
    public T value(Key<T> key) {
        return key.value;
    }

    @Override
    public int compare(Key<T> a, Key<T> b) {
        comparisons++;
        return order.compare(a.value, b.value);
    }

    /** The comparisons made so far. */
    public long comparisons() {
        return comparisons;
    }
}
