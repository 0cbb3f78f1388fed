package dev.storagelab.btree.bench;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.TreeDump;
import dev.storagelab.testkit.BenchData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How full a B+tree's leaves are, by how the tree was built ({@link TreeDump#stats}): the same
 * keys put in random order (a split leaves two half-full leaves that then fill up again: about
 * ln 2 ≈ 69% on average, Yao 1978), put in increasing order (every split is of the rightmost leaf,
 * cut to leave the right leaf a quarter full, and the left one is never written again: about 75%),
 * or bulk-loaded at several fill factors.
 * Counts, not times: the same keys give the same numbers on any machine.
 */
final class LeafFillExperiment {

    private LeafFillExperiment() {}

    /**
     * One tree's shape.
     *
     * @param build      {@code random}, {@code sequential} or {@code bulk}
     * @param fillFactor the bulk load's fill factor; null for puts
     */
    record Row(
            String build,
            Double fillFactor,
            long keys,
            int height,
            long leaves,
            long internalPages,
            double leafFill,
            double minLeafFill,
            long fileBytes) {}

    /** Builds each kind of tree over {@code data}, in a directory under {@code work}, and measures it. */
    static List<Row> run(Dataset data, Path work, double... bulkFillFactors) throws IOException {
        List<Row> rows = new ArrayList<>();
        rows.add(measure(data, work, "random", null));
        rows.add(measure(data, work, "sequential", null));
        for (double f : bulkFillFactors) {
            rows.add(measure(data, work, "bulk", f));
        }
        return rows;
    }

    private static Row measure(Dataset data, Path work, String build, Double fillFactor) throws IOException {
        Path dir = work.resolve("fill-" + build + (fillFactor == null ? "" : "-" + fillFactor));
        try (BPlusTree tree = Dataset.openTree(dir, data.loadingPoolFrames())) {
            switch (build) {
                case "random" -> {
                    for (int i : data.randomOrder()) {
                        tree.put(data.keys[i], data.values[i]);
                    }
                }
                case "sequential" -> {
                    for (int i = 0; i < data.n; i++) {
                        tree.put(data.keys[i], data.values[i]);
                    }
                }
                case "bulk" -> tree.bulkLoad(data.sortedEntries(), fillFactor);
                default -> throw new IllegalArgumentException("unknown build " + build);
            }
            tree.checkpoint();
            TreeDump.Stats s = TreeDump.stats(tree);
            if (s.entries() != data.n) {
                throw new IllegalStateException(
                        build + ": " + data.n + " keys stored, but the tree's leaves hold " + s.entries());
            }
            long fileBytes = Files.size(dir.resolve(BPlusTree.FILE_NAME));
            return new Row(
                    build,
                    fillFactor,
                    data.n,
                    s.height(),
                    s.leaves(),
                    s.internalPages(),
                    s.leafFill(),
                    s.minLeafFill(),
                    fileBytes);
        } finally {
            BenchData.delete(dir);
        }
    }
}
