package dev.storagelab.hybrid.tier.hidden;

import static dev.storagelab.testkit.LincheckSupport.actor;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt.forClasses;

import com.google.common.testing.FakeTicker;
import dev.storagelab.hybrid.hidden.ModelChecks;
import dev.storagelab.hybrid.tier.TieredStorage;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.WritableFile;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.LincheckSupport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden race test of lab-07 T7's archive mover, with Lincheck's model checker: small concurrent
 * scenarios of a move of one table to the archive beside appends, reads and a delete of it, over
 * two in-memory storages, explored interleaving by interleaving (a thread switch at every access to
 * the tiers' metadata and at their lock). Two things are checked: every history is the outcome of
 * some sequential order of the same operations, against the file's bytes (a move changes no byte
 * and no answer), and after each scenario the metadata the move published agrees with the two
 * storages: the open tiers and tiers opened again on the same storages (what a restart finds, after
 * {@code TierRecovery}) read the same bytes, or both find no file, and the file sits in the one tier
 * its location names. It catches the move that re-checks its claim too little before it publishes
 * (a change during the copy, such as an append, is then lost behind the stale copy the move
 * publishes), and the move that checks and publishes under two holds of the lock (a table deleted
 * in between comes back from the archive), whichever step the other thread falls between.
 *
 * <p>Deterministic: two scenarios written out below (a move beside an append; a move beside a
 * delete), then one that Lincheck draws from its fixed seed, each explored over a fixed count of
 * interleavings. The two storages are each one step (they lock themselves): the interleavings
 * explored are the tiers' own.
 */
@Tag("hidden")
@Param(name = "b", gen = IntGen.class, conf = "1:3")
public class TieredStorageLincheckHiddenTest {

    static final String NAME = "000005.sst";

    /** Behind a lambda: state the test object holds. */
    private final Supplier<FaultInjectingStorage> fast;

    private final Supplier<FaultInjectingStorage> archive;
    private final Supplier<TieredStorage> tiers;

    public TieredStorageLincheckHiddenTest() throws IOException {
        FaultInjectingStorage f = new FaultInjectingStorage(1);
        FaultInjectingStorage a = new FaultInjectingStorage(2);
        fast = LincheckSupport.unwalked(f);
        archive = LincheckSupport.unwalked(a);
        tiers = LincheckSupport.unwalked(openWithTable(f, a));
    }

    /** Tiers over {@code fast} and {@code archive} holding {@link #NAME}, one byte ("a"), in the fast tier. */
    static TieredStorage openWithTable(FaultInjectingStorage fast, FaultInjectingStorage archive) throws IOException {
        TieredStorage t = TieredStorage.open(fast, archive, new FakeTicker());
        try (WritableFile w = t.create(NAME)) {
            w.append("a".getBytes(StandardCharsets.UTF_8));
            w.force();
        }
        t.syncDirectory();
        return t;
    }

    /** Moves the table to the archive; whether it moved is not an answer (a move may give up on a change). */
    @Operation
    public void move() throws IOException {
        move(tiers.get());
    }

    /** Moves {@link #NAME} in {@code tiers} to the archive, if it is there when the move begins. */
    static void move(TieredStorage tiers) throws IOException {
        try {
            tiers.moveToArchive(NAME);
        } catch (NoSuchFileException e) {
            // deleted (or renamed away) before the move began
        }
    }

    /** Appends one byte ({@code b} as a digit) and forces it: false if there is no file. */
    @Operation
    public boolean append(@Param(name = "b") int b) throws IOException {
        return append(tiers.get(), b);
    }

    /** Appends {@code b} as a digit to {@link #NAME} in {@code tiers} and forces it: false if there is no file. */
    static boolean append(TieredStorage tiers, int b) throws IOException {
        WritableFile w;
        try {
            w = tiers.openAppend(NAME);
        } catch (NoSuchFileException e) {
            return false;
        }
        try (w) {
            w.append(Integer.toString(b).getBytes(StandardCharsets.UTF_8));
            w.force();
        }
        return true;
    }

    /** The file's bytes as text, or null if there is no file. */
    @Operation
    public String read() throws IOException {
        return read(tiers.get());
    }

    /** Deletes the file: false if there was none. */
    @Operation
    public boolean delete() throws IOException {
        try {
            tiers.get().delete(NAME);
        } catch (NoSuchFileException e) {
            return false;
        }
        tiers.get().syncDirectory();
        return true;
    }

