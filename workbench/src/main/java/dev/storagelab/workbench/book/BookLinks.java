package dev.storagelab.workbench.book;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where each link of the notes and handouts goes in the book. A link to a page of the book goes to
 * its HTML page, and a link to a handout's anchor to the page of the handout that holds it (its
 * overview or a task's page, {@link HandoutParts}), from another page as from the handout itself; a figure of {@code notes/figures} to the book's {@code figures/}; another Markdown
 * file of the workspace becomes a page under {@code files/}; any other file the workspace has is
 * copied under {@code files/}, a folder listed there; a recorded run ({@code .jsonl}) goes to the
 * book's page that says how to watch it, and carries the viewer's address of the run ({@link #RUN}),
 * which the page's script follows instead when the book is served beside the viewer. A link to what this
 * copy of the workspace does not have (an instructor's page in a student's release) is no link:
 * its text is shown, marked as not in this copy.
 */
final class BookLinks {

    /** The scheme a link to nothing is given while rendering; the page's HTML turns it into plain text. */
    static final String MISSING = "storagelab-missing:";

    /**
     * The scheme a link to a recorded run is given while rendering: {@code RUN + href + "|" + hash},
     * the href of its entry on the watch page and the viewer's hash that opens it ({@code
     * runs=N&view=lsm}); the page's HTML turns it into the href and a {@code data-viewer} attribute.
     */
    static final String RUN = "storagelab-run:";

    private final Path root;
    private final Map<Path, String> pages = new LinkedHashMap<>();
    /** The handouts cut into pages, by their Markdown. */
    private final Map<Path, HandoutParts> handouts = new LinkedHashMap<>();
    /** Files (and folders) to copy or list into the book: workspace path to the book's relative path. */
    private final Map<Path, String> files = new LinkedHashMap<>();
    /** Markdown files outside the contents that links reach: rendered as pages too. */
    private final Deque<Path> extraPages = new ArrayDeque<>();
    /** Recorded runs linked, in the order first met: their number in the viewer. */
    private final Set<Path> runs = new LinkedHashSet<>();

    /** The links to what this copy does not have: "page: url". */
    private final java.util.List<String> missing = new java.util.ArrayList<>();

    BookLinks(Path root, Iterable<BookPages.Page> contents) {
        this.root = root.toAbsolutePath().normalize();
        for (BookPages.Page p : contents) {
            pages.putIfAbsent(p.source(), p.file());
            if (p.handout() != null) {
                handouts.putIfAbsent(p.source(), p.handout());
            }
        }
    }

    /** The book's relative path of a page for {@code source}, queuing it as an extra page if it is outside the contents. */
    String pageOf(Path source) {
        return pages.computeIfAbsent(source, s -> {
            extraPages.add(s);
            return "files/" + root.relativize(s) + ".html";
        });
    }

    Deque<Path> extraPages() {
        return extraPages;
    }

    Map<Path, String> files() {
        return files;
    }

    Set<Path> runs() {
        return runs;
    }

    java.util.List<String> missing() {
        return missing;
    }

    private String missing(Path from, String url) {
        missing.add(root.relativize(from) + ": " + url);
        return MISSING + url;
    }

    /**
     * The href in the book of {@code url}, written in the Markdown file {@code from}, for a page
     * written at {@code fromFile} (relative to the book's folder).
     */
    String resolve(Path from, String fromFile, String url, boolean image) {
        if (url.startsWith("#") && handouts.containsKey(from)) {
            // an anchor of a handout: on the page of it that holds the anchor
            String anchor = URLDecoder.decode(url.substring(1), StandardCharsets.UTF_8);
            return relative(fromFile, handouts.get(from).pageOf(anchor)) + url;
        }
        if (url.isEmpty() || url.startsWith("#") || url.matches("(?i)^[a-z][a-z0-9+.-]*:.*")) {
            return url; // an anchor of this page, or another site (http:, mailto:)
        }
        String anchor = "";
        int hash = url.indexOf('#');
        String path = url;
        if (hash >= 0) {
            anchor = url.substring(hash);
            path = url.substring(0, hash);
        }
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        Path target;
        try {
            target = from.getParent()
                    .resolve(URLDecoder.decode(path, StandardCharsets.UTF_8))
                    .toAbsolutePath()
                    .normalize();
        } catch (java.nio.file.InvalidPathException e) {
            return missing(from, url);
        }
        if (!target.startsWith(root)) {
            return missing(from, url);
        }
        String name = target.getFileName() == null ? "" : target.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        String book;
        if (lower.endsWith(".jsonl")) {
            if (!Files.isRegularFile(target)) {
                return missing(from, url);
            }
            runs.add(target);
            // The viewer, served beside the book, numbers its runs in the order the book met them.
            String viewer = "runs=" + indexOf(target) + (anchor.isEmpty() ? "" : "&" + anchor.substring(1));
            return RUN + relative(fromFile, "watch.html") + "#" + runId(target) + "|" + viewer;
        } else if (Files.isDirectory(target)) {
            book = "files/" + (target.equals(root) ? "" : root.relativize(target) + "/") + "index.html";
            files.put(target, book);
        } else if (!Files.isRegularFile(target) && !(image && isFigure(target))) {
            return missing(from, url);
        } else if (handouts.containsKey(target)) {
            book = anchor.isEmpty()
                    ? handouts.get(target).overview()
                    : handouts.get(target).pageOf(URLDecoder.decode(anchor.substring(1), StandardCharsets.UTF_8));
        } else if (pages.containsKey(target) || lower.endsWith(".md")) {
            book = pageOf(target);
        } else if (isFigure(target)) {
            book = "figures/" + name;
            files.put(target, book);
        } else {
            book = "files/" + root.relativize(target);
            files.put(target, book);
        }
        return relative(fromFile, book) + anchor;
    }

    /** A figure the book draws or copies: a picture of {@code notes/figures}. */
    boolean isFigure(Path target) {
        return target.getParent() != null
                && target.getParent().equals(root.resolve("notes/figures"))
                && target.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png");
    }

    int indexOf(Path run) {
        int i = 0;
        for (Path r : runs) {
            if (r.equals(run)) {
                return i;
            }
            i++;
        }
        return -1;
    }

    /** The id of a recorded run's entry on the book's watch page. */
    String runId(Path run) {
        return "run-" + root.relativize(run).toString().replaceAll("[^A-Za-z0-9]+", "-");
    }

    /** {@code target} (relative to the book's folder) as seen from the page {@code fromFile}. */
    static String relative(String fromFile, String target) {
        int depth = fromFile.split("/", -1).length - 1;
        return "../".repeat(depth) + target;
    }
}
