package dev.storagelab.bst;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Structural checkers for the lab's three maps. Each walks the whole structure (no recursion:
 * a degenerate BST is n deep) and throws an {@link AssertionError} naming the first broken rule
 * and where. The public tests call them after operations; so do the hidden ones, after every
 * operation. Call them from your own tests while you debug: a broken link shows up here long
 * before it shows up as a wrong answer.
 */
public final class Invariants {

    private Invariants() {}

    /**
     * Checks a BST (or AVL tree): the root has no parent; every child's parent link points back;
     * keys strictly increase in order (every left subtree below its node, every right subtree
     * above); no node is reachable twice; and {@code size()} equals the number of nodes.
     */
    public static <K, V> void checkBst(BstMap<K, V> map) {
        BstMap.Node<K, V> root = map.root;
        if (root != null && root.parent != null) {
            throw new AssertionError(
                    "the root " + root.key + " has a parent link to " + root.parent.key + "; it must be null");
        }
        Map<BstMap.Node<K, V>, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<BstMap.Node<K, V>> stack = new ArrayDeque<>();
        BstMap.Node<K, V> n = root;
        BstMap.Node<K, V> previous = null;
        int count = 0;
        // In-order walk with an explicit stack: each node is visited once, in key order.
        while (n != null || !stack.isEmpty()) {
            while (n != null) {
                if (seen.put(n, Boolean.TRUE) != null) {
                    throw new AssertionError(
                            "node " + n.key + " is reachable twice: the tree has a cycle or a shared subtree");
                }
                for (BstMap.Node<K, V> child : children(n)) {
                    if (child.parent != n) {
                        throw new AssertionError(
                                "node " + child.key + " is a child of " + n.key + " but its parent link points to "
                                        + (child.parent == null ? "null" : child.parent.key));
                    }
                }
                stack.push(n);
                n = n.left;
            }
            n = stack.pop();
            if (previous != null && map.compare(previous.key, n.key) >= 0) {
                throw new AssertionError("keys out of order: in-order walk meets " + previous.key + " before " + n.key
                        + " (every left subtree must hold smaller keys, every right subtree larger)");
            }
            previous = n;
            count++;
            n = n.right;
        }
        if (count != map.size()) {
            throw new AssertionError("size() is " + map.size() + " but the tree holds " + count + " nodes");
        }
    }

    /** Checks that {@code height()} equals the number of nodes on the longest root-to-leaf path. */
    public static <K, V> void checkHeight(BstMap<K, V> map) {
        int longest = longestPath(map.root);
        if (map.height() != longest) {
            throw new AssertionError(
                    "height() is " + map.height() + " but the longest root-to-leaf path has " + longest + " nodes");
        }
    }

    /**
     * Checks an AVL tree: everything {@link #checkBst} and {@link #checkHeight} check, and at every node the stored
     * height is 1 + the larger of its children's (0 for a missing child) and the children's
     * heights differ by at most one. Then {@code height() ≤ 1.4405·log2(n + 2) − 0.3277}, the
     * AVL bound, holds by itself.
     */
    public static <K, V> void checkAvl(AvlMap<K, V> map) {
        checkBst(map);
        checkHeight(map);
        for (BstMap.Node<K, V> n : postOrder(map.root)) {
            int left = AvlMap.height(n.left);
            int right = AvlMap.height(n.right);
            int stored = AvlMap.height(n);
            if (stored != 1 + Math.max(left, right)) {
                throw new AssertionError(
                        "node " + n.key + " stores height " + stored + " but its children have heights " + left
                                + " and " + right + ", so it should be " + (1 + Math.max(left, right)));
            }
            if (Math.abs(left - right) > 1) {
                throw new AssertionError("node " + n.key + " is unbalanced: left subtree height " + left + ", right "
                        + right + " (an AVL tree allows a difference of at most 1)");
            }
        }
    }

