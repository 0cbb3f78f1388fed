package dev.storagelab.bounds;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.storagelab.kv.Bytes;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Where a keyset pagination stopped: the direction of the walk and the last key handed out. The
 * client gets it as an opaque token and sends it back for the next page.
 *
 * <p>The token is the base64url encoding, without padding, of:
 * <pre>
 * +-----------+-------------+---------------+-----------+------------------------------+
 * | version   | direction   | keyLength     | key       | HMAC-SHA256, first 16 bytes  |
 * | u8 = 1    | u8 (0 = FWD | u32 big-endian| keyLength | over every byte before it    |
 * |           |   1 = BWD)  |               | bytes     |                              |
 * +-----------+-------------+---------------+-----------+------------------------------+
 * </pre>
 * <ul>
 *   <li><b>URL-safe</b>: base64url ({@code -} and {@code _}, no {@code =}) travels in a query
 *       string without escaping.</li>
 *   <li><b>Versioned</b>: the first byte lets a later release change the layout and still reject
 *       (or read) old tokens with a clear message.</li>
 *   <li><b>Tamper-evident</b>: the key is visible to anyone who decodes the base64, but changing
 *       it breaks the HMAC, which only the store's secret can produce; a client cannot forge a
 *       cursor into a key range it was never shown, and a cursor from another store (another
 *       secret) is refused.</li>
 * </ul>
 * A signature is not encryption: do not put secrets in keys you paginate over.
 */
public final class Cursor {

    /** The layout version this class writes and reads. */
    static final int VERSION = 1;
    /** version u8 + direction u8 + keyLength u32. */
    static final int HEADER_SIZE = 1 + 1 + 4;
    /** HMAC-SHA256 output kept: 128 bits is plenty against forgery, and halves the token's tail. */
    static final int MAC_SIZE = 16;

    static final String MAC_ALGORITHM = "HmacSHA256";

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final Direction direction;
    private final Bytes lastKey;

    /**
     * A cursor that continues a walk in {@code direction} after {@code lastKey}.
     *
     * @throws NullPointerException if an argument is null
     */
    public Cursor(Direction direction, Bytes lastKey) {
        this.direction = checkNotNull(direction, "direction must not be null");
        this.lastKey = checkNotNull(lastKey, "lastKey must not be null");
    }

    /** The direction of the walk. */
    public Direction direction() {
        return direction;
    }

    /** The last key handed out: the next page starts strictly after it (before it, backwards). */
    public Bytes lastKey() {
        return lastKey;
    }

    /**
     * This cursor as a token, signed with {@code secret}.
     *
     * <p>Lay out the bytes as the class documentation draws them (a {@link ByteBuffer} writes
     * big-endian by default; {@link Bytes#writeTo(ByteBuffer)} writes the key), sign everything
     * before the MAC with {@link #mac(byte[], byte[], int)}, append the MAC, and encode with
     * {@link Base64#getUrlEncoder()}{@code .withoutPadding()}. The direction byte is
     * {@link Direction#ordinal()}.
     *
     * @param secret the store's signing key, not empty
     * @throws NullPointerException     if {@code secret} is null
     * @throws IllegalArgumentException if {@code secret} is empty
     */
    public String encode(byte[] secret) {
        checkSecret(secret);
        // BEGIN SOLUTION lab-02 T5
        ByteBuffer buf = ByteBuffer.allocate(HEADER_SIZE + lastKey.length() + MAC_SIZE);
        buf.put((byte) VERSION).put((byte) direction.ordinal()).putInt(lastKey.length());
        lastKey.writeTo(buf);
        buf.put(mac(secret, buf.array(), buf.position()));
        return ENCODER.encodeToString(buf.array());
        // END SOLUTION
    }

