package dev.storagelab.mvcc.check;

import java.util.List;
import java.util.Objects;

/**
 * One step of a recorded transaction over list-valued keys: an {@link Append} of one element to a
 * key's list, or a {@link Read} of a key's whole list. Every element appended to a key is unique
 * (no two appends put the same number on the same key), so a read names exactly which appends it
 * saw, and in which order: that is what lets the checker infer the order of versions.
 */
public sealed interface MicroOp permits MicroOp.Append, MicroOp.Read {

    /** The key this step is on. */
    String key();

    /** {@code append(key, element)}: the transaction put {@code element} at the end of the key's list. */
    record Append(String key, long element) implements MicroOp {
        public Append {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public String toString() {
            return "append(" + key + ", " + element + ")";
        }
    }

    /**
     * {@code read(key) -> value}: the transaction saw the key's list as {@code value} (empty for a
     * key never written), oldest element first.
     */
    record Read(String key, List<Long> value) implements MicroOp {
        public Read {
            Objects.requireNonNull(key, "key");
            value = List.copyOf(value);
        }

        @Override
        public String toString() {
            return "read(" + key + ") -> " + value;
        }
    }
}
