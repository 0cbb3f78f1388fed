package dev.storagelab.hybrid.scenario;

import dev.storagelab.kv.Bytes;

/** The keys and values the scenarios write: fixed-width keys, values that name their key and version. */
final class ScenarioData {

    private ScenarioData() {}

    /** {@code prefix/%010d}: keys of one prefix sort by number. */
    static Bytes key(String prefix, long i) {
        return Bytes.of(String.format("%s/%010d", prefix, i));
    }

    /** The bytes of {@link #key}. */
    static int keyBytes(String prefix) {
        return prefix.length() + 11;
    }

    /** A value of {@code size} bytes (at least 16), different for each key number and version. */
    static Bytes value(long i, long version, int size) {
        byte[] b = new byte[Math.max(16, size)];
        long x = i * 0x9E3779B97F4A7C15L + version * 0xC2B2AE3D27D4EB4FL;
        for (int j = 0; j < b.length; j++) {
            if ((j & 7) == 0) {
                x ^= x >>> 29;
                x *= 0xBF58476D1CE4E5B9L;
                x ^= x >>> 32;
            }
            b[j] = (byte) (x >>> ((j & 7) * 8));
        }
        for (int j = 0; j < 8; j++) {
            b[j] = (byte) (i >>> (j * 8));
            b[8 + j] = (byte) (version >>> (j * 8));
        }
        return Bytes.wrap(b);
    }

    /** Nanoseconds between operations at {@code perSecond} operations a second. */
    static long gap(double perSecond) {
        return Math.max(1, Math.round(1e9 / perSecond));
    }
}
