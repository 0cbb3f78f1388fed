package dev.storagelab.bst;

import java.util.Comparator;

/**
 * An AVL tree: a {@link BstMap} in which the two subtrees of every node differ in height by at
 * most one. That one local rule bounds the height by about 1.44·log2(n + 2), so every search,
 * insert and delete costs O(log n) whatever order the keys arrive in. Search and navigation are
 * the BST's, unchanged; only the two hooks differ: after an insert or delete, walk up from the
 * change, recompute heights, and rotate where a node's balance reached ±2.
 *
 * <p>Why AVL and not red-black (the handout says more): the invariant is one inequality per node
 * that a checker can verify directly, every rebalancing case is a rotation or two, and the tree
 * stays lower (1.44·log2 n against 2·log2 n), which is what a read-mostly ordered index wants.
 *
 * <p>Not thread-safe. Iterators are fail-fast.
 */
public class AvlMap<K, V> extends BstMap<K, V> {

    /** A tree node that knows its height (a leaf has height 1). */
    protected static final class AvlNode<K, V> extends Node<K, V> {
        protected int height = 1;

        AvlNode(K key, V value, Node<K, V> parent) {
            super(key, value, parent);
        }
    }

    /** An empty tree ordered by the keys' natural order. */
    public AvlMap() {
        this(null);
    }

    /** An empty tree ordered by {@code comparator} (null: natural order). */
    public AvlMap(Comparator<? super K> comparator) {
        super(comparator);
    }

    @Override
    protected Node<K, V> newNode(K key, V value, Node<K, V> parent) {
        return new AvlNode<>(key, value, parent);
    }

    @Override
    protected void afterInsert(Node<K, V> node) {
        // Heights above the new leaf were all correct before it came, so the walk may stop as soon
        // as a subtree's height did not change.
        rebalance(node.parent, true);
    }

    @Override
    protected void afterDelete(Node<K, V> lowestChanged) {
        // A delete of a node with two children moved its successor up: that node's stored height
        // is stale, and it sits above the point of change, so this walk goes all the way up.
        rebalance(lowestChanged, false);
    }

    /** O(1): the root knows its height. */
    @Override
    public int height() {
        return height(root);
    }

    /** The stored height of {@code n}; 0 for an empty subtree. */
    protected static int height(Node<?, ?> n) {
        return n == null ? 0 : ((AvlNode<?, ?>) n).height;
    }

    /** Height of the left subtree minus height of the right: -1, 0 or 1 in a balanced node. */
    protected static int balance(Node<?, ?> n) {
        return height(n.left) - height(n.right);
    }

    /** Recomputes the stored height of {@code n} from its children's. */
    protected static void updateHeight(Node<?, ?> n) {
        ((AvlNode<?, ?>) n).height = 1 + Math.max(height(n.left), height(n.right));
    }

    /**
     * Restores the AVL rule on the path from {@code from} up to the root. At each node: recompute
     * its height; if its balance is +2 (left-heavy), rotate right, but first rotate its left child
     * left if that child leans right (balance −1): the left-right case. Mirror for −2. Then continue
     * with the parent of the subtree's (possibly new) root.
     *
     * <p>If {@code stopWhenUnchanged}, stop as soon as a subtree ends with the height it had before
     * this walk touched it (nothing above can have changed). That is what makes an insert cost
     * O(1) rotations and, on average, a walk of a few levels.
     *
     * @param from the lowest node whose subtree changed; null means nothing to do
     */
    protected void rebalance(Node<K, V> from, boolean stopWhenUnchanged) {
        // BEGIN SOLUTION lab-03 T4
        Node<K, V> n = from;
        while (n != null) {
            int before = height(n);
            updateHeight(n);
            int b = balance(n);
            if (b > 1) {
                if (balance(n.left) < 0) {
                    rotateLeft(n.left);
                }
                n = rotateRight(n);
            } else if (b < -1) {
                if (balance(n.right) > 0) {
                    rotateRight(n.right);
                }
                n = rotateLeft(n);
            }
            if (stopWhenUnchanged && height(n) == before) {
                return;
            }
            n = n.parent;
        }
        // END SOLUTION
    }

    /**
     * Rotates left at {@code x}: its right child {@code y} takes its place, {@code x} becomes
     * {@code y}'s left child, and {@code y}'s old left subtree becomes {@code x}'s right. Key order
     * is unchanged. Every parent link involved is updated (including {@link #root} if {@code x}
     * was the root), then the heights of {@code x} and {@code y}, in that order.
     *
     * <pre>
     *     x                y
     *    / \              / \
     *   a   y     →      x   c
     *      / \          / \
     *     b   c        a   b
     * </pre>
     *
     * @return {@code y}, the new root of the subtree
     */
    protected Node<K, V> rotateLeft(Node<K, V> x) {
        // BEGIN SOLUTION lab-03 T4
        Node<K, V> y = x.right;
        x.right = y.left;
        if (y.left != null) {
            y.left.parent = x;
        }
        transplant(x, y);
        y.left = x;
        x.parent = y;
        updateHeight(x);
        updateHeight(y);
        return y;
        // END SOLUTION
    }

    /** Rotates right at {@code y}: the mirror image of {@link #rotateLeft}. @return the new subtree root */
    protected Node<K, V> rotateRight(Node<K, V> y) {
        // BEGIN SOLUTION lab-03 T4
        Node<K, V> x = y.left;
        y.left = x.right;
        if (x.right != null) {
            x.right.parent = y;
        }
        transplant(y, x);
        x.right = y;
        y.parent = x;
        updateHeight(y);
        updateHeight(x);
        return x;
        // END SOLUTION
    }
}
