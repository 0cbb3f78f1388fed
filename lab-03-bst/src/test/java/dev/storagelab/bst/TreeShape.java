package dev.storagelab.bst;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Renders a tree's shape for failure messages: {@code 5(3(1, 4), 8(-, 9))} is the root 5 with
 * children 3 and 8, where 3 has children 1 and 4 and 8 has only a right child 9 ({@code -} marks
 * a missing child). No recursion, and a broken tree (a cycle, a huge tree) still prints.
 */
final class TreeShape {

    private static final int MAX_NODES = 64;

    private TreeShape() {}

    static String of(BstMap<?, ?> map) {
        if (map.root == null) {
            return "(empty)";
        }
        StringBuilder out = new StringBuilder();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        // Pending work: a node to print, or a piece of punctuation (a String).
        Deque<Object> work = new ArrayDeque<>();
        work.push(map.root);
        while (!work.isEmpty()) {
            Object item = work.pop();
            if (item instanceof String text) {
                out.append(text);
                continue;
            }
            BstMap.Node<?, ?> n = (BstMap.Node<?, ?>) item;
            if (!seen.add(n)) {
                out.append("<").append(n.getKey()).append(" again: a cycle>");
                continue;
            }
            if (seen.size() > MAX_NODES) {
                return out.append(" ...").toString();
            }
            out.append(n.getKey());
            if (n.left != null || n.right != null) {
                work.push(")");
                work.push(n.right == null ? "-" : n.right);
                work.push(", ");
                work.push(n.left == null ? "-" : n.left);
                work.push("(");
            }
        }
        return out.toString();
    }
}
