package dev.storagelab.bst;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Map;

/**
 * A binary search tree: every node's key is greater than every key in its left subtree and smaller
 * than every key in its right subtree, so a search walks one path from the root. On random input
 * that path is about 1.39·log2(n) nodes long on average (the tree's height, its longest path, is
 * about 3·log2(n)); on sorted input it is n, because each new key becomes the right child of the
 * last and the tree degenerates into a linked list. lab-03's
 * {@link AvlMap} keeps the same search and fixes the height.
 *
 * <p>Nodes keep a link to their parent, so stepping to the next key in order ({@link #nextNode})
 * costs O(1) amortised and deletion can splice a node out without searching for it again.
 * Nothing here is recursive: a degenerate tree of a million nodes must not overflow the stack.
 *
 * <p>Not thread-safe. Iterators are fail-fast.
 *
 * @param <K> keys, ordered by the comparator or naturally
 * @param <V> values; null is allowed
 */
public class BstMap<K, V> extends AbstractOrderedMap<K, V> {

    /** A tree node. Subclasses (the AVL tree) extend it with what their balance needs. */
    protected static class Node<K, V> extends OrderedNode<K, V> {
        protected Node<K, V> left;
        protected Node<K, V> right;
        protected Node<K, V> parent;

        protected Node(K key, V value, Node<K, V> parent) {
            super(key, value);
            this.parent = parent;
        }
    }

    /** The root, or null when the map is empty. */
    protected Node<K, V> root;
    /** The number of nodes. */
    protected int size;

    /** An empty tree ordered by the keys' natural order. */
    public BstMap() {
        this(null);
    }

    /** An empty tree ordered by {@code comparator} (null: natural order). */
    public BstMap(Comparator<? super K> comparator) {
        super(comparator);
    }

    /** Makes a node for a new key; a balanced tree returns a node that carries its balance data. */
    protected Node<K, V> newNode(K key, V value, Node<K, V> parent) {
        return new Node<>(key, value, parent);
    }

    /**
     * Called after {@link #put} links the new leaf {@code node} into the tree. A plain BST does
     * nothing; a balanced tree restores its balance from here up.
     */
    protected void afterInsert(Node<K, V> node) {}

    /**
     * Called after {@link #removeNode} has unlinked a node, with the lowest node whose subtree
     * changed shape (null if no node's did: the tree became empty, or the root was replaced by its
     * only child). A plain BST does nothing; a balanced tree restores its balance from here up.
     */
    protected void afterDelete(Node<K, V> lowestChanged) {}

    @Override
    public int size() {
        return size;
    }

    @Override
    public void clear() {
        root = null;
        size = 0;
        modCount++;
    }

    /**
     * Finds the node holding {@code key}: start at the root and go left when {@code key} is
     * smaller than the node's key, right when it is greater, until the keys are equal (found) or
     * the link to follow is null (absent). Compare with {@link #compare(Object, Object)}, so the
     * map's comparator is honoured.
     *
     * @param key not null (the caller checked it)
     * @return the node, or null if the key is absent
     */
    @Override
    protected Node<K, V> findNode(K key) {
        // BEGIN SOLUTION lab-03 T1
        Node<K, V> n = root;
        while (n != null) {
            int c = compare(key, n.key);
            if (c < 0) {
                n = n.left;
            } else if (c > 0) {
                n = n.right;
            } else {
                return n;
            }
        }
        return null;
        // END SOLUTION
    }

    /**
     * Maps {@code key} to {@code value}. If the key is present, replaces its value in place and
     * returns the old one; nothing else changes. Otherwise walks down as {@link #findNode} does,
     * remembering the last node visited, and hangs a new leaf made by {@link #newNode} off that
     * node (left if the key is smaller, right if greater; it becomes the root in an empty tree).
     * Then it counts the new node in {@link #size}, counts a structural change in
     * {@link #modCount} (so iterators fail fast), calls {@link #afterInsert} with the new node,
     * and returns null.
     *
     * @throws NullPointerException if {@code key} is null
     * @throws ClassCastException if {@code key} cannot be compared with the map's keys
     */
    @Override
    public V put(K key, V value) {
        checkKey(key);
        // BEGIN SOLUTION lab-03 T1
        Node<K, V> parent = null;
        Node<K, V> n = root;
        int c = 0;
        while (n != null) {
            parent = n;
            c = compare(key, n.key);
            if (c < 0) {
                n = n.left;
            } else if (c > 0) {
                n = n.right;
            } else {
                return n.setValue(value);
            }
        }
        Node<K, V> added = newNode(key, value, parent);
        if (parent == null) {
            root = added;
        } else if (c < 0) {
            parent.left = added;
        } else {
            parent.right = added;
        }
        size++;
        modCount++;
        afterInsert(added);
        return null;
        // END SOLUTION
    }

    @Override
    protected Node<K, V> firstNode() {
        return root == null ? null : leftmost(root);
    }

    @Override
    protected Node<K, V> lastNode() {
        return root == null ? null : rightmost(root);
    }

    /** The node with the smallest key in the subtree rooted at {@code n} (not null). */
    protected static <K, V> Node<K, V> leftmost(Node<K, V> n) {
        while (n.left != null) {
            n = n.left;
        }
        return n;
    }

    /** The node with the largest key in the subtree rooted at {@code n} (not null). */
    protected static <K, V> Node<K, V> rightmost(Node<K, V> n) {
        while (n.right != null) {
            n = n.right;
        }
        return n;
    }

