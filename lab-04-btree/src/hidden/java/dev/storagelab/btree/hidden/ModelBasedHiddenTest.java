package dev.storagelab.btree.hidden;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.BTreeOptions;
import dev.storagelab.btree.Invariants;
import dev.storagelab.btree.PageFormat;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.lab.Graded;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.IntFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * Model-based tests: random sequences of puts, deletes, gets, scans, checkpoints, reopens and power
 * losses run against a B+tree and a {@link TreeMap} oracle side by side, with
 * {@link Invariants#check} (order, fences, equal leaf depth, occupancy, sibling links, counts, no
 * leaked pages, no pinned frames) after every step. 512-byte pages and 16 frames, so a run of 80
 * keys splits leaves and internal pages, a delete run merges and redistributes them and shrinks
 * the root, and nearly every fetch evicts a page. On a failure jqwik shrinks the sequence and
 * prints it with its seed, for example {@code [putRun(0, 60, 30), deleteRun(3, 50), scanReverse(null, 20)]}.
 */
@Tag("hidden")
class ModelBasedHiddenTest {

    @Property(tries = 80, edgeCases = EdgeCasesMode.NONE)
    @Graded(
            task = "T8",
            points = 5,
            concept = "B+tree diverges from a TreeMap, or breaks a structural invariant (order, fences, "
                    + "leaf depth, occupancy, a split or merge that leaves a dangling sibling link, leaked pages, pins left), "
                    + "under random inserts, deletes, scans, checkpoints and reopens (LRU pool)")
    void behavesLikeATreeMapWithAnLruPool(@ForAll("ops") List<TreeOp> ops) throws IOException {
        new ModelRun("LRU pool", Trees.SMALL_LRU, Trees::key, ops.hashCode()).run(ops);
    }

    @Property(tries = 80, edgeCases = EdgeCasesMode.NONE)
    @Graded(
            task = "T8",
            points = 4,
            concept = "B+tree diverges from a TreeMap, or breaks a structural invariant, under random "
                    + "inserts, deletes, scans, checkpoints and reopens (LRU-2 pool)")
    void behavesLikeATreeMapWithAnLru2Pool(@ForAll("ops") List<TreeOp> ops) throws IOException {
        new ModelRun("LRU-2 pool", Trees.SMALL_LRU_2, Trees::key, ops.hashCode()).run(ops);
    }

    @Property(tries = 60, edgeCases = EdgeCasesMode.NONE)
    @Graded(
            task = "T8",
            points = 4,
            concept = "internal-page split, merge or redistribution loses a child or a separator, or "
                    + "leaves a page under a quarter full (keys of 8 to 104 bytes, four to twenty to an internal page)")
    void internalPagesSplitAndMergeCorrectlyWithLongKeys(@ForAll("longKeyOps") List<TreeOp> ops) throws IOException {
        new ModelRun("8- to 104-byte keys", Trees.SMALL_LRU_2, i -> Trees.longKey(i, 8 + i * 37 % 97), ops.hashCode())
                .run(ops);
    }

    @Property(tries = 60, edgeCases = EdgeCasesMode.NONE)
    @Graded(
            task = "T3",
            points = 4,
            concept = "after a power loss the tree is not its last checkpoint: a checkpointed page was "
                    + "overwritten before the next checkpoint, or a write after it leaked into the reopened tree")
    void aPowerLossRevertsToTheLastCheckpoint(@ForAll("opsWithPowerLoss") List<TreeOp> ops) throws IOException {
        new ModelRun("power losses", Trees.SMALL_LRU, Trees::key, ops.hashCode()).run(ops);
    }

    @Property(tries = 40, edgeCases = EdgeCasesMode.NONE)
    @Graded(
            task = "T8",
            points = 3,
            concept = "the tree on its tree-wide lock (no latches: a submission without T11, or "
                    + "BPlusTree.TREE_LOCK_PROPERTY) diverges from a TreeMap: its descent (findLeaf) follows the wrong child "
                    + "or keeps a pin, or a shorter value replacing a longer one in a root leaf rebalances the root")
    void behavesLikeATreeMapOnTheTreeWideLock(@ForAll("ops") List<TreeOp> ops) throws IOException {
        // Every other test here runs the reference with its latches; the serial paths (findLeaf, and
        // insert's replacement in a root leaf, which the optimistic writer takes with T11) run only here.
        String before = System.setProperty(BPlusTree.TREE_LOCK_PROPERTY, "true");
        try {
            new ModelRun("tree-wide lock", Trees.SMALL_LRU, Trees::key, ops.hashCode()).run(ops);
        } finally {
            if (before == null) {
                System.clearProperty(BPlusTree.TREE_LOCK_PROPERTY);
            } else {
                System.setProperty(BPlusTree.TREE_LOCK_PROPERTY, before);
            }
        }
    }

