package dev.storagelab.lsm;

/**
 * What an internal key records: a value or a deletion (a tombstone). The code is the low byte of
 * the key's 8-byte trailer; {@link #PUT} sorts before {@link #DELETE} at the same sequence number
 * because the trailer is ordered descending, as in LevelDB ({@code kTypeValue = 1},
 * {@code kTypeDeletion = 0}).
 */
public enum ValueType {
    DELETE(0),
    PUT(1);

    private final int code;

    ValueType(int code) {
        this.code = code;
    }

    /** The byte stored in the trailer. */
    public int code() {
        return code;
    }

    /** The type stored as {@code code}, or null when no type has that code (the caller reports corruption). */
    public static ValueType ofCode(int code) {
        return switch (code) {
            case 0 -> DELETE;
            case 1 -> PUT;
            default -> null;
        };
    }
}
