package dev.storagelab.bounds.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import dev.storagelab.bounds.Cursor;
import dev.storagelab.bounds.Direction;
import dev.storagelab.bounds.InvalidCursorException;
import dev.storagelab.bounds.KeysetPaginator;
import dev.storagelab.bounds.Page;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hidden tests of lab-02 T5's cursors ({@link Cursor} and {@link KeysetPaginator#next}): the
 * token follows the documented layout, and every token a client could forge or mangle
 * (truncated, one bit flipped, signed with another secret, correctly signed but malformed, or
 * plain garbage) is refused with {@link InvalidCursorException} and never returns a page.
 */
@Tag("hidden")
class CursorHiddenTest {

    private static final byte[] SECRET = "cursor hidden test secret".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER_SECRET = "another store's secret".getBytes(StandardCharsets.UTF_8);

    private static SortedLogStore store;
    private static KeysetPaginator paginator;

    /** One store shared by the properties: 50 keys, so a page from any cursor would hold data. */
    @BeforeContainer
    static void openStore() throws IOException {
        store = Stores.open(new FaultInjectingStorage(), 0);
        for (int i = 0; i < 50; i++) {
            store.put(Bytes.of(String.format("key-%02d", i)), Bytes.of("value " + i));
        }
        store.flush();
        paginator = new KeysetPaginator(store, SECRET);
    }

    @AfterContainer
    static void closeStore() throws IOException {
        store.close();
    }

    @Property(tries = 200)
    @Graded(
            task = "T5",
            points = 2,
            concept = "cursor token does not follow the documented layout (version, direction, big-endian "
                    + "key length, key, 16-byte HMAC-SHA256, base64url without padding)")
    void tokensFollowTheDocumentedLayoutAndRoundTrip(@ForAll Direction direction, @ForAll("keys") Bytes key) {
        String token = new Cursor(direction, key).encode(SECRET);
        assertThat(
                "a cursor token is base64url without padding, so it travels in a URL unescaped",
                token,
                matchesPattern("[A-Za-z0-9_-]*"));
        ByteBuffer expected = ByteBuffer.allocate(6 + key.length() + 16);
        expected.put((byte) 1).put((byte) direction.ordinal()).putInt(key.length());
        key.writeTo(expected);
        expected.put(hmac16(SECRET, expected.array(), expected.position()));
        assertThat(
                "the token of " + direction + " after " + key + ": version 1 | direction | keyLength u32 big-endian "
                        + "| key | first 16 bytes of HMAC-SHA256 over the bytes before it",
                Base64.getUrlDecoder().decode(token),
                equalTo(expected.array()));
        Cursor back = Cursor.decode(token, SECRET);
        assertThat("decode(encode(c)) must give c back: direction", back.direction(), equalTo(direction));
        assertThat("decode(encode(c)) must give c back: last key", back.lastKey(), equalTo(key));
    }

    @Example
    @Graded(
            task = "T5",
            points = 2,
            concept = "a truncated cursor is accepted, returns a page, or fails with something other than "
                    + "InvalidCursorException")
    void truncatedCursorsAreRejected() {
        for (String token : realTokens()) {
            for (int length = 0; length < token.length(); length++) {
                assertRejected(
                        token.substring(0, length),
                        "the first " + length + " of " + token.length() + " characters of a real cursor");
            }
            assertRejected(token + "AAAA", "a real cursor with three zero bytes appended");
        }
    }

