package dev.storagelab.hybrid.given;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.hybrid.HybridOptions;
import dev.storagelab.wal.SyncMode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The hybrid store's options (given code, so this test lives outside the lab's student packages:
 * it passes on the release): a bad setting is refused when the options are built, with a message
 * that names the setting, the value given and what is allowed; {@code toBuilder} keeps every
 * setting it is not asked to change.
 */
class HybridOptionsTest {

    @Test
    void badSettingsAreRefusedWithTheValueAndTheAllowedRange() {
        refused(() -> HybridOptions.builder().cache("arc", -1).build(), "cacheEntries", "-1", "at least 0");
        refused(() -> HybridOptions.builder().cache("2q", 16).build(), "cache policy", "2q", "[arc, lru, lfu]");
        refused(() -> HybridOptions.builder().maxDirtyEntries(0).build(), "maxDirtyEntries", "0", "at least 1");
        refused(() -> HybridOptions.builder().tracker(100, 1 << 20).build(), "tracker width", "100", "power of two");
        refused(() -> HybridOptions.builder().tracker(1 << 10, 512).build(), "tracker sample size", "512", "1024");
        refused(() -> HybridOptions.builder().hysteresis(1).build(), "hysteresis", "1.0", "[0, 1)");
        refused(
                () -> HybridOptions.builder()
                        .minResidency(Duration.ofSeconds(-1))
                        .build(),
                "minResidency",
                "PT-1S",
                "zero or more");
        refused(
                () -> HybridOptions.builder()
                        .paybackWindows(Double.POSITIVE_INFINITY)
                        .build(),
                "paybackWindows",
                "Infinity",
                "finite");
        refused(() -> HybridOptions.builder().considerEvery(0).build(), "considerEvery", "0", "at least 1");
        refused(() -> HybridOptions.builder().settledBackoff(-1).build(), "settledBackoff", "-1", "0 (off) and 6");
        refused(() -> HybridOptions.builder().settledBackoff(7).build(), "settledBackoff", "7", "0 (off) and 6");
        refused(() -> HybridOptions.builder().migrationBudget(0, 5).build(), "migration budget", "0.0/s", "positive");
        refused(() -> HybridOptions.builder().migrationBudget(5, 0).build(), "migration budget", ", 0", "at least 1");
        refused(
                () -> HybridOptions.builder().migrationQueueCapacity(0).build(),
                "migrationQueueCapacity",
                "0",
                "at least 1");
        refused(() -> HybridOptions.builder().maxHotKeys(-3).build(), "maxHotKeys", "-3", "at least 0");
        refused(
                () -> HybridOptions.builder().maintenance(Duration.ZERO, true).build(),
                "maintenanceInterval",
                "PT0S",
                "positive");
        refused(
                () -> HybridOptions.builder().checkpointLogBytes(4095).build(),
                "checkpointLogBytes",
                "4095",
                "at least 4096");
        assertThrows(
                NullPointerException.class,
                () -> HybridOptions.builder().syncMode(null).build(),
                "a null sync mode");
    }

    @Test
    void toBuilderChangesOnlyWhatItIsAsked() {
        HybridOptions defaults = HybridOptions.defaults();
        HybridOptions changed =
                defaults.toBuilder().syncMode(SyncMode.NONE).maxHotKeys(7).build();
        assertThat("the changed sync mode", changed.syncMode(), equalTo(SyncMode.NONE));
        assertThat("the changed hot-key bound", changed.maxHotKeys(), equalTo(7));
        assertThat("the options differ from the defaults", changed, not(equalTo(defaults)));
        assertThat(
                "back to the defaults' two settings, the options equal the defaults",
                changed.toBuilder()
                        .syncMode(defaults.syncMode())
                        .maxHotKeys(defaults.maxHotKeys())
                        .build(),
                equalTo(defaults));
        assertThat(
                "the cost model is carried over, not rebuilt", changed.costModel(), sameInstance(defaults.costModel()));
    }

    private static void refused(Executable build, String setting, String value, String allowed) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build, setting + " " + value);
        assertThat(
                "the message names the setting, the value given and what is allowed",
                e.getMessage(),
                allOf(containsString(setting), containsString(value), containsString(allowed)));
    }
}
