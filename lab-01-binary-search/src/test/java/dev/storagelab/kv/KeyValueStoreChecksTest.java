package dev.storagelab.kv;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * {@link KeyValueStore#checkKey} and {@link KeyValueStore#checkValue}: the limits every engine
 * enforces at its edge, with the same messages, so a student's engine and the reference reject
 * the same input the same way.
 */
class KeyValueStoreChecksTest {

    private static Bytes ofLength(int n) {
        return Bytes.wrap(new byte[n]);
    }

    @Test
    void aKeyUpToTheLimitIsReturnedAsIs() {
        Bytes one = Bytes.of("k");
        assertThat(
                "checkKey returns its argument so it can be used inline",
                KeyValueStore.checkKey(one),
                sameInstance(one));
        Bytes max = ofLength(KeyValueStore.MAX_KEY_BYTES);
        assertThat("a key of exactly MAX_KEY_BYTES is allowed", KeyValueStore.checkKey(max), sameInstance(max));
    }

    @Test
    void aKeyOverTheLimitIsRejectedSayingBothSizes() {
        int tooLong = KeyValueStore.MAX_KEY_BYTES + 1;
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> KeyValueStore.checkKey(ofLength(tooLong)));
        assertThat(
                "the message gives the size and the limit",
                e.getMessage(),
                allOf(
                        containsString(String.valueOf(tooLong)),
                        containsString(String.valueOf(KeyValueStore.MAX_KEY_BYTES))));
    }

    @Test
    void anEmptyKeyIsRejected() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> KeyValueStore.checkKey(Bytes.EMPTY),
                "the empty key is reserved: no engine stores it");
        assertThat(e.getMessage(), containsString("empty"));
    }

    @Test
    void aNullKeyIsRejected() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> KeyValueStore.checkKey(null));
        assertThat(e.getMessage(), containsString("key"));
    }

    @Test
    void valuesFromEmptyToTheLimitAreReturnedAsIs() {
        assertThat("an empty value is a value", KeyValueStore.checkValue(Bytes.EMPTY), sameInstance(Bytes.EMPTY));
        Bytes max = ofLength(KeyValueStore.MAX_VALUE_BYTES);
        assertThat("a value of exactly MAX_VALUE_BYTES is allowed", KeyValueStore.checkValue(max), sameInstance(max));
    }

    @Test
    void aValueOverTheLimitIsRejectedSayingBothSizes() {
        int tooLong = KeyValueStore.MAX_VALUE_BYTES + 1;
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> KeyValueStore.checkValue(ofLength(tooLong)));
        assertThat(
                e.getMessage(),
                allOf(
                        containsString(String.valueOf(tooLong)),
                        containsString(String.valueOf(KeyValueStore.MAX_VALUE_BYTES))));
    }

    @Test
    void aNullValueIsRejectedPointingAtDelete() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> KeyValueStore.checkValue(null));
        assertThat("the message tells the caller how to remove a key", e.getMessage(), containsString("delete"));
    }
}
