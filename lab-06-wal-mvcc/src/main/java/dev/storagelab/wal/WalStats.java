package dev.storagelab.wal;

/**
 * What a {@link Wal} has done since it was opened: a snapshot, taken by {@link Wal#stats()}.
 *
 * @param records        records appended (by {@link Wal#append} and {@link Wal#commit})
 * @param bytes          bytes of records written to segment files, with their LSN, type and framing
 *                       (each segment's file header, written when the segment is created, is not counted)
 * @param forces         forces of a segment file (by commits, {@link Wal#force}, and closing a full
 *                       segment before the next one starts)
 * @param commitGroups   group commits: storage writes of the records of one or more commits
 * @param meanGroupSize  commits per group: 1 when every commit writes alone, N when N commits share
 *                       each write and force (0 before the first commit)
 * @param waitingCommits commits in the commit queue right now, the leader's group included
 */
public record WalStats(
        long records, long bytes, long forces, long commitGroups, double meanGroupSize, int waitingCommits) {

    @Override
    public String toString() {
        return String.format(
                "%d records, %d bytes, %d forces, %d groups (%.2f records each), %d waiting",
                records, bytes, forces, commitGroups, meanGroupSize(), waitingCommits);
    }
}
