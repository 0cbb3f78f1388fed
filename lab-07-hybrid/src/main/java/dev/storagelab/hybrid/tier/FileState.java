package dev.storagelab.hybrid.tier;

import java.util.HashSet;
import java.util.Set;

/**
 * What a {@link TieredStorage}'s metadata lock guards about one file (lab-07 T7): where it lives,
 * when it was born, who has it open, and a change count that a move compares with its
 * {@link ArchiveMover.Claim} to learn whether the file is still the one it copied. Every field is
 * read and written with the storage's lock held.
 */
final class FileState {
    TieredStorage.Location location;
    final long bornNanos;
    /** Writers open on the file: a file being written is never moved. */
    int openWriters;
    /** Bumped by every change of the file's name or bytes a move could miss (rename, truncate, openAppend, delete). */
    long changes;
    /** A move of this file is copying it. */
    boolean moving;
    /** Handles open on this file, switched to the archive's copy when it moves. */
    final Set<TieredReadableFile> readers = new HashSet<>();

    FileState(TieredStorage.Location location, long bornNanos) {
        this.location = location;
        this.bornNanos = bornNanos;
    }
}