    /**
     * Checks a skip list's level structure: every level is a strictly increasing chain; a node is
     * linked on level i exactly when its tower has more than i levels (so each level is a
     * subsequence of the level below); no tower is taller than {@link SkipListMap#MAX_LEVEL};
     * {@code levels} covers the tallest tower, its top level is not empty (unless it is level 0),
     * and the head links nothing above it; and
     * {@code size()} equals the number of nodes on level 0.
     */
    public static <K, V> void checkSkipList(SkipListMap<K, V> map) {
        int levels = map.levels;
        if (levels < 1 || levels > SkipListMap.MAX_LEVEL) {
            throw new AssertionError(
                    "levels in use is " + levels + "; it must be between 1 and " + SkipListMap.MAX_LEVEL);
        }
        if (levels > 1 && map.head.next(levels - 1) == null) {
            throw new AssertionError("levels in use is " + levels + " but level " + (levels - 1)
                    + " is empty: a delete that empties the top level must lower levels");
        }
        for (int level = levels; level < SkipListMap.MAX_LEVEL; level++) {
            if (map.head.next(level) != null) {
                throw new AssertionError("the head links " + map.head.next(level).key + " on level " + level
                        + ", above the " + levels + " levels in use");
            }
        }
        List<SkipListMap.Node<K, V>> bottom = new ArrayList<>();
        for (SkipListMap.Node<K, V> n = map.head.next(0); n != null; n = n.next(0)) {
            if (!bottom.isEmpty() && map.compare(bottom.get(bottom.size() - 1).key, n.key) >= 0) {
                throw new AssertionError(
                        "level 0 is out of order: " + bottom.get(bottom.size() - 1).key + " links to " + n.key);
            }
            if (n.levels() < 1 || n.levels() > levels) {
                throw new AssertionError("node " + n.key + " has a tower of " + n.levels() + " levels, but " + levels
                        + " levels are in use (and at most " + SkipListMap.MAX_LEVEL + " exist)");
            }
            bottom.add(n);
            if (bottom.size() > map.size() + 1) {
                throw new AssertionError("level 0 holds more nodes than size() = " + map.size() + ", or has a cycle");
            }
        }
        if (bottom.size() != map.size()) {
            throw new AssertionError("size() is " + map.size() + " but level 0 holds " + bottom.size() + " nodes");
        }
        for (int level = 1; level < levels; level++) {
            // The level must link exactly the nodes whose towers reach it, in level-0 order.
            SkipListMap.Node<K, V> linked = map.head.next(level);
            for (SkipListMap.Node<K, V> n : bottom) {
                if (n.levels() > level) {
                    if (linked != n) {
                        throw new AssertionError("level " + level + " should link " + n.key + " (its tower has "
                                + n.levels() + " levels) next, but links " + (linked == null ? "nothing" : linked.key));
                    }
                    linked = n.next(level);
                }
            }
            if (linked != null) {
                throw new AssertionError("level " + level + " links " + linked.key
                        + ", which is not in level 0 or whose tower is too short");
            }
        }
    }

    private static <K, V> List<BstMap.Node<K, V>> children(BstMap.Node<K, V> n) {
        List<BstMap.Node<K, V>> c = new ArrayList<>(2);
        if (n.left != null) {
            c.add(n.left);
        }
        if (n.right != null) {
            c.add(n.right);
        }
        return c;
    }

    /** Nodes with every child before its parent. */
    private static <K, V> List<BstMap.Node<K, V>> postOrder(BstMap.Node<K, V> root) {
        List<BstMap.Node<K, V>> out = new ArrayList<>();
        if (root == null) {
            return out;
        }
        ArrayDeque<BstMap.Node<K, V>> stack = new ArrayDeque<>();
        stack.push(root);
        while (!stack.isEmpty()) {
            BstMap.Node<K, V> n = stack.pop();
            out.add(n);
            children(n).forEach(stack::push);
        }
        java.util.Collections.reverse(out);
        return out;
    }

    /**
     * The number of nodes on the longest root-to-leaf path, each node's from its children's
     * (children first, so a degenerate tree of any depth needs no recursion).
     */
    private static <K, V> int longestPath(BstMap.Node<K, V> root) {
        Map<BstMap.Node<K, V>, Integer> below = new IdentityHashMap<>();
        int longest = 0;
        for (BstMap.Node<K, V> n : postOrder(root)) {
            int path = 1 + Math.max(below.getOrDefault(n.left, 0), below.getOrDefault(n.right, 0));
            below.put(n, path);
            longest = path;
        }
        return longest;
    }
}
