package dev.storagelab.grader.sandbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The test users' ids ({@link Confinement#FIRST_UID} on), leased to one run at a time across every
 * grader of the machine: an id is this process's while it holds the OS lock on the id's file in
 * {@link Confinement#LEASES}, and an id an account of the machine uses is never leased.
 */
final class UidLeases {

    private final BitSet leased = new BitSet(Confinement.UIDS); // guarded by this
    private final BitSet taken;
    private final Map<Integer, List<FileChannel>> locksHeld = new HashMap<>(); // guarded by this

    /** {@code taken}: the ids (counted from {@link Confinement#FIRST_UID}) that accounts of the machine use. */
    UidLeases(BitSet taken) {
        this.taken = taken;
    }

    /**
     * A user id no other run holds, in this process or any other: each id has a lock file, held
     * (an OS lock, released if this process dies) while a run uses the id, so two graders on one
     * machine (two surefire forks, two {@code grade} commands) never share one.
     */
    synchronized int lease() throws IOException {
        Path locks = Confinement.LEASES;
        Files.createDirectories(locks);
        if (Files.isSymbolicLink(locks)
                || (Integer) Files.getAttribute(locks, "unix:uid", LinkOption.NOFOLLOW_LINKS) != 0) {
            throw new IOException(
                    locks + " is not root's own folder (a test JVM made it?): refusing to lease test users through it");
        }
        Files.setPosixFilePermissions(locks, PosixFilePermissions.fromString("rwx------"));
        Path legacy = legacyLeases();
        for (int i = 0; i < Confinement.UIDS; i++) {
            if (leased.get(i) || taken.get(i)) {
                continue;
            }
            List<FileChannel> held = new ArrayList<>();
            if (lock(locks.resolve((Confinement.FIRST_UID + i) + ".lock"), held)
                    && (legacy == null || lock(legacy.resolve((Confinement.FIRST_UID + i) + ".lock"), held))) {
                leased.set(i);
                locksHeld.put(Confinement.FIRST_UID + i, held);
                return Confinement.FIRST_UID + i;
            }
            for (FileChannel c : held) {
                c.close(); // another grader's run has it
            }
        }
        throw new IOException("all " + Confinement.UIDS + " test user ids (" + Confinement.FIRST_UID + "-"
                + (Confinement.FIRST_UID + Confinement.UIDS - 1)
                + ") are in use: too many test runs at once on this machine");
    }

    /**
     * Where graders before this one leased their ids ({@code /tmp/storagelab-uids}): while one of
     * them still runs beside this one (an upgrade in the middle of a class's grading), an id locked
     * there is in use too. Null when that folder is not root's own (then no older grader made it).
     */
    private static Path legacyLeases() throws IOException {
        Path legacy = Path.of("/tmp/storagelab-uids");
        if (!Files.isDirectory(legacy, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        return (Integer) Files.getAttribute(legacy, "unix:uid", LinkOption.NOFOLLOW_LINKS) == 0 ? legacy : null;
    }

    /** Takes the OS lock on {@code file}, adding its channel to {@code held}; false when another process holds it. */
    private static boolean lock(Path file, List<FileChannel> held) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            return false;
        }
        held.add(channel);
        return true;
    }

    synchronized void release(int uid) {
        List<FileChannel> channels = locksHeld.remove(uid);
        for (FileChannel channel : channels == null ? List.<FileChannel>of() : channels) {
            try {
                channel.close(); // releases the lock
            } catch (IOException e) {
                // the lock goes with the channel either way
            }
        }
        leased.clear(uid - Confinement.FIRST_UID);
    }
}
