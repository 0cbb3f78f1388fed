package dev.storagelab.mvcc;

import dev.storagelab.kv.Bytes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a transaction read from its snapshot, for serializable validation (T8, bonus): the keys it
 * got, and the key ranges it scanned (a range covers the keys that were absent from it too, so an
 * insert into a scanned range is a conflict: no phantoms). Keys a transaction read from its own
 * writes are not recorded: they are in its write set, which first-committer-wins already checks.
 * Filled by one thread (the transaction's), then read under the oracle's lock at commit.
 */
public final class ReadSet {

    /** A scanned range {@code [from, to)}; a null bound is open. */
    private record Range(Bytes from, Bytes to) {
        boolean contains(Bytes key) {
            return (from == null || key.compareTo(from) >= 0) && (to == null || key.compareTo(to) < 0);
        }
    }

    private final Set<Bytes> keys = new HashSet<>();
    private final List<Range> ranges = new ArrayList<>();

    /** Records a get of {@code key} from the snapshot. */
    public void addKey(Bytes key) {
        keys.add(key);
    }

    /** Records a scan of {@code [from, to)} (null bounds open). */
    public void addRange(Bytes from, Bytes to) {
        ranges.add(new Range(from, to));
    }

    /** Whether the transaction read {@code key}: got it, or scanned a range that holds it. */
    public boolean contains(Bytes key) {
        if (keys.contains(key)) {
            return true;
        }
        for (Range r : ranges) {
            if (r.contains(key)) {
                return true;
            }
        }
        return false;
    }

    /** Whether nothing was read. */
    public boolean isEmpty() {
        return keys.isEmpty() && ranges.isEmpty();
    }

    @Override
    public String toString() {
        return "read " + keys.size() + " keys and " + ranges.size() + " ranges";
    }
}
