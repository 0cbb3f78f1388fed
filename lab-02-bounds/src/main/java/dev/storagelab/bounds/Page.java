package dev.storagelab.bounds;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.storagelab.kv.Entry;
import java.util.List;

/**
 * One page of a keyset pagination: up to {@code limit} live entries in the walk's order, and the
 * opaque token that fetches the page after it.
 *
 * @param entries    the entries, in key order for {@link Direction#FORWARD} and reverse key order
 *                   for {@link Direction#BACKWARD}; an unmodifiable copy
 * @param nextCursor the token to pass to {@link KeysetPaginator#next(String, int)}, or null when
 *                   this is the last page
 */
public record Page(List<Entry> entries, String nextCursor) {

    public Page {
        entries = List.copyOf(checkNotNull(entries, "entries must not be null"));
    }

    /** Whether this is the last page: there is no cursor to continue from. */
    public boolean isLast() {
        return nextCursor == null;
    }
}
