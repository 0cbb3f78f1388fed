package dev.storagelab.lsm.given;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.storagelab.lsm.LsmOptions;
import org.junit.jupiter.api.Test;

/** {@link LsmOptions} is given code: options a store could not honour are refused when built, by name. */
class LsmOptionsTest {

    @Test
    void aStoreWithoutBloomFiltersIsRefusedWhenTheOptionsAreBuilt() {
        // Every table has a filter block: a zero here used to pass the options and fail the first flush.
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> LsmOptions.defaults().withBloomBitsPerKey(0));
        assertTrue(e.getMessage().contains("bloomBitsPerKey"), e.getMessage());
        assertEquals(1, LsmOptions.defaults().withBloomBitsPerKey(1).bloomBitsPerKey());
    }

    @Test
    void levelZeroTriggersMustBeOrdered() {
        LsmOptions.Builder b = LsmOptions.defaults().toBuilder();
        b.l0SlowdownTrigger = b.l0CompactionTrigger - 1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().contains("level-0 triggers"), e.getMessage());
    }

    @Test
    void forcedWritesNeedTheLog() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> LsmOptions.defaults().withoutWal().withSyncWrites(true));
        assertTrue(e.getMessage().contains("walEnabled"), e.getMessage());
    }
}
