package dev.storagelab.bounds;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.collect.Lists;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.sortedlog.SortedLogOptions;
import dev.storagelab.sortedlog.SortedLogStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests for lab-02 T5: keyset pagination ({@link KeysetPaginator}) and its signed, versioned,
 * URL-safe {@link Cursor}.
 *
 * <p>The oracle for a walk is the sorted list of keys the store holds. Under a concurrent writer,
 * the oracle is the set of keys that existed for the whole walk: keys the writer never touches.
 * A tiny OFFSET paginator, written in this test, shows what keyset pagination is for.
 */
class KeysetPaginationTest {

    private static final byte[] SECRET = "a test secret, 32 bytes long....".getBytes(UTF_8);
    private static final SortedLogOptions SMALL = SortedLogOptions.builder()
            .memtableBytes(8 * 1024)
            .blockSize(256)
            .compactionTrigger(4)
            .build();

    @TempDir
    Path dir;

    private static Bytes key(int i) {
        return Bytes.of(String.format("key%05d", i));
    }

    private static List<Bytes> keys(List<Entry> entries) {
        return entries.stream().map(Entry::key).toList();
    }

    /** Walks from the first page to the last; returns every page. */
    private static List<Page> walk(KeysetPaginator paginator, Direction direction, int limit) {
        List<Page> pages = new ArrayList<>();
        Page page = paginator.first(limit, direction);
        pages.add(page);
        while (page.nextCursor() != null) {
            assertThat("a walk must make progress: a page with a cursor has entries", page.entries(), not(empty()));
            page = paginator.next(page.nextCursor(), limit);
            pages.add(page);
            assertThat("the walk does not end: more pages than keys", pages.size(), is(not(greaterThan(100_000))));
        }
        return pages;
    }

    private static List<Bytes> walkKeys(KeysetPaginator paginator, Direction direction, int limit) {
        return walk(paginator, direction, limit).stream()
                .flatMap(p -> keys(p.entries()).stream())
                .toList();
    }

    private static SortedLogStore storeWith(Path dir, int n) throws IOException {
        SortedLogStore store = SortedLogStore.open(DiskStorage.open(dir), SMALL);
        for (int i = 0; i < n; i++) {
            store.put(key(i), Bytes.of("v" + i));
        }
        return store;
    }

    @Test
    void aWalkReturnsEveryKeyOnceInOrderForEveryPageSize() throws IOException {
        try (SortedLogStore store = storeWith(dir, 250)) {
            store.delete(key(7)); // a deleted key is not paginated
            List<Bytes> expected = new ArrayList<>();
            try (EntryIterator all = RangeScan.scan(store, null, null)) {
                all.forEachRemaining(e -> expected.add(e.key()));
            }
            KeysetPaginator paginator = new KeysetPaginator(store, SECRET);
            for (int limit : new int[] {1, 7, 100, 249, 250, 251, 10_000}) {
                assertThat(
                        "a FORWARD walk with limit " + limit + " returns every live key once, ascending",
                        walkKeys(paginator, Direction.FORWARD, limit),
                        equalTo(expected));
                assertThat(
                        "a BACKWARD walk with limit " + limit + " returns every live key once, descending",
                        walkKeys(paginator, Direction.BACKWARD, limit),
                        equalTo(Lists.reverse(expected)));
            }
        }
    }

    @Test
    void pagesHoldLimitEntriesAndOnlyTheLastPageHasNoCursor() throws IOException {
        try (SortedLogStore store = storeWith(dir, 30)) {
            KeysetPaginator paginator = new KeysetPaginator(store, SECRET);
            List<Page> pages = walk(paginator, Direction.FORWARD, 10);
            boolean emptyPageAfter = pages.size() == 4 && pages.get(3).entries().isEmpty();
            assertThat(
                    "30 keys in pages of 10 are exactly 3 pages: the third ends at the last key, so it is the last"
                            + " page and has no cursor"
                            + (emptyPageAfter
                                    ? " (the third handed out a cursor to an empty fourth page: peek one entry further"
                                            + " to know whether another page follows)"
                                    : ""),
                    pages,
                    hasSize(3));
            for (int p = 0; p < 2; p++) {
                assertThat("page " + p + " is full", pages.get(p).entries(), hasSize(10));
                assertThat(
                        "page " + p + " is not the last, so it has a cursor",
                        pages.get(p).nextCursor(),
                        notNullValue());
            }
            assertThat("the last page has no cursor", pages.get(2).nextCursor(), nullValue());
        }
    }

