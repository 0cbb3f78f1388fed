package dev.storagelab.btree;

import static dev.storagelab.btree.PageFormat.NO_PAGE;

import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Shows a tree's shape, so splits and merges can be watched: {@link #text} prints one page per
 * line, indented by depth; {@link #dot} writes Graphviz DOT ({@code dot -Tpng tree.dot > tree.png}),
 * as RookieDB's {@code toDot} and BusTub's b-plus-tree printer do. {@link #stats} counts pages and
 * measures how full the leaves are. Each takes the tree's read lock for the whole walk.
 */
public final class TreeDump {

    private TreeDump() {}

    /** Keys longer than this are cut in dumps, with "..." after them. */
    private static final int SHOWN_KEY_BYTES = 24;

    /**
     * One line per page, depth-first, children indented under their parent:
     * <pre>
     * internal 3: | "m" |
     *   leaf 1: "a" "c" "f"  (next 2)
     *   leaf 2: "m" "q"  (prev 1)
     * </pre>
     */
    public static String text(BPlusTree tree) throws IOException {
        StringBuilder sb = new StringBuilder();
        walk(tree, (page, depth) -> {
            sb.append("  ".repeat(depth))
                    .append(PageFormat.typeName(page.type()))
                    .append(' ')
                    .append(page.pageId())
                    .append(':');
            if (page.isLeaf()) {
                for (int i = 0; i < page.cellCount(); i++) {
                    sb.append(' ').append(shown(page.key(i)));
                }
                sb.append("  (");
                if (page.prev() != NO_PAGE) {
                    sb.append("prev ").append(page.prev());
                }
                if (page.next() != NO_PAGE) {
                    sb.append(page.prev() != NO_PAGE ? ", " : "")
                            .append("next ")
                            .append(page.next());
                }
                sb.append(')');
            } else {
                sb.append(" |");
                for (int i = 0; i < page.cellCount(); i++) {
                    sb.append(' ').append(shown(page.key(i))).append(" |");
                }
            }
            sb.append('\n');
        });
        return sb.length() == 0 ? "(empty tree)\n" : sb.toString();
    }

    /**
     * The tree as a Graphviz digraph: one record node per page (internal pages show their
     * separators, leaves their keys), solid edges to children, dashed edges between leaf siblings.
     */
    public static String dot(BPlusTree tree) throws IOException {
        StringBuilder sb = new StringBuilder("digraph btree {\n  node [shape=record, fontname=\"monospace\"];\n");
        List<long[]> siblings = new ArrayList<>();
        walk(tree, (page, depth) -> {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < page.cellCount(); i++) {
                parts.add(escape(shown(page.key(i))));
            }
            sb.append("  p")
                    .append(page.pageId())
                    .append(" [label=\"")
                    .append(page.isLeaf() ? "leaf " : "")
                    .append(page.pageId())
                    .append('|')
                    .append(String.join("|", parts))
                    .append("\"];\n");
            if (page.isLeaf()) {
                if (page.next() != NO_PAGE) {
                    siblings.add(new long[] {page.pageId(), page.next()});
                }
            } else {
                for (int i = -1; i < page.cellCount(); i++) {
                    sb.append("  p")
                            .append(page.pageId())
                            .append(" -> p")
                            .append(page.childAt(i))
                            .append(";\n");
                }
            }
        });
        for (long[] s : siblings) {
            sb.append("  p")
                    .append(s[0])
                    .append(" -> p")
                    .append(s[1])
                    .append(" [style=dashed, dir=both, constraint=false];\n");
        }
        return sb.append("}\n").toString();
    }

    /**
     * What the tree is made of now.
     *
     * @param height        levels, leaves included; 0 for an empty tree
     * @param leafFill      the leaves' used bytes over their capacity, averaged; NaN without leaves
     * @param minLeafFill   the emptiest non-root leaf's fill; NaN without one
     */
    public record Stats(
            int height, long entries, long leaves, long internalPages, double leafFill, double minLeafFill) {}

    /** Counts pages and entries and measures leaf fill by walking the whole tree. */
    public static Stats stats(BPlusTree tree) throws IOException {
        long[] counts = new long[4]; // leaves, internal, entries, used leaf bytes
        double[] minFill = {Double.NaN};
        int[] height = {0};
        walk(tree, (page, depth) -> {
            height[0] = Math.max(height[0], depth + 1);
            if (page.isLeaf()) {
                counts[0]++;
                counts[2] += page.cellCount();
                counts[3] += page.usedBytes();
                if (depth > 0) {
                    double fill = (double) page.usedBytes() / tree.capacity();
                    minFill[0] = Double.isNaN(minFill[0]) ? fill : Math.min(minFill[0], fill);
                }
            } else {
                counts[1]++;
            }
        });
        double fill = counts[0] == 0 ? Double.NaN : (double) counts[3] / (counts[0] * (double) tree.capacity());
        return new Stats(height[0], counts[2], counts[0], counts[1], fill, minFill[0]);
    }

    /** Visits one page of a walk. */
    @FunctionalInterface
    interface PageVisitor {
        void visit(SlottedPage page, int depth) throws IOException;
    }

    /** Visits every page depth-first, parents before children, under the tree-wide lock, exclusive (no operation is half done meanwhile). */
    static void walk(BPlusTree tree, PageVisitor visitor) throws IOException {
        tree.lock().writeLock().lock();
        try {
            tree.checkOpen();
            if (tree.rootId() != NO_PAGE) {
                walk(tree, tree.rootId(), 0, visitor);
            }
        } finally {
            tree.lock().writeLock().unlock();
        }
    }

    private static void walk(BPlusTree tree, long pageId, int depth, PageVisitor visitor) throws IOException {
        SlottedPage page = tree.copyOf(pageId);
        visitor.visit(page, depth);
        if (!page.isLeaf()) {
            for (int i = -1; i < page.cellCount(); i++) {
                walk(tree, page.childAt(i), depth + 1, visitor);
            }
        }
    }

    private static String shown(Bytes key) {
        if (key.length() <= SHOWN_KEY_BYTES) {
            return key.toString();
        }
        return Bytes.copyOf(key.toByteArray(), 0, SHOWN_KEY_BYTES) + "...";
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\")
                .replace("\"", "\\\"")
                .replace("|", "\\|")
                .replace("<", "\\<")
                .replace(">", "\\>")
                .replace("{", "\\{")
                .replace("}", "\\}");
    }
}