    @Property(tries = 50, edgeCases = EdgeCasesMode.NONE)
    @Graded(
            task = "T10",
            points = 3,
            concept = "a bulk-loaded tree diverges from a TreeMap, or breaks an invariant, once it is "
                    + "written to, checkpointed and reopened")
    void aBulkLoadedTreeBehavesLikeATreeMap(
            @ForAll @IntRange(min = 0, max = 700) int entries,
            @ForAll @IntRange(min = 1, max = 3) int stride,
            @ForAll @DoubleRange(min = 0.5, max = 1.0) double fill,
            @ForAll("ops") List<TreeOp> ops)
            throws IOException {
        ModelRun run = new ModelRun(
                "bulk load of " + entries + " entries, fill " + fill,
                Trees.SMALL_LRU_2,
                Trees::key,
                ops.hashCode() + entries);
        List<Entry> input = new ArrayList<>();
        for (int i = 0; i * stride < Trees.KEY_SPACE && i < entries; i++) {
            input.add(Entry.put(Trees.key(i * stride), Trees.value(i, (i * 7) % 50)));
        }
        run.bulkLoad(input, fill);
        run.run(ops);
    }

    // ------------------------------------------------------------------------------- the run

    /** A tree on fault-injecting storage and its oracle, stepped together. */
    private static final class ModelRun {
        private final String label;
        private final BTreeOptions options;
        private final IntFunction<Bytes> keyOf;
        private final FaultInjectingStorage storage;
        private final TreeMap<Bytes, Bytes> model = new TreeMap<>();
        /** The oracle as of the last checkpoint: what a power loss goes back to. */
        private TreeMap<Bytes, Bytes> durable = new TreeMap<>();

        private BPlusTree tree;

        ModelRun(String label, BTreeOptions options, IntFunction<Bytes> keyOf, long seed) throws IOException {
            this.label = label;
            this.options = options;
            this.keyOf = keyOf;
            this.storage = new FaultInjectingStorage(seed).crashMode(CrashMode.RANDOM);
            this.tree = BPlusTree.open(storage, options);
        }

        void bulkLoad(List<Entry> input, double fill) throws IOException {
            tree.bulkLoad(input.iterator(), fill);
            input.forEach(e -> model.put(e.key(), e.value()));
            Invariants.check(tree);
            compareEverything(label + ", right after the bulk load");
        }

        void run(List<TreeOp> ops) throws IOException {
            try {
                for (int i = 0; i < ops.size(); i++) {
                    TreeOp op = ops.get(i);
                    String where = label + ", step " + i + " " + op;
                    step(i, op, where);
                    try {
                        Invariants.check(tree);
                    } catch (AssertionError e) {
                        throw new AssertionError(where + ": " + e.getMessage(), e);
                    }
                }
                compareEverything(label + ", after the last step");
                assertThat(label + ", after the last step: size()", tree.size(), equalTo((long) model.size()));
                tree.close();
                tree = BPlusTree.open(storage, options);
                Invariants.check(tree);
                compareEverything(label + ", after a final close and reopen");
            } finally {
                Trees.closeQuietly(tree);
            }
        }

        private void step(int i, TreeOp op, String where) throws IOException {
            if (op instanceof TreeOp.Put p) {
                put(keyOf.apply(p.key()), Trees.value(i * 1_000_003L + p.key(), p.valueLength()));
            } else if (op instanceof TreeOp.PutRun r) {
                for (int k = r.from(); k < Math.min(Trees.KEY_SPACE, r.from() + r.count()); k++) {
                    put(keyOf.apply(k), Trees.value(i * 1_000_003L + k, r.valueLength()));
                }
            } else if (op instanceof TreeOp.Delete d) {
                delete(keyOf.apply(d.key()));
            } else if (op instanceof TreeOp.DeleteRun r) {
                int end = Math.min(Trees.KEY_SPACE, r.from() + r.count());
                for (int j = 0; j < end - r.from(); j++) {
                    delete(keyOf.apply(r.descending() ? end - 1 - j : r.from() + j));
                }
            } else if (op instanceof TreeOp.Get g) {
                Bytes key = keyOf.apply(g.key());
                assertThat(
                        where + ": the tree must agree with a TreeMap given the same writes",
                        tree.get(key),
                        equalTo(Optional.ofNullable(model.get(key))));
            } else if (op instanceof TreeOp.Scan s) {
                Bytes from = s.from() < 0 ? null : keyOf.apply(s.from());
                Bytes to = s.to() < 0 ? null : keyOf.apply(s.to());
                assertThat(
                        where + ": the scan must return the TreeMap's entries in [from, to), in order",
                        Trees.scan(tree, from, to, s.reverse()),
                        equalTo(Trees.expected(model, from, to, s.reverse())));
            } else if (op instanceof TreeOp.Checkpoint) {
                tree.checkpoint();
                durable = new TreeMap<>(model);
            } else if (op instanceof TreeOp.Reopen) {
                tree.close();
                durable = new TreeMap<>(model);
                tree = BPlusTree.open(storage, options);
                compareEverything(
                        where + ": after close and reopen the tree holds everything written before the close");
            } else if (op instanceof TreeOp.PowerLoss) {
                // Crash at the next mutation, wherever it comes from (here: the close's checkpoint), then reboot.
                storage.crashBeforeMutation(1);
                BPlusTree open = tree;
                tree = null;
                Trees.closeQuietly(open);
                storage.powerLoss();
                tree = BPlusTree.open(storage, options);
                model.clear();
                model.putAll(durable);
                compareEverything(where + ": after a power loss the tree is exactly its last checkpoint");
            }
        }