    @Test
    void anEmptyStoreHasOneEmptyLastPage() throws IOException {
        try (SortedLogStore store = storeWith(dir, 0)) {
            Page page = new KeysetPaginator(store, SECRET).first(10, Direction.BACKWARD);
            assertThat("an empty store: no entries", page.entries(), is(empty()));
            assertThat("an empty store: the first page is the last", page.nextCursor(), nullValue());
        }
    }

    @Test
    void limitsOutsideOneToTenThousandAreRejected() throws IOException {
        try (SortedLogStore store = storeWith(dir, 3)) {
            KeysetPaginator paginator = new KeysetPaginator(store, SECRET);
            Page page = paginator.first(1, Direction.FORWARD);
            assertThat("limit 1 is allowed", page.entries(), hasSize(1));
            for (int bad : new int[] {0, -1, 10_001}) {
                assertThrows(
                        IllegalArgumentException.class,
                        () -> paginator.first(bad, Direction.FORWARD),
                        "limit " + bad + " is outside [1, 10000]");
                assertThrows(
                        IllegalArgumentException.class,
                        () -> paginator.next(page.nextCursor(), bad),
                        "limit " + bad + " is outside [1, 10000]");
            }
        }
    }

    /** The MAC the spec asks for, computed independently of the code under test. */
    private static byte[] hmac16(byte[] secret, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        return Arrays.copyOf(mac.doFinal(data), 16);
    }

    /** A token laid out as the spec says: version | direction | keyLength | key | HMAC (16 bytes). */
    private static String token(int version, int direction, byte[] key, byte[] secret) throws Exception {
        ByteBuffer body = ByteBuffer.allocate(6 + key.length);
        body.put((byte) version).put((byte) direction).putInt(key.length).put(key);
        byte[] mac = hmac16(secret, body.array());
        byte[] all = Arrays.copyOf(body.array(), body.capacity() + 16);
        System.arraycopy(mac, 0, all, body.capacity(), 16);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(all);
    }

    @Test
    void aCursorIsBase64urlOfVersionDirectionLengthKeyAndTruncatedHmac() throws Exception {
        Bytes lastKey = Bytes.wrap(new byte[] {'k', (byte) 0xFB, (byte) 0xFF, 0, '?', '/'});
        for (Direction d : Direction.values()) {
            String encoded = new Cursor(d, lastKey).encode(SECRET);
            assertThat(
                    "a cursor travels in a URL: base64url (A-Z a-z 0-9 - _) without '=' padding; got " + encoded,
                    encoded.matches("[A-Za-z0-9_-]+"),
                    is(true));
            assertThat(
                    "the token must be exactly: version u8 (1) | direction u8 (" + d.ordinal() + ") | keyLength u32"
                            + " big-endian | key | first 16 bytes of HmacSHA256 over everything before",
                    encoded,
                    equalTo(token(1, d.ordinal(), lastKey.toByteArray(), SECRET)));
            Cursor decoded = Cursor.decode(encoded, SECRET);
            assertThat("decode(encode(c)) gives back the direction", decoded.direction(), is(d));
            assertThat("decode(encode(c)) gives back the key, bytes intact", decoded.lastKey(), equalTo(lastKey));
        }
    }

    private static InvalidCursorException invalid(String token, byte[] secret, String why) {
        InvalidCursorException e = assertThrows(InvalidCursorException.class, () -> Cursor.decode(token, secret), why);
        assertThat(
                "InvalidCursorException is an IllegalArgumentException: a bad request, not a server error",
                e,
                instanceOf(IllegalArgumentException.class));
        return e;
    }

