package dev.storagelab.hybrid.tier.hidden;

import static dev.storagelab.testkit.LincheckSupport.actor;
import static org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt.forClasses;

import dev.storagelab.hybrid.hidden.ModelChecks;
import dev.storagelab.hybrid.tier.TieredStorage;
import dev.storagelab.hybrid.tier.TieredStorage.Location;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.LincheckSupport;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
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
 * Hidden race test of lab-07 T7's archive mover, with Lincheck's model checker, aimed at the step
 * between the move's re-check of its claim and its publish: a move of one table beside a delete, a
 * rename, and a truncate then an append of as many bytes as the file had, over two in-memory
 * storages, explored interleaving by interleaving (a thread switch at every access to the tiers'
 * metadata and at their lock). Every history must be the outcome of some sequential order of the
 * same operations on the two names' bytes (a move changes none), and after each one the storages
 * must agree with the tiers: a file the tiers no longer have (deleted, or renamed away) is in
 * neither storage, whether it was removed before the move published it or after; a file the tiers
 * have is in the tier its location names and in no other; and no {@code .archiving} copy is left.
 * (What a restart finds is {@link TieredStorageLincheckHiddenTest}'s and
 * {@code TieredStorageRaceHiddenTest}'s to check.)
 *
 * <p>It catches a move that re-checks its claim before it takes the lock for the publish (a change
 * between the two is published over: a deleted table comes back from the archive, a renamed one
 * leaves its old name there), one that re-checks something other than the claim's change count
 * (the file's size: a truncate and an append of as many bytes leave it as long as the copy), and
 * one that re-checks the file through the handle it copied from (which sees the bytes of the file
 * it was opened on, whatever has been done to the name since).
 *
 * <p>Deterministic: three scenarios written out below and no random one, each explored over 150
 * interleavings. The model checker tries every interleaving with one thread switch before any with
 * two, and each scenario has fewer than 150 with one (about 80 to 100, counted from the steps of
 * their traces): a race that one switch at the wrong step shows (a change falling between the
 * re-check and the publish) is found whatever the order in which it tries them. The two storages and the tiers' map of files are each one step (they are
 * locked by their owner): the interleavings explored are the move's own against the change's.
 */
@Tag("hidden")
@Param(name = "b", gen = IntGen.class, conf = "1:3")
public class TieredStoragePublishLincheckHiddenTest {

    private static final String NAME = TieredStorageLincheckHiddenTest.NAME;
    private static final String RENAMED = "000009.sst";

    /** Behind a lambda: state the test object holds. */
    private final Supplier<FaultInjectingStorage> fast;

    private final Supplier<FaultInjectingStorage> archive;
    private final Supplier<TieredStorage> tiers;

    public TieredStoragePublishLincheckHiddenTest() throws IOException {
        FaultInjectingStorage f = new FaultInjectingStorage(1);
        FaultInjectingStorage a = new FaultInjectingStorage(2);
        fast = LincheckSupport.unwalked(f);
        archive = LincheckSupport.unwalked(a);
        tiers = LincheckSupport.unwalked(TieredStorageLincheckHiddenTest.openWithTable(f, a));
    }

    /** Moves the table to the archive; whether it moved is not an answer (a move may give up on a change). */
    @Operation
    public void move() throws IOException {
        TieredStorageLincheckHiddenTest.move(tiers.get());
    }

    /**
     * A move with nothing beside it puts the table in the archive, whole, and out of the fast tier:
     * a move that never publishes has no race to lose, and must not pass for one that wins them.
     */
    static void aMoveWithNothingBesideItArchivesTheTable() throws IOException {
        FaultInjectingStorage f = new FaultInjectingStorage(1);
        FaultInjectingStorage a = new FaultInjectingStorage(2);
        TieredStorage tiers = TieredStorageLincheckHiddenTest.openWithTable(f, a);
        String before = TieredStorageLincheckHiddenTest.read(tiers, NAME);
        TieredStorageLincheckHiddenTest.move(tiers);
        if (tiers.locate(NAME).orElse(null) != Location.ARCHIVE || !a.exists(NAME) || f.exists(NAME)) {
            throw new AssertionError(
                    "a move of " + NAME + " with nothing beside it left it out of the archive (located "
                            + tiers.locate(NAME) + ", in the archive: " + a.exists(NAME) + ", in the fast tier: "
                            + f.exists(NAME) + ")");
        }
        String after = TieredStorageLincheckHiddenTest.read(tiers, NAME);
        if (!java.util.Objects.equals(before, after)) {
            throw new AssertionError("the archived " + NAME + " reads " + after + ", not " + before);
        }
    }

    /** Deletes the table: false if there was none. */
    @Operation
    public boolean delete() throws IOException {
        return ifPresent(() -> tiers.get().delete(NAME));
    }

    /** Renames the table to {@link #RENAMED}: false if there was none. */
    @Operation
    public boolean rename() throws IOException {
        return ifPresent(() -> tiers.get().rename(NAME, RENAMED));
    }

    /** Truncates the table to nothing: false if there was none. */
    @Operation
    public boolean truncate() throws IOException {
        return ifPresent(() -> tiers.get().truncate(NAME, 0));
    }

    /** A change of a file that fails with NoSuchFileException if there is none. */
    private interface Change {
        void run() throws IOException;
    }

    /** Runs {@code change}: false if there was no file to change. */
    private static boolean ifPresent(Change change) throws IOException {
        try {
            change.run();
        } catch (NoSuchFileException e) {
            return false;
        }
        return true;
    }

    /** Appends one byte ({@code b} as a digit) and forces it: false if there is no table. */
    @Operation
    public boolean append(@Param(name = "b") int b) throws IOException {
        return TieredStorageLincheckHiddenTest.append(tiers.get(), b);
    }

    /** The table's bytes as text, or null if there is none. */
    @Operation
    public String read() throws IOException {
        return TieredStorageLincheckHiddenTest.read(tiers.get(), NAME);
    }

    /** The renamed table's bytes as text, or null if there is none. */
    @Operation
    public String readRenamed() throws IOException {
        return TieredStorageLincheckHiddenTest.read(tiers.get(), RENAMED);
    }

    /**
     * The storages against the tiers after the scenario: a name the tiers do not have is in neither
     * storage, a name they have is in the tier its location names only, and no copy is left half
     * made.
     */
    @Validate
    public void theArchiveHoldsNoFileTheTiersRemovedOrReplaced() throws IOException {
        for (String name : List.of(NAME, RENAMED)) {
            Optional<Location> location = tiers.get().locate(name);
            boolean inFast = fast.get().exists(name);
            boolean inArchive = archive.get().exists(name);
            if (location.isEmpty()) {
                if (inArchive) {
                    throw new IllegalStateException("the archive holds " + name + ", which the tiers no longer "
                            + "have (deleted, or renamed away): a move published its copy after the change (it must "
                            + "re-check its claim and publish it in one hold of the lock)");
                }
                if (inFast) {
                    throw new IllegalStateException("the fast tier holds " + name
                            + ", which the tiers no longer have (deleted, or renamed away)");
                }
            } else {
                boolean named = location.get() == Location.ARCHIVE ? inArchive : inFast;
                boolean other = location.get() == Location.ARCHIVE ? inFast : inArchive;
                if (!named) {
                    throw new IllegalStateException("the tiers place " + name + " in the " + location.get()
                            + " tier, which does not hold it: a move marked a file archived that it did not publish, "
                            + "or deleted the fast copy of a file that had replaced the one it copied");
                }
                if (other) {
                    throw new IllegalStateException(name + " is in both tiers after its move ended");
                }
            }
        }
        for (String left : archive.get().list()) {
            if (left.endsWith(TieredStorage.ARCHIVING_SUFFIX)) {
                throw new IllegalStateException("the archive holds " + left + " after every move ended");
            }
        }
    }

    @Test
    @Graded(
            task = "T7",
            points = 3,
            concept = "archive mover races: a delete, rename or truncate between the move's re-check of its claim "
                    + "and its publish is published over (the re-check is made before the lock, compares "
                    + "something other than the claim's change count, or reads the file through the handle it "
                    + "copied from)")
    void aChangeBetweenTheMovesReCheckAndItsPublishIsNeverPublishedOver() throws IOException {
        aMoveWithNothingBesideItArchivesTheTable();
        Class<?> t = TieredStoragePublishLincheckHiddenTest.class;
        ModelCheckingOptions options = new ModelCheckingOptions()
                // A move beside a delete (the table must not come back from the archive, nor stay
                // there once deleted after its publish)...
                .addCustomScenario(LincheckSupport.scenario(
                        List.of(),
                        List.of(List.of(actor(t, "move")), List.of(actor(t, "delete"))),
                        List.of(actor(t, "read"))))
                // ... beside a rename (the old name must not come back from the archive, the new one
                // must be where its location says)...
                .addCustomScenario(LincheckSupport.scenario(
                        List.of(),
                        List.of(List.of(actor(t, "move")), List.of(actor(t, "rename"))),
                        List.of(actor(t, "read"), actor(t, "readRenamed"))))
                // ... and beside a truncate and an append of one byte: the file is then as long as
                // the copy, and only its change count says it is not the file copied.
                .addCustomScenario(LincheckSupport.scenario(
                        List.of(),
                        List.of(List.of(actor(t, "move")), List.of(actor(t, "truncate"), actor(t, "append", 2))),
                        List.of(actor(t, "read"))))
                .iterations(0)
                // More than the interleavings with one thread switch in each scenario: all of them
                // are tried (the model checker tries them before any with two).
                .invocationsPerIteration(150)
                // The storages and the tiers' map of files are each one step: the storages lock
                // themselves, and the map is the tiers' to lock.
                .addGuarantee(
                        forClasses(name -> name.startsWith("dev.storagelab.io.") || name.equals("java.util.TreeMap"))
                                .allMethods()
                                .treatAsAtomic())
                // A failure is reported as found: shrinking it would cost more than the whole test.
                .minimizeFailedScenario(false)
                .sequentialSpecification(Sequential.class);
        ModelChecks.check(t, options, 120_000);
    }

    /**
     * The sequential specification: the two names' bytes (null: no such file); a move changes
     * nothing. A move, an append, a read and a delete are the older model check's.
     */
    public static final class Sequential extends TieredStorageLincheckHiddenTest.Sequential {
        private String renamed;

        public boolean rename() {
            if (content == null) {
                return false;
            }
            renamed = content;
            content = null;
            return true;
        }

        public boolean truncate() {
            if (content == null) {
                return false;
            }
            content = "";
            return true;
        }

        public String readRenamed() {
            return renamed;
        }
    }
}