    @Example
    @Graded(
            task = "T5",
            points = 3,
            concept = "a tampered cursor (one bit flipped) is accepted: the HMAC is not checked over every "
                    + "byte, or not compared in full")
    void everySingleBitFlipIsRejected() {
        for (String token : realTokens()) {
            byte[] raw = Base64.getUrlDecoder().decode(token);
            for (int i = 0; i < raw.length; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    byte[] flipped = raw.clone();
                    flipped[i] ^= (byte) (1 << bit);
                    assertRejected(
                            encode(flipped),
                            "a real cursor (" + token + ") with bit " + bit + " of byte " + i + " flipped");
                }
            }
        }
    }

    @Example
    @Graded(task = "T5", points = 2, concept = "a cursor issued with another secret (another store) is accepted")
    void cursorsSignedWithAnotherSecretAreRejected() {
        try (SortedLogStore other = Stores.open(new FaultInjectingStorage(), 0)) {
            for (int i = 0; i < 50; i++) {
                other.put(Bytes.of(String.format("key-%02d", i)), Bytes.of("other value " + i));
            }
            KeysetPaginator foreign = new KeysetPaginator(other, OTHER_SECRET);
            for (Direction direction : Direction.values()) {
                String token = foreign.first(5, direction).nextCursor();
                assertThat("the other store's walk continues", token != null, equalTo(true));
                assertThat(
                        "the other store's own paginator reads its cursor",
                        foreign.next(token, 5).entries().size(),
                        equalTo(5));
                assertRejected(token, "a " + direction + " cursor issued by another store with another secret");
            }
            byte[] prefixSecret = Arrays.copyOf(SECRET, SECRET.length - 1);
            assertRejected(
                    new Cursor(Direction.FORWARD, Bytes.of("key-10")).encode(prefixSecret),
                    "a cursor signed with a secret one byte shorter than this store's");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Example
    @Graded(
            task = "T5",
            points = 2,
            concept = "a correctly signed but malformed cursor (unknown version or direction, wrong key "
                    + "length) is accepted or crashes the decoder")
    void correctlySignedButMalformedCursorsAreRejected() {
        byte[] key = "key-10".getBytes(StandardCharsets.UTF_8);
        assertThat(
                "the control: a well-formed token signed as the layout says is accepted",
                Cursor.decode(signed(1, 0, key.length, key), SECRET),
                equalTo(new Cursor(Direction.FORWARD, Bytes.wrap(key))));
        assertRejected(signed(9, 0, key.length, key), "a signed cursor of version 9");
        assertRejected(signed(0, 0, key.length, key), "a signed cursor of version 0");
        assertRejected(signed(2, 1, key.length, key), "a signed cursor of version 2");
        assertRejected(signed(1, 2, key.length, key), "a signed cursor whose direction byte is 2");
        assertRejected(signed(1, 0xff, key.length, key), "a signed cursor whose direction byte is 0xff");
        assertRejected(signed(1, 0, key.length + 1, key), "a signed cursor whose key length is one more than its key");
        assertRejected(signed(1, 0, key.length - 1, key), "a signed cursor whose key length is one less than its key");
        assertRejected(signed(1, 0, -1, key), "a signed cursor whose key length is 0xffffffff");
        assertRejected(signed(1, 0, Integer.MIN_VALUE, key), "a signed cursor whose key length is 0x80000000");
        assertRejected(signed(1, 0, Integer.MAX_VALUE, key), "a signed cursor whose key length is 0x7fffffff");
    }

    @Property(tries = 500)
    @Graded(
            task = "T5",
            points = 2,
            concept = "a garbage cursor returns a page, or fails with something other than " + "InvalidCursorException")
    void garbageIsRejected(@ForAll("garbage") String token, @ForAll("randomBytes") byte[] raw) {
        if (!isRealCursor(token)) {
            assertRejected(token, "a random string");
        }
        String encoded = encode(raw);
        if (!isRealCursor(encoded)) {
            assertRejected(encoded, "the base64url of " + raw.length + " random bytes");
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    /** Cursors the paginator really issued, both directions, from the first and a later page. */
    private static List<String> realTokens() {
        List<String> tokens = new ArrayList<>();
        for (Direction direction : Direction.values()) {
            Page first = paginator.first(7, direction);
            tokens.add(first.nextCursor());
            tokens.add(paginator.next(first.nextCursor(), 7).nextCursor());
        }
        tokens.add(new Cursor(Direction.FORWARD, Bytes.copyOf(new byte[] {0, (byte) 0xff, 0x7f})).encode(SECRET));
        for (String token : tokens) {
            assertThat("the paginator hands out cursors while pages remain", token != null, equalTo(true));
        }
        return tokens;
    }

    /**
     * Whether {@code token} happens to be a valid cursor (for random input: practically never): it
     * decodes to a cursor. (A decode that returns nothing decodes nothing: the token is then checked
     * as garbage, and that decode fails the check.)
     */
    private static boolean isRealCursor(String token) {
        try {
            return Cursor.decode(token, SECRET) != null;
        } catch (InvalidCursorException e) {
            return false;
        }
    }

    /**
     * Checks that both {@link Cursor#decode} and {@link KeysetPaginator#next} refuse {@code token}
     * with an InvalidCursorException that has a message, and that no page is returned.
     */
    private static void assertRejected(String token, String what) {
        for (int attempt = 0; attempt < 2; attempt++) {
            String call = attempt == 0 ? "Cursor.decode" : "KeysetPaginator.next";
            Object result;
            try {
                result = attempt == 0 ? Cursor.decode(token, SECRET) : paginator.next(token, 10);
            } catch (InvalidCursorException e) {
                assertThat(
                        call + " of " + what + ": the exception must say what is wrong",
                        e.getMessage() != null && !e.getMessage().isBlank(),
                        equalTo(true));
                continue;
            } catch (RuntimeException e) {
                throw new AssertionError(
                        call + " of " + what + " (\"" + token + "\") must fail with " + "InvalidCursorException, not "
                                + e,
                        e);
            }
            throw new AssertionError(call + " of " + what + " (\"" + token + "\") must be refused with "
                    + "InvalidCursorException, but it returned " + result);
        }
    }

    private static String encode(byte[] raw) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /** A token laid out as documented, with the given fields, correctly signed with this store's secret. */
    private static String signed(int version, int direction, int keyLength, byte[] key) {
        ByteBuffer buf = ByteBuffer.allocate(6 + key.length + 16);
        buf.put((byte) version).put((byte) direction).putInt(keyLength).put(key);
        buf.put(hmac16(SECRET, buf.array(), buf.position()));
        return encode(buf.array());
    }

    /** The first 16 bytes of HMAC-SHA256 under {@code secret} of {@code data[0, length)}: the spec's signature. */
    private static byte[] hmac16(byte[] secret, byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(data, 0, length);
            return Arrays.copyOf(mac.doFinal(), 16);
        } catch (GeneralSecurityException e) {
            throw new AssertionError("every Java runtime provides HmacSHA256", e);
        }
    }

    // ------------------------------------------------------------------------------- generators

    /** Keys of 0 to 300 bytes: a cursor's key may be empty (it then sits before every key), and its token is the shortest. */
    @Provide
    Arbitrary<Bytes> keys() {
        return Arbitraries.bytes()
                .array(byte[].class)
                .ofMinSize(0)
                .ofMaxSize(300)
                .map(Bytes::copyOf);
    }

    @Provide
    Arbitrary<String> garbage() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(60),
                Arbitraries.strings()
                        .withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
                        .ofMaxLength(80),
                Arbitraries.strings().withChars("AQgw_-=+/.%").ofMaxLength(40));
    }

    @Provide
    Arbitrary<byte[]> randomBytes() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(80),
                // Random bytes behind a valid version byte, so the decoder gets past the first check.
                Arbitraries.bytes()
                        .array(byte[].class)
                        .ofMinSize(1)
                        .ofMaxSize(80)
                        .map(b -> {
                            b[0] = 1;
                            return b;
                        }));
    }
}