    /**
     * Reads a token written by {@link #encode(byte[])} with the same {@code secret}.
     *
     * <p>Check, in this order, and throw {@link InvalidCursorException} with a message that says
     * what is wrong: the bytes hold at least the version byte ("cursor is truncated"); the version
     * is {@link #VERSION} ("cursor version 9 is not supported"); the bytes hold the whole header,
     * the key its length announces and the MAC, and nothing more ("cursor is truncated", or
     * trailing bytes); the MAC matches ("cursor signature does not match: tampered with, or issued
     * by another store"); the direction byte names a {@link Direction}. Read {@code keyLength}
     * as unsigned ({@link Integer#toUnsignedLong(int)}) so that a huge length is "truncated", not
     * a negative array size. Compare MACs with {@link MessageDigest#isEqual(byte[], byte[])},
     * which takes the same time wherever the first difference is, so the comparison does not leak
     * how much of a forged MAC is right.
     *
     * @throws InvalidCursorException   if the token is malformed, truncated, of another version,
     *                                  or not signed with {@code secret}
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code secret} is empty
     */
    public static Cursor decode(String token, byte[] secret) {
        checkNotNull(token, "cursor token must not be null");
        checkSecret(secret);
        if (token.indexOf('=') >= 0) {
            throw new InvalidCursorException(
                    "cursor is not base64url: it has '=' padding, which a cursor never carries");
        }
        byte[] raw;
        try {
            raw = DECODER.decode(token);
        } catch (IllegalArgumentException e) {
            throw new InvalidCursorException("cursor is not base64url: " + e.getMessage(), e);
        }
        // The decoder ignores the unused low bits of the last character; accept only the one
        // canonical spelling, so each cursor has exactly one token.
        if (!ENCODER.encodeToString(raw).equals(token)) {
            throw new InvalidCursorException(
                    "cursor is not canonical base64url: its last character carries stray bits");
        }
        // BEGIN SOLUTION lab-02 T5
        if (raw.length == 0) {
            throw new InvalidCursorException("cursor is truncated: it is empty");
        }
        int version = raw[0] & 0xFF;
        if (version != VERSION) {
            throw new InvalidCursorException(
                    "cursor version " + version + " is not supported (this store reads version " + VERSION + ")");
        }
        if (raw.length < HEADER_SIZE + MAC_SIZE) {
            throw new InvalidCursorException("cursor is truncated: " + raw.length + " bytes, shorter than the "
                    + (HEADER_SIZE + MAC_SIZE) + " bytes of a header and a signature");
        }
        ByteBuffer buf = ByteBuffer.wrap(raw);
        long keyLength = Integer.toUnsignedLong(buf.getInt(2));
        long expected = HEADER_SIZE + keyLength + MAC_SIZE;
        if (raw.length < expected) {
            throw new InvalidCursorException("cursor is truncated: its key length " + keyLength + " needs " + expected
                    + " bytes, but it has " + raw.length);
        }
        if (raw.length > expected) {
            throw new InvalidCursorException(
                    "cursor has " + (raw.length - expected) + " unexpected bytes after its signature");
        }
        int macOffset = HEADER_SIZE + (int) keyLength;
        byte[] actual = Arrays.copyOfRange(raw, macOffset, raw.length);
        if (!MessageDigest.isEqual(mac(secret, raw, macOffset), actual)) {
            throw new InvalidCursorException(
                    "cursor signature does not match: tampered with, or issued by another store");
        }
        int direction = raw[1] & 0xFF;
        if (direction >= Direction.values().length) {
            throw new InvalidCursorException(
                    "cursor direction " + direction + " is unknown (0 = FORWARD, 1 = BACKWARD)");
        }
        return new Cursor(Direction.values()[direction], Bytes.copyOf(raw, HEADER_SIZE, (int) keyLength));
        // END SOLUTION
    }

    /** The first {@link #MAC_SIZE} bytes of HMAC-SHA256 under {@code secret} of {@code data[0, length)}. */
    static byte[] mac(byte[] secret, byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance(MAC_ALGORITHM);
            mac.init(new SecretKeySpec(secret, MAC_ALGORITHM));
            mac.update(data, 0, length);
            return Arrays.copyOf(mac.doFinal(), MAC_SIZE);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime must provide " + MAC_ALGORITHM, e);
        }
    }

    static void checkSecret(byte[] secret) {
        checkNotNull(secret, "secret must not be null");
        checkArgument(secret.length > 0, "secret must not be empty: it is the key that signs cursors");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cursor c && direction == c.direction && lastKey.equals(c.lastKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(direction, lastKey);
    }

    @Override
    public String toString() {
        return "Cursor[" + direction + " after " + lastKey + "]";
    }
}