    /**
     * The in-order successor of {@code node}: the leftmost node of its right subtree if it has
     * one; otherwise the first ancestor reached from a left child (climb while you are a right
     * child). Null if {@code node} holds the largest key. A full in-order walk with this step
     * touches each link twice, so it costs O(n) in total.
     */
    @Override
    protected Node<K, V> nextNode(Map.Entry<K, V> node) {
        Node<K, V> n = (Node<K, V>) node;
        // BEGIN SOLUTION lab-03 T2
        if (n.right != null) {
            return leftmost(n.right);
        }
        Node<K, V> p = n.parent;
        while (p != null && n == p.right) {
            n = p;
            p = p.parent;
        }
        return p;
        // END SOLUTION
    }

    /** The in-order predecessor of {@code node}: the mirror image of {@link #nextNode}. */
    @Override
    protected Node<K, V> prevNode(Map.Entry<K, V> node) {
        Node<K, V> n = (Node<K, V>) node;
        // BEGIN SOLUTION lab-03 T2
        if (n.left != null) {
            return rightmost(n.left);
        }
        Node<K, V> p = n.parent;
        while (p != null && n == p.left) {
            n = p;
            p = p.parent;
        }
        return p;
        // END SOLUTION
    }

    /**
     * The node with the smallest key ≥ {@code key} (strictly greater if not {@code inclusive}),
     * in one walk from the root: whenever you go left from a node, that node is the best candidate
     * so far (everything further down the left is smaller than it).
     */
    @Override
    protected Node<K, V> seekCeiling(K key, boolean inclusive) {
        // BEGIN SOLUTION lab-03 T2
        Node<K, V> best = null;
        Node<K, V> n = root;
        while (n != null) {
            int c = compare(key, n.key);
            if (c < 0 || (c == 0 && inclusive)) {
                if (c == 0) {
                    return n;
                }
                best = n;
                n = n.left;
            } else {
                n = n.right;
            }
        }
        return best;
        // END SOLUTION
    }

    /** The node with the largest key ≤ {@code key} (strictly smaller if not {@code inclusive}): the mirror of {@link #seekCeiling}. */
    @Override
    protected Node<K, V> seekFloor(K key, boolean inclusive) {
        // BEGIN SOLUTION lab-03 T2
        Node<K, V> best = null;
        Node<K, V> n = root;
        while (n != null) {
            int c = compare(key, n.key);
            if (c > 0 || (c == 0 && inclusive)) {
                if (c == 0) {
                    return n;
                }
                best = n;
                n = n.right;
            } else {
                n = n.left;
            }
        }
        return best;
        // END SOLUTION
    }

    /**
     * The number of nodes on the longest path from the root to a leaf: 0 for an empty tree, 1 for
     * a root alone. Searches cost up to this many comparisons. Computed without recursion (a
     * degenerate tree is n deep): a level-by-level walk counts the levels.
     */
    public int height() {
        // BEGIN SOLUTION lab-03 T2
        if (root == null) {
            return 0;
        }
        ArrayDeque<Node<K, V>> level = new ArrayDeque<>();
        level.add(root);
        int height = 0;
        while (!level.isEmpty()) {
            height++;
            for (int i = level.size(); i > 0; i--) {
                Node<K, V> n = level.poll();
                if (n.left != null) {
                    level.add(n.left);
                }
                if (n.right != null) {
                    level.add(n.right);
                }
            }
        }
        return height;
        // END SOLUTION
    }

    /**
     * Unlinks {@code node} from the tree, keeping every other node object (iterators and entries
     * hold them, so a node must never change its key). Three cases:
     * <ol>
     *   <li>no children: its parent's link to it becomes null;
     *   <li>one child: the child takes its place;
     *   <li>two children: its successor {@code s} (the leftmost node of its right subtree, which
     *       has no left child) is first unlinked from where it is, as in case 2, and then takes
     *       {@code node}'s place, adopting both its subtrees.
     * </ol>
     * Use {@link #transplant} to put one subtree in another's place. Then decrement {@link #size},
     * count a structural change in {@link #modCount}, and call {@link #afterDelete} with the lowest
     * node whose children changed: the removed node's parent in cases 1 and 2; in case 3, the
     * successor's old parent, or the successor itself if it was {@code node}'s right child.
     *
     * @return true (a tree is not concurrent: the node is always there to remove)
     */
    @Override
    protected boolean removeNode(Map.Entry<K, V> node) {
        Node<K, V> z = (Node<K, V>) node;
        // BEGIN SOLUTION lab-03 T3
        Node<K, V> lowestChanged;
        if (z.left == null) {
            lowestChanged = z.parent;
            transplant(z, z.right);
        } else if (z.right == null) {
            lowestChanged = z.parent;
            transplant(z, z.left);
        } else {
            Node<K, V> s = leftmost(z.right);
            if (s.parent != z) {
                lowestChanged = s.parent;
                transplant(s, s.right);
                s.right = z.right;
                s.right.parent = s;
            } else {
                lowestChanged = s;
            }
            transplant(z, s);
            s.left = z.left;
            s.left.parent = s;
        }
        z.left = z.right = z.parent = null;
        size--;
        modCount++;
        afterDelete(lowestChanged);
        return true;
        // END SOLUTION
    }

    /**
     * Puts the subtree rooted at {@code replacement} (possibly null) where the subtree rooted at
     * {@code old} hangs: {@code old}'s parent (or {@link #root}) now links to {@code replacement},
     * and {@code replacement}'s parent link is updated. {@code old}'s own links are left alone.
     */
    protected final void transplant(Node<K, V> old, Node<K, V> replacement) {
        // BEGIN SOLUTION lab-03 T3
        Node<K, V> p = old.parent;
        if (p == null) {
            root = replacement;
        } else if (old == p.left) {
            p.left = replacement;
        } else {
            p.right = replacement;
        }
        if (replacement != null) {
            replacement.parent = p;
        }
        // END SOLUTION
    }
}