    /**
     * The metadata the moves published against the two storages: tiers opened again on them (a
     * restart) read what the open tiers read, and the file is in the tier its location names.
     */
    @Validate
    public void theTiersOpenedAgainReadWhatTheOpenTiersRead() throws IOException {
        String open = read(tiers.get());
        Optional<TieredStorage.Location> location = tiers.get().locate(NAME);
        if (location.isPresent()) {
            FaultInjectingStorage named = location.get() == TieredStorage.Location.ARCHIVE ? archive.get() : fast.get();
            if (!named.exists(NAME)) {
                throw new IllegalStateException(
                        "the tiers place " + NAME + " in the " + location.get() + " tier, which does " + "not hold it");
            }
        } else if (archive.get().exists(NAME)) {
            throw new IllegalStateException(NAME + " was deleted, but the archive holds it: a move published its copy "
                    + "after the delete (it must re-check its claim and publish in one hold of the lock)");
        }
        String reopened = read(TieredStorage.open(fast.get(), archive.get(), new FakeTicker()));
        if (!Objects.equals(open, reopened)) {
            throw new IllegalStateException(
                    "the open tiers read " + describe(open) + " from " + NAME + ", but tiers opened "
                            + "again on the same storages read " + describe(reopened)
                            + ": a move published a copy that a change "
                            + "during the copy had made stale, or published it after a delete");
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 3,
            concept = "archive mover races: a move publishes a copy that an append or a delete during the copy made "
                    + "stale (the claim is not re-checked in full, in the same hold of the lock as the publish)")
    void everyHistoryOfAMoveBesideWritersIsLinearizableAndRestartsReadTheSame() throws IOException {
        // every history is linearizable for a move that never moves: alone, a move archives the file
        TieredStorageLincheckHiddenTest alone = new TieredStorageLincheckHiddenTest();
        alone.move();
        assertThat(
                "a move with nothing beside it archives " + NAME,
                alone.tiers.get().locate(NAME),
                equalTo(Optional.of(TieredStorage.Location.ARCHIVE)));
        assertThat("the archived file reads as it was", alone.read(), equalTo("a"));
        Class<?> t = TieredStorageLincheckHiddenTest.class;
        ModelCheckingOptions options = new ModelCheckingOptions()
                // A move beside an append (the append must not be lost behind the copy), and a move
                // beside a delete (the file must not come back)...
                .addCustomScenario(LincheckSupport.scenario(
                        List.of(),
                        List.of(List.of(actor(t, "move")), List.of(actor(t, "append", 2))),
                        List.of(actor(t, "read"))))
                .addCustomScenario(LincheckSupport.scenario(
                        List.of(),
                        List.of(List.of(actor(t, "move")), List.of(actor(t, "delete"))),
                        List.of(actor(t, "read"))))
                // ... then a random one.
                .iterations(1)
                .invocationsPerIteration(30)
                .threads(2)
                .actorsPerThread(2)
                .actorsBefore(1)
                .actorsAfter(1)
                // The storages are each one step: they lock themselves, and the interleavings
                // explored are the tiers' own.
                .addGuarantee(forClasses(name -> name.startsWith("dev.storagelab.io."))
                        .allMethods()
                        .treatAsAtomic())
                // A failure is reported as found: shrinking it would cost more than the whole test.
                .minimizeFailedScenario(false)
                .sequentialSpecification(Sequential.class);
        // The first run of a scenario transforms the tiers' classes: on a loaded machine that alone
        // can pass the 30 s after which Lincheck would report a hang.
        ModelChecks.check(TieredStorageLincheckHiddenTest.class, options, 120_000);
    }

    private static String read(TieredStorage tiers) throws IOException {
        return read(tiers, NAME);
    }

    /** The bytes of {@code name} in {@code tiers} as text, or null if there is no such file. */
    static String read(TieredStorage tiers, String name) throws IOException {
        ReadableFile r;
        try {
            r = tiers.openRead(name);
        } catch (NoSuchFileException e) {
            return null;
        }
        try (r) {
            return new String(r.readFully(0, (int) r.size()), StandardCharsets.UTF_8);
        }
    }

    static String describe(String content) {
        return content == null ? "no file" : "\"" + content + "\"";
    }

    /** The sequential specification: the file's bytes, or null once deleted; a move changes nothing. */
    public static class Sequential {
        /** The file's bytes as text, or null if there is no file. */
        String content = "a";

        public void move() {}

        public boolean append(int b) {
            if (content == null) {
                return false;
            }
            content += b;
            return true;
        }

        public String read() {
            return content;
        }

        public boolean delete() {
            if (content == null) {
                return false;
            }
            content = null;
            return true;
        }
    }
}