        private void put(Bytes key, Bytes value) throws IOException {
            // The largest cell is a quarter page: a long key leaves room for a short value only.
            int room = PageFormat.maxCellSize(options.pageSize()) - PageFormat.LEAF_CELL_HEADER - key.length();
            if (value.length() > room) {
                value = Bytes.copyOf(value.toByteArray(), 0, room);
            }
            tree.put(key, value);
            model.put(key, value);
        }

        private void delete(Bytes key) throws IOException {
            tree.delete(key);
            model.remove(key);
        }

        private void compareEverything(String where) throws IOException {
            assertThat(
                    where + ": a full scan",
                    Trees.scan(tree, null, null, false),
                    equalTo(Trees.expected(model, null, null, false)));
            assertThat(
                    where + ": a full reverse scan",
                    Trees.scan(tree, null, null, true),
                    equalTo(Trees.expected(model, null, null, true)));
            assertThat(where + ": size()", tree.size(), equalTo((long) model.size()));
            for (var e : model.entrySet()) {
                assertThat(
                        where + ": get(" + e.getKey() + ")", tree.get(e.getKey()), equalTo(Optional.of(e.getValue())));
            }
        }
    }

    // ------------------------------------------------------------------------------- generators

    @Provide
    Arbitrary<List<TreeOp>> ops() {
        return ops(60, false);
    }

    @Provide
    Arbitrary<List<TreeOp>> longKeyOps() {
        // Values are cut to what fits in the largest cell with the key: 114 - 7 - 104 = 3 bytes at worst.
        return ops(60, false);
    }

    @Provide
    Arbitrary<List<TreeOp>> opsWithPowerLoss() {
        return ops(60, true);
    }

    private static Arbitrary<List<TreeOp>> ops(int maxValue, boolean powerLoss) {
        Arbitrary<Integer> keys = Arbitraries.integers().between(0, Trees.KEY_SPACE - 1);
        Arbitrary<Integer> bounds = Arbitraries.integers().between(-1, Trees.KEY_SPACE - 1);
        Arbitrary<Integer> values = Arbitraries.integers().between(0, maxValue);
        Arbitrary<Integer> counts =
                Arbitraries.integers().between(1, 150).withDistribution(RandomDistribution.biased());
        Arbitrary<Boolean> flags = Arbitraries.of(false, true);
        List<Tuple.Tuple2<Integer, Arbitrary<TreeOp>>> choices = new ArrayList<>(List.of(
                Tuple.of(20, Combinators.combine(keys, values).<TreeOp>as(TreeOp.Put::new)),
                Tuple.of(14, Combinators.combine(keys, counts, values).<TreeOp>as(TreeOp.PutRun::new)),
                Tuple.of(10, keys.<TreeOp>map(TreeOp.Delete::new)),
                Tuple.of(12, Combinators.combine(keys, counts, flags).<TreeOp>as(TreeOp.DeleteRun::new)),
                Tuple.of(10, keys.<TreeOp>map(TreeOp.Get::new)),
                Tuple.of(
                        10,
                        Combinators.combine(bounds, bounds, flags)
                                .<TreeOp>as((a, b, r) -> a >= 0 && b >= 0 && a > b
                                        ? new TreeOp.Scan(b, a, r)
                                        : new TreeOp.Scan(a, b, r))),
                Tuple.of(5, Arbitraries.<TreeOp>just(new TreeOp.Checkpoint())),
                Tuple.of(3, Arbitraries.<TreeOp>just(new TreeOp.Reopen()))));
        if (powerLoss) {
            choices.add(Tuple.of(5, Arbitraries.<TreeOp>just(new TreeOp.PowerLoss())));
        }
        return Arbitraries.frequencyOf(choices).list().ofMaxSize(50).withSizeDistribution(RandomDistribution.uniform());
    }
}