    @Test
    void malformedCursorsAreRejectedWithAMessageThatSaysWhy() throws Exception {
        String good = new Cursor(Direction.FORWARD, key(42)).encode(SECRET);
        assertThat(
                "a token with characters outside base64url",
                invalid("not a cursor!", SECRET, "'!' and ' ' are not base64url")
                        .getMessage(),
                containsString("not base64url"));
        assertThat(
                "standard base64 ('+', '/') is not base64url",
                invalid(good.replace('A', '+') + "+/", SECRET, "'+' and '/' are not base64url")
                        .getMessage(),
                containsString("not base64url"));
        assertThat(
                "a token cut short",
                invalid(good.substring(0, 20), SECRET, "a cut token must be refused before anything is read from it")
                        .getMessage(),
                containsString("truncated"));
        assertThat(
                "an empty token",
                invalid("", SECRET, "an empty token holds nothing").getMessage(),
                containsString("truncated"));
        assertThat(
                "a token from a future release",
                invalid(token(9, 0, "k".getBytes(UTF_8), SECRET), SECRET, "version 9 is unknown")
                        .getMessage(),
                containsString("cursor version 9 is not supported"));
        for (int claimed : new int[] {1_000, -1}) { // -1 is 0xFFFFFFFF: read the u32 unsigned, never as a negative size
            ByteBuffer lying =
                    ByteBuffer.allocate(6 + 16).put((byte) 1).put((byte) 0).putInt(claimed);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(lying.array());
            assertThat(
                    "a key length of " + Integer.toUnsignedString(claimed) + " in a 22-byte token",
                    invalid(token, SECRET, "the length field promises more bytes than the token has")
                            .getMessage(),
                    containsString("truncated"));
        }
        byte[] longer = Arrays.copyOf(
                Base64.getUrlDecoder().decode(good), Base64.getUrlDecoder().decode(good).length + 3);
        invalid(
                Base64.getUrlEncoder().withoutPadding().encodeToString(longer),
                SECRET,
                "bytes after the signature are not part of any cursor this store wrote");
    }

    @Test
    void tamperedOrForeignCursorsFailTheSignatureCheck() throws Exception {
        String good = new Cursor(Direction.FORWARD, key(42)).encode(SECRET);
        byte[] raw = Base64.getUrlDecoder().decode(good);
        raw[8] ^= 1; // a bit of the key: the client tries to jump elsewhere
        String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        assertThat(
                "a key changed by the client",
                invalid(tampered, SECRET, "the HMAC no longer matches").getMessage(),
                containsString("signature does not match"));
        byte[] otherSecret = "another store's secret, 32 bytes".getBytes(UTF_8);
        assertThat(
                "a cursor issued by another store",
                invalid(good, otherSecret, "another secret gives another HMAC").getMessage(),
                containsString("signature does not match"));
        assertThat(
                "a forged cursor with a made-up signature",
                invalid(token(1, 0, "key99999".getBytes(UTF_8), otherSecret), SECRET, "forged")
                        .getMessage(),
                containsString("signature does not match"));
        try (SortedLogStore store = storeWith(dir, 20)) {
            KeysetPaginator ours = new KeysetPaginator(store, SECRET);
            KeysetPaginator theirs = new KeysetPaginator(store, otherSecret);
            String cursor = ours.first(5, Direction.FORWARD).nextCursor();
            assertThrows(
                    InvalidCursorException.class,
                    () -> theirs.next(cursor, 5),
                    "a paginator must refuse a cursor signed with another secret");
            assertThat(
                    "the same cursor works with the paginator that issued it",
                    keys(ours.next(cursor, 5).entries()),
                    equalTo(List.of(key(5), key(6), key(7), key(8), key(9))));
        }
    }

