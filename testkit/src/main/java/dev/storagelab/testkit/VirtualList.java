package dev.storagelab.testkit;

import java.util.AbstractList;
import java.util.RandomAccess;
import java.util.function.IntToLongFunction;

/**
 * A read-only list whose elements are computed from their index, so it can be as long as an int
 * allows without holding anything: the way to test a search's midpoint near Integer.MAX_VALUE.
 */
public final class VirtualList extends AbstractList<Long> implements RandomAccess {

    private final int size;
    private final IntToLongFunction element;

    /** A list of {@code size} elements; element {@code i} is {@code element.applyAsLong(i)}. */
    public VirtualList(int size, IntToLongFunction element) {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        this.size = size;
        this.element = element;
    }

    @Override
    public Long get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(index + " of a list of size " + size);
        }
        return element.applyAsLong(index);
    }

    @Override
    public int size() {
        return size;
    }
}
