package dev.storagelab.hybrid.tier;

import static dev.storagelab.hybrid.tier.TieredStorage.ARCHIVING_SUFFIX;

import dev.storagelab.io.Storage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link TieredStorage#open} does before it records where each file lives (lab-07 T7: you
 * write {@link #recover}): it finishes or undoes the move a crash interrupted, so that every file
 * lives in exactly one tier and no {@code .archiving} copy is left. It only reads and deletes; the
 * storage's map of files is built afterwards, from what it leaves.
 */
final class TierRecovery {

    private final Storage fast;
    private final Storage archive;

    TierRecovery(Storage fast, Storage archive) {
        this.fast = fast;
        this.archive = archive;
    }

    /**
     * Recovers from a move that a crash interrupted ({@link ArchiveMover} says the move's steps),
     * in this order:
     * <ol>
     *   <li>every {@code NAME.archiving} in the archive is a copy whose rename never happened: the
     *       fast copy is still there and complete; the partial copy is deleted;</li>
     *   <li>a name in both tiers is a move that crashed between the archive's rename and the fast
     *       copy's delete: the archive's copy is complete (it was forced before its rename) and is
     *       kept; the fast copy is deleted;</li>
     *   <li>if anything was deleted, that tier's directory is synced, so recovery itself survives a
     *       crash right after it.</li>
     * </ol>
     * Afterwards no name is in both tiers, and no {@code .archiving} copy is left.
     */
    void recover() throws IOException {
        // BEGIN SOLUTION lab-07 T7
        List<String> archived = new ArrayList<>();
        boolean archiveChanged = false;
        for (String name : archive.list()) {
            if (name.endsWith(ARCHIVING_SUFFIX)) {
                archive.delete(name);
                archiveChanged = true;
            } else {
                archived.add(name);
            }
        }
        if (archiveChanged) {
            archive.syncDirectory();
        }
        boolean fastChanged = false;
        for (String name : archived) {
            if (fast.exists(name)) {
                fast.delete(name);
                fastChanged = true;
            }
        }
        if (fastChanged) {
            fast.syncDirectory();
        }
        // END SOLUTION
    }
}
