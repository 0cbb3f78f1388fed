package dev.storagelab.bounds;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.HashMap;
import java.util.Map;

/**
 * The rollout table of a service: every live flag with its id and its {@link Rollout}, as the flag
 * service hands it out, and the answer to the question each request asks many times, "is flag
 * 42 on for this user?".
 *
 * <p>The flag service keeps its flags in a ring of slots, in id order: a new flag takes the next
 * id and the slot after the newest flag, and retiring the oldest flags frees the slots at the
 * other end. The table is that ring read from slot 0, so its ids are a <em>rotated</em> ascending
 * array, such as {@code [40, 41, 45, 12, 17, 23]}: ascending from the oldest flag to the end of
 * the array, then from slot 0 on up to the newest. A lookup by id is lab-02 T6's search in a
 * rotated sorted array, O(log n), with no copy to rotate it back.
 *
 * <p>Immutable and thread-safe; {@link #withPercent(int, double)} returns a new table.
 */
public final class RolloutTable {

    private final int[] flagIds; // a rotation of a strictly ascending array
    private final Rollout[] rollouts; // rollouts[i] is the rollout of flag flagIds[i]

    /**
     * A table of {@code flagIds.length} flags; both arrays are copied.
     *
     * @param flagIds  the flags' ids, a rotation (by any amount, 0 included) of a strictly
     *                 ascending array: at most one place where an id is smaller than the one
     *                 before it, and then the last id is smaller than the first
     * @param rollouts {@code rollouts[i]} is the rollout of the flag {@code flagIds[i]}; no two
     *                 flags may share a name, since the name fixes which users a flag reaches
     * @throws NullPointerException     if an array or a rollout is null
     * @throws IllegalArgumentException if the arrays differ in length, the ids are not a rotated
     *                                  ascending array (the message names the first index that
     *                                  breaks it), or two flags have the same name
     */
    public RolloutTable(int[] flagIds, Rollout[] rollouts) {
        checkNotNull(flagIds, "flagIds must not be null");
        checkNotNull(rollouts, "rollouts must not be null");
        checkArgument(
                flagIds.length == rollouts.length,
                "%s flag ids but %s rollouts: one rollout per id",
                flagIds.length,
                rollouts.length);
        this.flagIds = flagIds.clone();
        this.rollouts = rollouts.clone();
        int descents = 0;
        for (int i = 1; i < this.flagIds.length; i++) {
            if (this.flagIds[i] == this.flagIds[i - 1]) {
                throw new IllegalArgumentException("flag id " + this.flagIds[i] + " is at index " + (i - 1) + " and "
                        + i + ": ids must be distinct");
            }
            if (this.flagIds[i] < this.flagIds[i - 1] && ++descents > 1) {
                throw new IllegalArgumentException("flag ids are not a rotated ascending array: " + this.flagIds[i]
                        + " at index " + i + " is the second id smaller than the one before it");
            }
        }
        int n = this.flagIds.length;
        if (descents == 1 && this.flagIds[n - 1] >= this.flagIds[0]) {
            throw new IllegalArgumentException(
                    "flag ids are not a rotated ascending array: the last id, " + this.flagIds[n - 1] + " at index "
                            + (n - 1) + ", is not smaller than the first, " + this.flagIds[0]);
        }
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < n; i++) {
            checkNotNull(this.rollouts[i], "the rollout of flag %s (index %s) is null", this.flagIds[i], i);
            Integer other = names.putIfAbsent(this.rollouts[i].flag(), this.flagIds[i]);
            checkArgument(
                    other == null,
                    "flags %s and %s are both named %s: they would reach the same users",
                    other,
                    this.flagIds[i],
                    this.rollouts[i].flag());
        }
    }

    /** The number of flags. */
    public int size() {
        return flagIds.length;
    }

    /**
     * The index of the flag {@code flagId} in the table, or -1 if the table has no such flag.
     * O(log n): {@link RotatedSearch#search(int[], int)} (T6) over the ids, which are a rotated
     * ascending array of distinct values; no second search.
     */
    public int indexOf(int flagId) {
        // BEGIN SOLUTION lab-02 T8
        return RotatedSearch.search(flagIds, flagId);
        // END SOLUTION
    }

    /** The rollout of flag {@code flagId}, or null if the table has no such flag. */
    public Rollout rollout(int flagId) {
        int i = indexOf(flagId);
        return i < 0 ? null : rollouts[i];
    }

    /**
     * Whether flag {@code flagId} is on for {@code userId}. A flag the table does not hold (not
     * created yet, or retired) is off: the old code path is the safe default.
     *
     * @throws NullPointerException if {@code userId} is null
     */
    public boolean isOn(int flagId, String userId) {
        checkNotNull(userId, "userId must not be null");
        Rollout r = rollout(flagId);
        return r != null && r.isOn(userId);
    }

    /**
     * This table with flag {@code flagId} at {@code percent}% and every other flag unchanged.
     *
     * @throws IllegalArgumentException if the table has no flag {@code flagId}, or {@code percent}
     *                                  is not in {@code [0, 100]}
     */
    public RolloutTable withPercent(int flagId, double percent) {
        int i = indexOf(flagId);
        checkArgument(i >= 0, "no flag %s in this table of %s flags", flagId, flagIds.length);
        Rollout[] changed = rollouts.clone();
        changed[i] = rollouts[i].withPercent(percent);
        return new RolloutTable(flagIds, changed);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("RolloutTable[");
        for (int i = 0; i < flagIds.length; i++) {
            s.append(i == 0 ? "" : ", ")
                    .append(flagIds[i])
                    .append('=')
                    .append(rollouts[i].flag())
                    .append('@')
                    .append(rollouts[i].percent())
                    .append('%');
        }
        return s.append(']').toString();
    }
}