    @Test
    void backwardCursorsContinueBackwards() throws IOException {
        try (SortedLogStore store = storeWith(dir, 10)) {
            KeysetPaginator paginator = new KeysetPaginator(store, SECRET);
            Page first = paginator.first(4, Direction.BACKWARD);
            assertThat(
                    "the first BACKWARD page starts at the last key",
                    keys(first.entries()),
                    equalTo(List.of(key(9), key(8), key(7), key(6))));
            assertThat(
                    "its cursor remembers the direction and the last key handed out",
                    Cursor.decode(first.nextCursor(), SECRET),
                    equalTo(new Cursor(Direction.BACKWARD, key(6))));
            assertThat(
                    "the next page continues strictly before the last key: scanReverse(null, lastKey)",
                    keys(paginator.next(first.nextCursor(), 4).entries()),
                    equalTo(List.of(key(5), key(4), key(3), key(2))));
        }
    }

    /**
     * OFFSET pagination, as {@code LIMIT n OFFSET k} does it: skip k live rows, take n. Only here to
     * show what goes wrong.
     */
    private static List<Bytes> offsetPage(SortedLogStore store, int offset, int limit) {
        List<Bytes> page = new ArrayList<>();
        try (EntryIterator scan = RangeScan.scan(store, null, null)) {
            for (int skipped = 0; skipped < offset && scan.hasNext(); skipped++) {
                scan.next();
            }
            while (page.size() < limit && scan.hasNext()) {
                page.add(scan.next().key());
            }
        }
        return page;
    }

