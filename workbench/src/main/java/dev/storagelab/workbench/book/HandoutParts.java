package dev.storagelab.workbench.book;

import com.vladsch.flexmark.html.HtmlRenderer;
import com.vladsch.flexmark.parser.Parser;
import com.vladsch.flexmark.util.data.MutableDataSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A lab's handout as the book shows it, in a folder of its own named after the lab: an overview
 * ({@code index.html}: everything but the tasks, and a list of the tasks where they stood) and a
 * page per task ({@code t1.html}, ...: its {@code ## Tn} heading to the next level-two heading).
 * The Markdown stays one file; the book renders it whole, so that its anchors are the ones GitHub
 * gives it, and cuts the HTML. Every anchor of the handout is on exactly one of these pages, and a
 * link to {@code README.md#anchor} goes to that page; the folder's {@code README.html} lands a link
 * written as a failing test writes it ({@code lab-NN-name/README.md#tN}) on its page.
 */
final class HandoutParts {

    /** A task: its id ({@code T3}), what the student writes (the task table's second cell), its page and its public test classes. */
    record Task(String id, String name, String file, List<String> testClasses) {}

    /** The id of the overview's list of the tasks, where the tasks stood in the handout. */
    static final String TASK_LIST = "the-tasks";

    /** A row of the task table: {@code | [T3](#t3) | what | where | `SomeTest`, ... |}. */
    private static final Pattern TABLE_ROW =
            Pattern.compile("^\\|\\s*\\[(T\\d+)]\\(#t\\d+\\)\\s*\\|([^|]*)\\|.*\\|([^|]*)\\|\\s*$");

    private static final Pattern CLASS_NAME = Pattern.compile("`([A-Za-z_]\\w*)`");
    private static final Pattern H2 = Pattern.compile("<h2 id=\"([^\"]+)\">");
    private static final Pattern TASK_ID = Pattern.compile("t\\d+");
    private static final Pattern ID = Pattern.compile("\\sid=\"([^\"]+)\"");
    private static final Pattern LAB = Pattern.compile("lab-(\\d\\d)-.*");

    private final Path source;
    private final String folder;
    private final String lab;
    private final List<Task> tasks;
    /** Every anchor of the handout: the page (its file in the book) that holds it. */
    private final Map<String, String> anchors;

    private HandoutParts(Path source, String folder, List<Task> tasks, Map<String, String> anchors) {
        this.source = source;
        this.folder = folder;
        Matcher m = LAB.matcher(folder);
        this.lab = m.matches() ? "lab-" + m.group(1) : folder;
        this.tasks = List.copyOf(tasks);
        this.anchors = anchors;
    }

    /**
     * The parts of the handout {@code readme}, whose pages go in the book's folder {@code folder}
     * ({@code lab-01-binary-search}): its tasks from its {@code ## Tn} headings, named by its task
     * table, and where each of its anchors lands.
     */
    static HandoutParts of(Path readme, String folder) throws IOException {
        String markdown = Files.readString(readme, StandardCharsets.UTF_8);
        Map<String, String> names = new LinkedHashMap<>();
        Map<String, List<String>> classes = new LinkedHashMap<>();
        for (String line : markdown.split("\n")) {
            Matcher row = TABLE_ROW.matcher(line.strip());
            if (row.matches()) {
                names.putIfAbsent(row.group(1), row.group(2).replace("`", "").strip());
                List<String> cs = new ArrayList<>();
                Matcher c = CLASS_NAME.matcher(row.group(3));
                while (c.find()) {
                    cs.add(c.group(1));
                }
                classes.putIfAbsent(row.group(1), cs);
            }
        }
        MutableDataSet options = Book.options();
        String html = HtmlRenderer.builder(options)
                .build()
                .render(Parser.builder(options).build().parse(markdown));
        List<Task> tasks = new ArrayList<>();
        for (int[] cut : cuts(html)) {
            Matcher h = H2.matcher(html).region(cut[0], cut[1]);
            if (h.lookingAt()) {
                String id = h.group(1).toUpperCase(java.util.Locale.ROOT);
                tasks.add(new Task(
                        id,
                        names.getOrDefault(id, ""),
                        folder + "/" + h.group(1) + ".html",
                        classes.getOrDefault(id, List.of())));
            }
        }
        Map<String, String> anchors = new LinkedHashMap<>();
        HandoutParts parts = new HandoutParts(readme.toAbsolutePath().normalize(), folder, tasks, anchors);
        for (Map.Entry<String, String> part : parts.cut(html).entrySet()) {
            Matcher id = ID.matcher(part.getValue());
            while (id.find()) {
                anchors.putIfAbsent(id.group(1), part.getKey());
            }
        }
        anchors.putIfAbsent(TASK_LIST, parts.overview());
        return parts;
    }

    /** Where each task's section is in {@code html}: from its level-two heading to the next one, or the end. */
    private static List<int[]> cuts(String html) {
        List<int[]> cuts = new ArrayList<>();
        Matcher h = H2.matcher(html);
        List<int[]> headings = new ArrayList<>();
        while (h.find()) {
            headings.add(new int[] {h.start(), TASK_ID.matcher(h.group(1)).matches() ? 1 : 0});
        }
        for (int i = 0; i < headings.size(); i++) {
            if (headings.get(i)[1] == 1) {
                int end = i + 1 < headings.size() ? headings.get(i + 1)[0] : html.length();
                cuts.add(new int[] {headings.get(i)[0], end});
            }
        }
        return cuts;
    }

    Path source() {
        return source;
    }

    /** The lab's id: {@code lab-01}. */
    String lab() {
        return lab;
    }

    /** The book's folder of this handout's pages: {@code lab-01-binary-search}. */
    String folder() {
        return folder;
    }

    /** The overview's page: {@code lab-01-binary-search/index.html}. */
    String overview() {
        return folder + "/index.html";
    }

    /** The page that lands a handout link on its page: {@code lab-01-binary-search/README.html}. */
    String landing() {
        return folder + "/README.html";
    }

    List<Task> tasks() {
        return tasks;
    }

    /** Every anchor of the handout, in the order met, and the page that holds it. */
    Map<String, String> anchors() {
        return anchors;
    }

    /** The page that holds {@code anchor} (without its {@code #}); the overview for none, or one the handout does not have. */
    String pageOf(String anchor) {
        return anchors.getOrDefault(anchor, overview());
    }

    /**
     * The handout's rendered {@code html} cut into its pages, page file to content: the overview
     * first, then each task's. An anchor of a page that is on another page is a link to that page.
     */
    Map<String, String> cut(String html) {
        Map<String, String> parts = new LinkedHashMap<>();
        List<int[]> cuts = cuts(html);
        StringBuilder overview = new StringBuilder();
        int at = 0;
        for (int i = 0; i < cuts.size(); i++) {
            overview.append(html, at, cuts.get(i)[0]);
            if (i == 0) {
                overview.append(TASK_LIST_MARK);
            }
            at = cuts.get(i)[1];
        }
        overview.append(html.substring(at));
        parts.put(overview(), local(overview.toString(), overview()));
        for (int i = 0; i < cuts.size() && i < tasks.size(); i++) {
            Task t = tasks.get(i);
            parts.put(t.file(), local(html.substring(cuts.get(i)[0], cuts.get(i)[1]), t.file()));
        }
        return parts;
    }

    /** Where the overview's list of the tasks goes, until the book writes it. */
    static final String TASK_LIST_MARK = "<!-- storagelab: the tasks -->";

    /** A link of the page {@code file} to its own anchors, written as the path to {@code file} and the anchor, as {@code #anchor}. */
    private static String local(String html, String file) {
        return html.replace("href=\"" + BookLinks.relative(file, file) + "#", "href=\"#");
    }
}
