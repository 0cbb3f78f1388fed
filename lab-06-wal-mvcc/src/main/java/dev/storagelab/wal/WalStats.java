package dev.storagelab.wal;

/**
 * What a {@link Wal} has done since it was opened: a snapshot, taken by {@link Wal#stats()}.
 *
 * @param records        records appended (by {@link Wal#append} and {@link Wal#commit})
 * @param bytes          bytes written to segment files: records with their LSN, type and framing
 * @param forces         forces of a segment file (group commits, {@link Wal#force}, closing a full
 *                       segment before the next one starts)
 * @param commitGroups   storage writes of records: each is one group, written in one append
 * @param waitingCommits appends, commits and forces in the commit queue right now, the leader's
 *                       group included
 */
public record WalStats(long records, long bytes, long forces, long commitGroups, int waitingCommits) {

    /** Records per group: 1 when every commit writes alone, N when N commits share each write. */
    public double meanGroupSize() {
        return commitGroups == 0 ? 0 : (double) records / commitGroups;
    }

    @Override
    public String toString() {
        return String.format("%d records, %d bytes, %d forces, %d groups (%.2f records each), %d waiting",
                records, bytes, forces, commitGroups, meanGroupSize(), waitingCommits);
    }
}
