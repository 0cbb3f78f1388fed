package dev.storagelab.sortedlog;

/**
 * What opening a store found: how many log records it replayed and how many bytes of torn tail
 * it cut off. A non-zero {@code truncatedBytes} is normal after a crash and worth logging.
 *
 * @param records        records replayed
 * @param validBytes     bytes of log kept
 * @param truncatedBytes bytes of torn tail cut off
 */
public record RecoveryReport(long records, long validBytes, long truncatedBytes) {

    /** Nothing to recover: a new store. */
    public static final RecoveryReport EMPTY = new RecoveryReport(0, 0, 0);

    /** The sum of two reports, for stores that replay several logs. */
    public RecoveryReport plus(RecoveryReport other) {
        return new RecoveryReport(
                records + other.records, validBytes + other.validBytes, truncatedBytes + other.truncatedBytes);
    }
}
