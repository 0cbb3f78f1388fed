package dev.storagelab.kv;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.primitives.UnsignedBytes;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link Bytes}: the key type. Its order is the order of every sorted file in the workspace, so it
 * is checked against an independent implementation of unsigned lexicographic order, Guava's
 * {@link UnsignedBytes#lexicographicalComparator()}.
 */
class BytesTest {

    private static final Comparator<byte[]> ORACLE = UnsignedBytes.lexicographicalComparator();

    /**
     * Short arrays over the bytes where signed and unsigned order disagree, so pairs often share a
     * prefix or differ only in the sign bit: the cases a signed comparison gets wrong.
     */
    @Provide
    Arbitrary<byte[]> keys() {
        return Arbitraries.of((byte) 0x00, (byte) 0x01, (byte) 0x7f, (byte) 0x80, (byte) 0xff, (byte) 'a')
                .array(byte[].class)
                .ofMaxSize(5);
    }

    // ---------------------------------------------------------------- order, equality, hashing

    @Property(tries = 500)
    void orderIsUnsignedLexicographic(@ForAll("keys") byte[] a, @ForAll("keys") byte[] b) {
        int got = Integer.signum(Bytes.copyOf(a).compareTo(Bytes.copyOf(b)));
        int want = Integer.signum(ORACLE.compare(a, b));
        assertThat(
                "compare " + Bytes.copyOf(a) + " with " + Bytes.copyOf(b)
                        + " as Guava's unsigned lexicographical comparator does",
                got,
                is(want));
    }

    @Property(tries = 200)
    void orderAgreesWithTheOracleOnArbitraryArrays(@ForAll @Size(max = 40) byte[] a, @ForAll @Size(max = 40) byte[] b) {
        assertThat(Integer.signum(Bytes.wrap(a).compareTo(Bytes.wrap(b))), is(Integer.signum(ORACLE.compare(a, b))));
    }

    @Provide
    Arbitrary<List<byte[]>> keyLists() {
        return keys().list().ofMaxSize(30);
    }

    @Property(tries = 200)
    void sortingBytesSortsTheArraysTheSameWay(@ForAll("keyLists") List<byte[]> arrays) {
        List<byte[]> want = arrays.stream().sorted(ORACLE).toList();
        List<byte[]> got = arrays.stream()
                .map(Bytes::copyOf)
                .sorted()
                .map(Bytes::toByteArray)
                .toList();
        assertThat("sorted keys, printed as hex lists", hex(got), equalTo(hex(want)));
    }

    private static List<String> hex(List<byte[]> arrays) {
        return arrays.stream().map(a -> Bytes.wrap(a).toString()).toList();
    }

    @Property(tries = 300)
    void hashCodeIsArraysHashCodeForLongKeysToo(@ForAll @Size(max = 40) byte[] a) {
        assertThat("hashCode of " + Bytes.copyOf(a), Bytes.copyOf(a).hashCode(), is(Arrays.hashCode(a)));
    }

    @Property(tries = 500)
    void equalsHashCodeAndCompareToAgree(@ForAll("keys") byte[] a, @ForAll("keys") byte[] b) {
        Bytes x = Bytes.copyOf(a);
        Bytes y = Bytes.copyOf(b);
        boolean sameContent = Arrays.equals(a, b);
        assertThat("equals is content equality", x.equals(y), is(sameContent));
        assertThat(
                "compareTo is 0 exactly when equal, so TreeMap and HashMap agree on keys",
                x.compareTo(y) == 0,
                is(sameContent));
        if (sameContent) {
            assertThat("equal keys hash alike", x.hashCode(), is(y.hashCode()));
        }
        assertThat("hashCode is stable", x.hashCode(), is(Bytes.copyOf(a).hashCode()));
        assertThat("hashCode is Arrays.hashCode's value, whatever the length", x.hashCode(), is(Arrays.hashCode(a)));
        assertThat("compareTo is antisymmetric", Integer.signum(x.compareTo(y)), is(-Integer.signum(y.compareTo(x))));
    }

    @Example
    void theSignBitSortsHigh() {
        assertThat(
                "0x7f < 0x80 unsigned (a signed compare says the opposite)",
                Bytes.copyOf(new byte[] {0x7f}).compareTo(Bytes.copyOf(new byte[] {(byte) 0x80})),
                lessThan(0));
        assertThat(
                "\"é\" is 0xC3 0xA9 in UTF-8, so it sorts after \"z\"",
                Bytes.of("é").compareTo(Bytes.of("z")),
                greaterThan(0));
    }

    @Example
    void aProperPrefixSortsFirst() {
        assertThat(Bytes.of("ab").compareTo(Bytes.of("abc")), lessThan(0));
        assertThat(
                "the empty key sorts before every other",
                Bytes.EMPTY.compareTo(Bytes.copyOf(new byte[] {0})),
                lessThan(0));
    }

    @Example
    void equalsRejectsOtherTypes() {
        assertThat("a Bytes never equals a String or byte[]", Bytes.of("a").equals("a"), is(false));
        assertThat(Bytes.of("a").equals(new byte[] {'a'}), is(false));
    }

    // ---------------------------------------------------------------- construction and copies

    @Property(tries = 100)
    void copyOfIsIndependentOfTheCallersArray(@ForAll @Size(min = 1, max = 20) byte[] a) {
        byte[] source = a.clone();
        Bytes b = Bytes.copyOf(source);
        source[0]++;
        assertThat("changing the source array afterwards must not change the key", b.toByteArray(), equalTo(a));
        byte[] out = b.toByteArray();
        out[0]++;
        assertThat("changing the array toByteArray returned must not change the key", b.toByteArray(), equalTo(a));
    }

    @Property(tries = 200)
    void copyOfARangeIsThatRange(
            @ForAll @Size(max = 20) byte[] a,
            @ForAll @IntRange(min = 0, max = 20) int fromSeed,
            @ForAll @IntRange(min = 0, max = 20) int lengthSeed) {
        int from = fromSeed % (a.length + 1);
        int length = lengthSeed % (a.length - from + 1);
        assertThat(Bytes.copyOf(a, from, length).toByteArray(), equalTo(Arrays.copyOfRange(a, from, from + length)));
    }

    @Example
    void copyOfARangeOutsideTheArrayIsRejected() {
        byte[] five = new byte[5];
        assertThrows(
                IndexOutOfBoundsException.class,
                () -> Bytes.copyOf(five, 3, 4),
                "a range past the end must fail, not be padded with zeros into a key nobody wrote");
        assertThrows(IndexOutOfBoundsException.class, () -> Bytes.copyOf(five, -1, 2), "negative offset");
        assertThrows(IndexOutOfBoundsException.class, () -> Bytes.copyOf(five, 0, -1), "negative length");
        assertThat("a range ending exactly at the end is fine", Bytes.copyOf(five, 5, 0), is(Bytes.EMPTY));
    }

    @Example
    void readTakesTheNextBytesAndAdvances() {
        ByteBuffer buf = ByteBuffer.wrap("keyvalue".getBytes(UTF_8));
        buf.position(3);
        assertThat(Bytes.read(buf, 5), is(Bytes.of("value")));
        assertThat("the buffer is consumed", buf.remaining(), is(0));
    }

    @Example
    void writeToPutsTheBytesAndAdvances() {
        ByteBuffer buf = ByteBuffer.allocate(8);
        buf.put((byte) '>');
        Bytes.of("abc").writeTo(buf);
        assertThat(buf.position(), is(4));
        assertThat(Arrays.copyOf(buf.array(), 4), equalTo(">abc".getBytes(UTF_8)));
    }

    @Property(tries = 200)
    void stringsRoundTripThroughUtf8(@ForAll @Size(max = 30) String s) {
        Assume.that(UTF_8.newEncoder().canEncode(s)); // lone surrogates have no UTF-8 form
        Bytes b = Bytes.of(s);
        assertThat(b.toUtf8(), is(s));
        assertThat("of() is the UTF-8 encoding", b.toByteArray(), equalTo(s.getBytes(UTF_8)));
    }

    @Example
    void nullsAreRejectedWithAMessage() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> Bytes.of(null));
        assertThat(e.getMessage(), containsString("null"));
        assertThrows(NullPointerException.class, () -> Bytes.copyOf(null));
        assertThrows(NullPointerException.class, () -> Bytes.wrap(null));
    }

    // ---------------------------------------------------------------- accessors

    @Property(tries = 200)
    void startsWithMeansTheFirstBytesAreEqual(@ForAll("keys") byte[] a, @ForAll("keys") byte[] prefix) {
        boolean want = prefix.length <= a.length && Arrays.equals(Arrays.copyOf(a, prefix.length), prefix);
        assertThat(
                Bytes.copyOf(a) + " startsWith " + Bytes.copyOf(prefix),
                Bytes.copyOf(a).startsWith(Bytes.copyOf(prefix)),
                is(want));
    }

    @Property(tries = 100)
    void lengthAndByteAtSeeTheContent(@ForAll @Size(max = 20) byte[] a) {
        Bytes b = Bytes.copyOf(a);
        assertThat(b.length(), is(a.length));
        assertThat(b.isEmpty(), is(a.length == 0));
        for (int i = 0; i < a.length; i++) {
            assertThat("byte " + i, b.byteAt(i), is(a[i]));
        }
    }

    @Property(tries = 300)
    void compareToARangeAgreesWithCompareToAndCopyToRoundTrips(
            @ForAll("keys") byte[] a, @ForAll("keys") byte[] b, @ForAll @IntRange(max = 3) int pad) {
        byte[] page = new byte[pad + b.length + pad];
        Bytes.copyOf(b).copyTo(page, pad);
        assertThat("copyTo writes the bytes at the offset", Arrays.copyOfRange(page, pad, pad + b.length), is(b));
        assertThat(
                "comparing with a range of a larger array must agree with comparing two Bytes",
                Integer.signum(Bytes.copyOf(a).compareTo(page, pad, b.length)),
                is(Integer.signum(Bytes.copyOf(a).compareTo(Bytes.copyOf(b)))));
    }

    @Example
    void toStringShowsPrintableAsciiAndEscapesTheRest() {
        Bytes b = Bytes.copyOf(new byte[] {'k', '1', 0x00, (byte) 0xff, '"', '\\', '\n'});
        assertThat(
                "printable ASCII as is; everything else, quotes and backslashes included, as \\xNN",
                b.toString(),
                is("\"k1\\x00\\xff\\x22\\x5c\\x0a\""));
        assertThat(Bytes.EMPTY.toString(), is("\"\""));
    }
}
