package dev.storagelab.btree.hidden;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.testkit.KilledChild;
import java.io.IOException;
import java.nio.file.Path;
import java.util.TreeMap;

/**
 * The child process of {@link ChildProcessCrashHiddenTest}: opens a B+tree of 512-byte pages and
 * 16 frames on a real directory and runs numbered rounds until it is killed. Round {@code r} puts
 * 40 keys, deletes a third of round {@code r - 2}'s keys (so leaves merge as well as split), and
 * checkpoints; it prints {@code r} once {@code checkpoint()} has returned, that is once round
 * {@code r} is acknowledged as durable.
 *
 * <p>Usage: {@code CheckpointUntilKilled DIRECTORY}. It exits by itself when its standard input
 * closes, so it never outlives a parent that died without killing it.
 */
public final class CheckpointUntilKilled {

    static final BTreeOptions OPTIONS =
            BTreeOptions.defaults().withPageSize(512).withPoolFrames(16);
    static final int PUTS_PER_ROUND = 40;

    private CheckpointUntilKilled() {}

    static Bytes key(int round, int j) {
        return Bytes.of(String.format("round-%05d-key-%02d", round, j));
    }

    static Bytes value(int round, int j) {
        return Bytes.of("value of " + round + "/" + j + " " + "#".repeat((round * 7 + j) % 61));
    }

    /** Applies round {@code round} to {@code tree} (without its checkpoint). */
    static void round(BPlusTree tree, int round) throws IOException {
        for (int j = 0; j < PUTS_PER_ROUND; j++) {
            tree.put(key(round, j), value(round, j));
        }
        if (round >= 2) {
            for (int j = 0; j < PUTS_PER_ROUND; j += 3) {
                tree.delete(key(round - 2, j));
            }
        }
    }

    /** Applies round {@code round} to {@code model}, as {@link #round} does to a tree. */
    static void applyRound(TreeMap<Bytes, Bytes> model, int round) {
        for (int j = 0; j < PUTS_PER_ROUND; j++) {
            model.put(key(round, j), value(round, j));
        }
        if (round >= 2) {
            for (int j = 0; j < PUTS_PER_ROUND; j += 3) {
                model.remove(key(round - 2, j));
            }
        }
    }

    /** The tree's contents after rounds {@code 0 .. rounds - 1}. */
    static TreeMap<Bytes, Bytes> model(int rounds) {
        TreeMap<Bytes, Bytes> m = new TreeMap<>();
        for (int r = 0; r < rounds; r++) {
            applyRound(m, r);
        }
        return m;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: CheckpointUntilKilled DIRECTORY");
        }
        KilledChild.exitWhenParentDies();
        try (BPlusTree tree = BPlusTree.open(DiskStorage.open(Path.of(args[0])), OPTIONS)) {
            for (int r = 0; ; r++) {
                round(tree, r);
                tree.checkpoint();
                System.out.println(r);
                System.out.flush();
            }
        }
    }
}