    @Test
    void offsetPaginationRepeatsKeysWhenKeysAreInsertedBehindTheReaderButKeysetDoesNot() throws IOException {
        int limit = 10;
        try (SortedLogStore store = storeWith(dir, 100)) {
            List<Bytes> offsetWalk = new ArrayList<>();
            for (int page = 0; ; page++) {
                List<Bytes> keys = offsetPage(store, page * limit, limit);
                offsetWalk.addAll(keys);
                if (keys.size() < limit) {
                    break;
                }
                // A new key between key00000 and key00001: behind the reader, before every page so far.
                store.put(Bytes.of("key00000-new" + page), Bytes.of("inserted behind the reader"));
            }
            long distinct = offsetWalk.stream().distinct().count();
            assertThat(
                    "the demonstration: with OFFSET, every key inserted behind the reader shifts the rows, and the"
                            + " next page repeats the last row of the page before (" + offsetWalk.size() + " rows, "
                            + distinct
                            + " distinct)",
                    (long) offsetWalk.size(),
                    greaterThan(distinct));

            // The same kind of writes against keyset pagination: nothing repeats, nothing is skipped.
            KeysetPaginator paginator = new KeysetPaginator(store, SECRET);
            List<Bytes> keysetWalk = new ArrayList<>();
            Page page = paginator.first(limit, Direction.FORWARD);
            for (int p = 0; ; p++) {
                keysetWalk.addAll(keys(page.entries()));
                if (page.nextCursor() == null) {
                    break;
                }
                store.put(Bytes.of("key00000-newer" + p), Bytes.of("inserted behind the reader"));
                page = paginator.next(page.nextCursor(), limit);
            }
            List<Bytes> originals = keysetWalk.stream()
                    .filter(k -> !k.toUtf8().contains("-new"))
                    .toList();
            List<Bytes> expected = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                expected.add(key(i));
            }
            assertThat(
                    "keyset pagination continues after the last key it handed out, so inserts behind the reader"
                            + " cannot shift it: every original key exactly once, in order",
                    originals,
                    equalTo(expected));
            assertThat(
                    "and no key at all is repeated",
                    keysetWalk.stream().distinct().count(),
                    is((long) keysetWalk.size()));
        }
    }

    @Test
    void offsetPaginationSkipsKeysWhenKeysBehindTheReaderAreDeleted() throws IOException {
        int limit = 10;
        try (SortedLogStore store = storeWith(dir, 100)) {
            List<Bytes> offsetWalk = new ArrayList<>();
            int deleted = 0;
            for (int page = 0; ; page++) {
                List<Bytes> keys = offsetPage(store, page * limit, limit);
                offsetWalk.addAll(keys);
                if (keys.size() < limit) {
                    break;
                }
                store.delete(keys.get(0)); // a key the reader has already seen
                deleted++;
            }
            assertThat(
                    "the demonstration: with OFFSET, each delete behind the reader shifts the rows back by one, so"
                            + " the next page starts one key late and a key nobody deleted is never seen",
                    offsetWalk.size(),
                    is(100 - deleted));
            try (SortedLogStore again = storeWith(dir.resolve("keyset"), 100)) {
                KeysetPaginator paginator = new KeysetPaginator(again, SECRET);
                List<Bytes> keysetWalk = new ArrayList<>();
                Page page = paginator.first(limit, Direction.FORWARD);
                while (true) {
                    keysetWalk.addAll(keys(page.entries()));
                    if (page.nextCursor() == null) {
                        break;
                    }
                    again.delete(page.entries().get(0).key());
                    page = paginator.next(page.nextCursor(), limit);
                }
                List<Bytes> expected = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    expected.add(key(i));
                }
                assertThat(
                        "keyset pagination under the same deletes sees every key: deleting a key behind the reader"
                                + " cannot move where the next page starts",
                        keysetWalk,
                        equalTo(expected));
            }
        }
    }

    @Test
    void aWalkUnderAConcurrentWriterReturnsEveryStableKeyExactlyOnceInOrder() throws Exception {
        // Stable keys: multiples of 3, written before the walk and never touched. The writer inserts,
        // overwrites and deletes the other keys while the walks run, forcing flushes and compactions.
        int n = 3_000;
        try (SortedLogStore store = SortedLogStore.open(DiskStorage.open(dir), SMALL)) {
            List<Bytes> stable = new ArrayList<>();
            for (int i = 0; i < n; i += 3) {
                store.put(key(i), Bytes.of("stable"));
                stable.add(key(i));
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong writes = new AtomicLong();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                Random random = new Random(10);
                try {
                    while (!stop.get()) {
                        int i = random.nextInt(n);
                        if (i % 3 == 0) {
                            continue;
                        }
                        if (random.nextBoolean()) {
                            store.put(key(i), Bytes.of("churn".repeat(1 + random.nextInt(8))));
                        } else {
                            store.delete(key(i));
                        }
                        writes.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try {
                for (Direction direction : Direction.values()) {
                    KeysetPaginator paginator = new KeysetPaginator(store, SECRET);
                    List<Bytes> all = new ArrayList<>();
                    Page page = paginator.first(37, direction);
                    while (true) {
                        all.addAll(keys(page.entries()));
                        if (page.nextCursor() == null) {
                            break;
                        }
                        // Let the writer change the store between every two pages (not a timing assumption:
                        // we wait for its progress, however long that takes).
                        long target = writes.get() + 50;
                        while (writes.get() < target && !writer.isDone()) {
                            Thread.onSpinWait();
                        }
                        page = paginator.next(page.nextCursor(), 37);
                    }
                    List<Bytes> inOrder = new ArrayList<>(all);
                    inOrder.sort(direction == Direction.FORWARD ? null : Comparator.reverseOrder());
                    assertThat(
                            direction + ": the keys of a walk come in " + direction + " order, each once, even while"
                                    + " the writer churns",
                            all,
                            equalTo(inOrder.stream().distinct().toList()));
                    List<Bytes> stableSeen = all.stream()
                            .filter(k -> Integer.parseInt(k.toUtf8().substring(3)) % 3 == 0)
                            .toList();
                    assertThat(
                            direction + ": every key that existed for the whole walk must be returned exactly once"
                                    + " (no duplicates, no skips), whatever the writer did to the keys around it",
                            stableSeen,
                            equalTo(direction == Direction.FORWARD ? stable : Lists.reverse(stable)));
                }
            } finally {
                stop.set(true);
                writer.get(1, TimeUnit.MINUTES); // surfaces a writer failure; a deadline, not a performance bound
            }
            assertThat("the writer really ran during the walks", writes.get(), greaterThan(0L));
        }
    }
}
