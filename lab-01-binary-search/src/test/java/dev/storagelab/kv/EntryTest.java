package dev.storagelab.kv;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@link Entry}: one version of a key, a value or a tombstone. */
class EntryTest {

    @Test
    void aPutHoldsItsValue() {
        Entry e = Entry.put(Bytes.of("k"), Bytes.of("v"));
        assertThat(e.key(), is(Bytes.of("k")));
        assertThat(e.value(), is(Bytes.of("v")));
        assertThat("a put is not a delete", e.isTombstone(), is(false));
    }

    @Test
    void aTombstoneHasNoValue() {
        Entry e = Entry.tombstone(Bytes.of("k"));
        assertThat("a tombstone records a delete", e.isTombstone(), is(true));
        assertThat(e.value(), is(nullValue()));
    }

    @Test
    void anEmptyValueIsAValueNotATombstone() {
        assertThat(
                "deleting and storing \"\" are different things",
                Entry.put(Bytes.of("k"), Bytes.EMPTY).isTombstone(),
                is(false));
    }

    @Test
    void nullsAreRejectedNamingTheArgument() {
        NullPointerException noValue = assertThrows(
                NullPointerException.class,
                () -> Entry.put(Bytes.of("k"), null),
                "a put without a value would silently become a delete");
        assertThat(noValue.getMessage(), containsString("value"));
        NullPointerException noKey = assertThrows(NullPointerException.class, () -> Entry.tombstone(null));
        assertThat(noKey.getMessage(), containsString("key"));
    }

    @Test
    void approximateBytesIsKeyPlusValuePlusOverhead() {
        assertThat(
                "3-byte key, 5-byte value",
                Entry.put(Bytes.of("abc"), Bytes.of("12345")).approximateBytes(),
                is(3L + 5 + Entry.OVERHEAD_BYTES));
        assertThat(
                "a tombstone costs its key and the overhead",
                Entry.tombstone(Bytes.of("abc")).approximateBytes(),
                is(3L + Entry.OVERHEAD_BYTES));
    }

    @Test
    void entriesAreEqualByKeyAndValue() {
        assertThat(Entry.put(Bytes.of("k"), Bytes.of("v")), is(Entry.put(Bytes.of("k"), Bytes.of("v"))));
        assertThat(
                Entry.put(Bytes.of("k"), Bytes.of("v")).hashCode(),
                is(Entry.put(Bytes.of("k"), Bytes.of("v")).hashCode()));
        assertThat(Entry.tombstone(Bytes.of("k")), is(Entry.tombstone(Bytes.of("k"))));
        assertThat(
                "a value and a tombstone of one key differ",
                Entry.put(Bytes.of("k"), Bytes.EMPTY),
                is(not(Entry.tombstone(Bytes.of("k")))));
    }

    @Test
    void toStringShowsKeyAndValueOrTombstone() {
        assertThat(Entry.put(Bytes.of("k"), Bytes.of("v")).toString(), is("\"k\" -> \"v\""));
        assertThat(Entry.tombstone(Bytes.of("k")).toString(), is("\"k\" -> <tombstone>"));
    }
}
