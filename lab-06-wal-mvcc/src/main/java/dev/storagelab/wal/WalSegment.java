package dev.storagelab.wal;

import java.util.List;

/**
 * One segment file of the log: its name and the LSN of the first record it holds (or would hold,
 * if it is the active segment and still empty). A segment's last LSN is the next segment's first
 * minus one; the active (last) segment ends at the log's last LSN.
 *
 * <p>Names are the first LSN as 20 decimal digits, zero-padded, then {@code .wal}: LSN 1 is
 * {@code 00000000000000000001.wal}. Twenty digits hold every positive {@code long}, and the
 * padding makes the names sort in LSN order.
 */
record WalSegment(String name, long firstLsn) {

    static final String SUFFIX = ".wal";
    static final int DIGITS = 20;

    /** The segment whose first record is {@code firstLsn}. */
    static WalSegment starting(long firstLsn) {
        return new WalSegment(String.format("%0" + DIGITS + "d" + SUFFIX, firstLsn), firstLsn);
    }

    /** The first LSN a segment file's name gives, or -1 if {@code name} is not a segment's name. */
    static long parseFirstLsn(String name) {
        if (name.length() != DIGITS + SUFFIX.length() || !name.endsWith(SUFFIX)) {
            return -1;
        }
        long lsn = 0;
        for (int i = 0; i < DIGITS; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            if (lsn > (Long.MAX_VALUE - (c - '0')) / 10) {
                return -1;
            }
            lsn = lsn * 10 + (c - '0');
        }
        return lsn >= 1 ? lsn : -1;
    }

    /**
     * How many segments at the front of {@code segments} hold only records below {@code lsn}: the
     * ones {@link Wal#truncateBefore} may delete because a checkpoint covers them.
     *
     * <p>Segment {@code i}'s records end where segment {@code i + 1}'s begin, at its first LSN minus
     * one. The last segment is the active one: it is never counted, even when it is covered (the
     * next record goes into it). The segments counted are always a prefix: deleting a segment in
     * the middle would leave a gap that recovery reports as corruption.
     *
     * @param segments the log's segments, in LSN order, the active one last
     * @return the number of leading segments that may be deleted, from 0 to {@code segments.size() - 1}
     */
    static int coveredBefore(List<WalSegment> segments, long lsn) {
        // BEGIN SOLUTION lab-06 T1
        int covered = 0;
        while (covered + 1 < segments.size() && segments.get(covered + 1).firstLsn() <= lsn) {
            covered++;
        }
        return covered;
        // END SOLUTION
    }
}
