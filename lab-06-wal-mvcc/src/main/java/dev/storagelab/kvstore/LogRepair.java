package dev.storagelab.kvstore;

import dev.storagelab.io.Storage;
import dev.storagelab.wal.WalSalvage;
import java.io.IOException;
import java.util.Objects;

/**
 * The repair of a store whose open is refused because of its write-ahead log, asked for by an
 * operator (as LevelDB's {@code RepairDB}, kept small): the open itself never repairs. What it does,
 * and nothing else:
 * <ul>
 *   <li>the log is cut at its first damaged record (the segments after it are deleted);</li>
 *   <li>if the log then ends before the LSN the checkpoint record covers, it is restarted just
 *       after that LSN: every record up to it is in the engine's checkpoint already, and new records
 *       must not reuse an LSN the checkpoint claims.</li>
 * </ul>
 * Records after the damage that the checkpoint does not cover are lost, and {@link Plan#lost}
 * says so before anything is done. The checkpoint record and the engines' files are not touched:
 * a damaged one is beyond this repair.
 */
public final class LogRepair {

    private LogRepair() {}

    /**
     * What a repair would do.
     *
     * @param coveredLsn the LSN the checkpoint record covers
     * @param prefix     the log's readable prefix and its first damage
     */
    public record Plan(long coveredLsn, WalSalvage.Prefix prefix) {

        /** Whether there is nothing to repair: the log reads whole and reaches the checkpoint. */
        public boolean nothingToDo() {
            return prefix.whole() && prefix.lastLsn() >= coveredLsn;
        }

        /** Whether the log must restart after the checkpoint's LSN. */
        public boolean restarts() {
            return prefix.lastLsn() < coveredLsn;
        }

        /** Whether records the checkpoint does not cover are cut off (their LSNs are unknown past the damage). */
        public boolean lost() {
            return !prefix.whole() && prefix.lastLsn() >= coveredLsn;
        }

        /** The plan in words, for the operator. */
        public String describe() {
            if (nothingToDo()) {
                return "nothing to repair: the log reads whole to LSN " + prefix.lastLsn()
                        + ", at or after the checkpoint's " + coveredLsn;
            }
            StringBuilder sb = new StringBuilder();
            if (!prefix.whole() || !prefix.dropped().isEmpty()) {
                sb.append("the log reads in order to LSN ")
                        .append(prefix.lastLsn())
                        .append(", then: ")
                        .append(prefix.damage())
                        .append('\n');
                if (prefix.cutSegment() != null) {
                    sb.append("  cut ")
                            .append(prefix.cutSegment())
                            .append(" at byte ")
                            .append(prefix.cutAt())
                            .append('\n');
                }
                prefix.dropped()
                        .forEach(name -> sb.append("  delete ").append(name).append('\n'));
            }
            if (restarts()) {
                sb.append("the checkpoint covers LSN ")
                        .append(coveredLsn)
                        .append(", which the engine holds: restart the log at LSN ")
                        .append(coveredLsn + 1)
                        .append(" (nothing acknowledged is lost)\n");
            } else if (lost()) {
                sb.append("LOST: the records after LSN ")
                        .append(prefix.lastLsn())
                        .append(" are past the checkpoint (LSN ")
                        .append(coveredLsn)
                        .append(") and cannot be read\n");
            }
            return sb.toString().stripTrailing();
        }
    }

    /** Reads the checkpoint record and the log and says what a repair would do, writing nothing. */
    public static Plan plan(Storage storage) throws IOException {
        Objects.requireNonNull(storage, "storage");
        CheckpointFile checkpoint = CheckpointFile.read(storage);
        return new Plan(checkpoint.coveredLsn(), WalSalvage.readablePrefix(storage));
    }

    /** Carries out {@code plan}, made by {@link #plan} on the same files just before. */
    public static void apply(Storage storage, Plan plan) throws IOException {
        if (plan.nothingToDo()) {
            return;
        }
        WalSalvage.cut(storage, plan.prefix());
        if (plan.restarts()) {
            WalSalvage.restartAfter(storage, plan.coveredLsn());
        }
    }
}
