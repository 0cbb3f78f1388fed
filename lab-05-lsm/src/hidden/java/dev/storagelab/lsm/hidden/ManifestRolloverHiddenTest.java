package dev.storagelab.lsm.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lab.Graded;
import dev.storagelab.lsm.FileMeta;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.LsmFileNames;
import dev.storagelab.lsm.LsmInternals;
import dev.storagelab.lsm.Manifest;
import dev.storagelab.lsm.ValueType;
import dev.storagelab.lsm.VersionEdit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of the MANIFEST's rollover (given code over lab-05 T6's replay): past its size
 * limit a MANIFEST is replaced by a new one holding a snapshot, and CURRENT switches to it; a
 * power loss at any step of that, in any mode, recovers every acknowledged edit, and the old
 * MANIFESTs become obsolete.
 */
@Tag("hidden")
class ManifestRolloverHiddenTest {

    private static final int EDITS = 40;

    private static FileMeta table(long number) {
        Bytes key = Bytes.of(String.format("key%06d", number));
        return new FileMeta(
                number,
                1000 + number,
                new InternalKey(key, number, ValueType.PUT),
                new InternalKey(key, number, ValueType.PUT));
    }

    /** Runs EDITS edits (each adds one level-0 table) with a 200-byte rollover; returns how many were acknowledged. */
    private static int run(FaultInjectingStorage storage) {
        int acknowledged = 0;
        try (Manifest m = LsmInternals.rolloverAt(Manifest.create(storage), 200)) {
            for (int i = 0; i < EDITS; i++) {
                long n = m.newFileNumber();
                m.logAndApply(new VersionEdit().addFile(0, table(n)).setLastSequence(n));
                acknowledged++;
            }
        } catch (IOException | RuntimeException e) {
            if (!storage.isCrashed()) {
                throw new AssertionError("failed without a crash", e);
            }
        }
        return acknowledged;
    }

    @Test
    @Graded(
            task = "T6",
            points = 2,
            concept = "a MANIFEST that rolls over to a new one (snapshot, then CURRENT) loses an "
                    + "acknowledged edit, or cannot be recovered, after a power loss at some step")
    void rolloverSurvivesAPowerLossAtEveryStep() throws IOException {
        FaultInjectingStorage clean = new FaultInjectingStorage(1);
        assertThat(run(clean), equalTo(EDITS));
        long total = clean.mutationCount();
        long manifests = clean.list().stream()
                .filter(n -> n.startsWith(LsmFileNames.MANIFEST_PREFIX))
                .count();
        try (Manifest m = Manifest.recover(clean)) {
            assertThat(
                    "every edit is in the recovered version",
                    m.version().files(0).size(),
                    equalTo(EDITS));
            assertThat(
                    "the old MANIFESTs are obsolete",
                    m.obsoleteFiles(java.util.Set.of()).stream()
                            .filter(n -> n.startsWith(LsmFileNames.MANIFEST_PREFIX))
                            .count(),
                    greaterThan(0L));
        }
        assertThat(
                "40 edits of ~60 bytes past a 200-byte limit rolled over several times (" + manifests + " MANIFESTs)",
                manifests,
                greaterThan(3L));
        int crashes = 0;
        for (CrashMode mode : CrashMode.values()) {
            for (long n = 1; n < total; n++) {
                FaultInjectingStorage storage = new FaultInjectingStorage(n);
                storage.crashMode(mode);
                storage.crashBeforeMutation(n);
                int acknowledged = run(storage);
                storage.powerLoss();
                crashes++;
                if (!storage.exists(LsmFileNames.CURRENT)) {
                    assertThat(
                            mode + ", crash before mutation " + n + ": no CURRENT, so nothing was acknowledged",
                            acknowledged,
                            equalTo(0));
                    continue;
                }
                try (Manifest m = Manifest.recover(storage)) {
                    int recovered = m.version().files(0).size();
                    assertThat(
                            mode + ", crash before mutation " + n + ": " + acknowledged + " edits acknowledged, "
                                    + recovered + " recovered",
                            recovered >= acknowledged && recovered <= acknowledged + 1,
                            is(true));
                    List<Long> numbers = new ArrayList<>();
                    m.version().files(0).forEach(f -> numbers.add(f.number()));
                    assertThat("the recovered tables are the first ones added", numbers.size(), lessThan(EDITS + 1));
                }
            }
        }
        assertThat(crashes, greaterThan(100));
    }
}
