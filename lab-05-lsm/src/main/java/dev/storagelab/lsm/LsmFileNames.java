package dev.storagelab.lsm;

/**
 * The names of an LSM tree's files inside its directory, as LevelDB's {@code filename.cc} makes
 * them. Every file but CURRENT carries a number from the MANIFEST's one counter (the next file
 * number), so a name is never reused.
 *
 * <pre>
 * 000005.log        a write-ahead log
 * 000012.sst        a table
 * MANIFEST-000003   a MANIFEST
 * CURRENT           names the live MANIFEST
 * CURRENT.tmp       a CURRENT being written (renamed over CURRENT when complete)
 * </pre>
 */
public final class LsmFileNames {

    public static final String CURRENT = "CURRENT";
    public static final String CURRENT_TEMP = "CURRENT.tmp";
    public static final String MANIFEST_PREFIX = "MANIFEST-";

    /** The kinds of numbered files. */
    public enum Type {
        LOG,
        TABLE,
        MANIFEST
    }

    /** A parsed file name. */
    public record Parsed(Type type, long number) {}

    private LsmFileNames() {}

    /** {@code 000005.log}. */
    public static String log(long number) {
        return digits(number) + ".log";
    }

    /** {@code 000012.sst}. */
    public static String table(long number) {
        return digits(number) + ".sst";
    }

    /** {@code MANIFEST-000003}. */
    public static String manifest(long number) {
        return MANIFEST_PREFIX + digits(number);
    }

    /** The type and number of a numbered file's name, or null for any other name (CURRENT included). */
    public static Parsed parse(String name) {
        if (name.startsWith(MANIFEST_PREFIX)) {
            long n = number(name.substring(MANIFEST_PREFIX.length()));
            return n > 0 ? new Parsed(Type.MANIFEST, n) : null;
        }
        if (name.endsWith(".log") || name.endsWith(".sst")) {
            long n = number(name.substring(0, name.length() - 4));
            return n > 0 ? new Parsed(name.endsWith(".log") ? Type.LOG : Type.TABLE, n) : null;
        }
        return null;
    }

    /** The digits as a number (at least six of them, at most 18), or -1. */
    private static long number(String digits) {
        if (digits.length() < 6 || digits.length() > 18) {
            return -1;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(digits);
    }

    /**
     * {@code number} in decimal, zero-padded to six digits: {@code String.format("%06d")}, without
     * parsing a format for every table a compaction starts.
     */
    private static String digits(long number) {
        if (number <= 0) {
            throw new IllegalArgumentException("file numbers are positive: " + number);
        }
        String d = Long.toString(number);
        return d.length() >= 6 ? d : "000000".substring(d.length()) + d;
    }
}
