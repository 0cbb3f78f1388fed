package dev.storagelab.sortedlog;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of a {@link SortedLogStore}'s files. Every log and segment is numbered from one
 * counter, so names alone order them by age:
 * <ul>
 *   <li>{@code 000007.log}: the write-ahead log of the memtable numbered 7;</li>
 *   <li>{@code 000007-000007.seg}: that memtable, flushed;</li>
 *   <li>{@code 000003-000009.seg}: the compaction of every segment numbered 3 to 9. On open, a
 *       segment whose range lies inside another's is a leftover input of that compaction, and is
 *       deleted;</li>
 *   <li>{@code *.tmp}: a file being written, never yet published; deleted on open.</li>
 * </ul>
 */
public final class FileNames {

    private FileNames() {}

    private static final Pattern LOG = Pattern.compile("(\\d{6,})\\.log");
    private static final Pattern SEGMENT = Pattern.compile("(\\d{6,})-(\\d{6,})\\.seg");

    /** The range of memtable numbers a segment holds. */
    public record SegmentRange(long first, long last) {
        public SegmentRange {
            if (first < 1 || last < first) {
                throw new IllegalArgumentException("bad segment range " + first + "-" + last);
            }
        }

        /** Whether {@code other} lies inside this range and is not this range. */
        public boolean strictlyCovers(SegmentRange other) {
            return first <= other.first && other.last <= last && !equals(other);
        }

        public String fileName() {
            return String.format("%06d-%06d.seg", first, last);
        }
    }

    public static String log(long number) {
        return String.format("%06d.log", number);
    }

    public static String segment(long first, long last) {
        return new SegmentRange(first, last).fileName();
    }

    /** The number of a log file, if {@code name} is one. */
    public static Optional<Long> parseLog(String name) {
        Matcher m = LOG.matcher(name);
        return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    /** The range of a segment file, if {@code name} is one. */
    public static Optional<SegmentRange> parseSegment(String name) {
        Matcher m = SEGMENT.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        long first = Long.parseLong(m.group(1));
        long last = Long.parseLong(m.group(2));
        return first >= 1 && last >= first ? Optional.of(new SegmentRange(first, last)) : Optional.empty();
    }

    public static boolean isTemp(String name) {
        return name.endsWith(SegmentWriter.TEMP_SUFFIX);
    }
}
