package dev.storagelab.workbench.book;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The book's HTML around each page's content: the header with the search box, the table of
 * contents of the whole book (the page's own sections under its entry), the previous and next
 * pages; and the pages the book makes itself (the title page, the recorded runs' page, a folder's
 * listing). Every link is relative, so the book reads from disk as well as served.
 */
final class BookSite {

    /** One section of a page for the search: its link, its title and its text. */
    record Entry(String u, String t, String b) {}

    private static final int SEARCH_TEXT = 6000;

    private final List<BookPages.Page> contents;

    BookSite(List<BookPages.Page> contents) {
        this.contents = contents;
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String kindLabel(String kind) {
        return switch (kind) {
            case "chapter" -> "notes";
            case "handout" -> "handout";
            default -> "";
        };
    }

    /**
     * A page of the book: {@code index} its place in the contents (-1: a page outside them). Its
     * table of contents lists the book's pages, the current one marked with its sections under it,
     * and the pages of a handout's tasks only while the reader is in that handout.
     */
    String page(String file, String title, String content, int index, List<String[]> headings, List<Entry> search) {
        HandoutParts here = index >= 0 ? contents.get(index).handout() : null;
        StringBuilder toc = new StringBuilder("<ol class=\"toc\">");
        for (int i = 0; i < contents.size(); i++) {
            BookPages.Page p = contents.get(i);
            if (p.kind().equals("task") && p.handout() != here) {
                continue;
            }
            String kind = kindLabel(p.kind());
            toc.append("<li class=\"")
                    .append(p.kind())
                    .append(i == index ? " current" : "")
                    .append("\">")
                    .append("<a href=\"")
                    .append(BookLinks.relative(file, p.file()))
                    .append("\">")
                    .append(kind.isEmpty() ? "" : "<span class=\"kind\">" + kind + "</span> ")
                    .append(esc(p.title()))
                    .append("</a>");
            if (i == index && headings.stream().anyMatch(h -> !h[0].equals("1"))) {
                toc.append("<ol class=\"sections\">");
                for (String[] h : headings) {
                    if (!h[0].equals("1")) {
                        toc.append("<li class=\"h")
                                .append(h[0])
                                .append("\"><a href=\"#")
                                .append(h[1])
                                .append("\">")
                                .append(esc(h[2]))
                                .append("</a></li>");
                    }
                }
                toc.append("</ol>");
            }
            toc.append("</li>");
        }
        toc.append("</ol>");
        index(file, title, content, headings, search);
        StringBuilder nav = new StringBuilder("<nav class=\"pager\">");
        if (index > 0) {
            BookPages.Page prev = contents.get(index - 1);
            nav.append("<a class=\"prev\" href=\"")
                    .append(BookLinks.relative(file, prev.file()))
                    .append("\">← ")
                    .append(esc(prev.title()))
                    .append("</a>");
        }
        if (index >= 0 && index + 1 < contents.size()) {
            BookPages.Page next = contents.get(index + 1);
            nav.append("<a class=\"next\" href=\"")
                    .append(BookLinks.relative(file, next.file()))
                    .append("\">")
                    .append(esc(next.title()))
                    .append(" →</a>");
        }
        nav.append("</nav>");
        return frame(
                file,
                title,
                "<nav class=\"contents\" aria-label=\"contents\">" + toc + "</nav>",
                "<article>" + content + "</article>" + nav);
    }

    /** The page's sections as entries of the search: a section runs from its heading to the next one. */
    private static void index(String file, String title, String content, List<String[]> headings, List<Entry> search) {
        int start = 0;
        String anchor = "";
        String section = title;
        for (String[] h : headings) {
            int at = Integer.parseInt(h[3]);
            add(
                    search,
                    file,
                    anchor,
                    section.equals(title) ? title : title + " › " + section,
                    content.substring(start, at));
            start = at;
            anchor = "#" + h[1];
            section = h[2];
        }
        add(search, file, anchor, section.equals(title) ? title : title + " › " + section, content.substring(start));
    }

    private static void add(List<Entry> search, String file, String anchor, String title, String html) {
        String text = Book.text(html);
        if (!text.isBlank()) {
            search.add(new Entry(
                    file + anchor, title, text.length() > SEARCH_TEXT ? text.substring(0, SEARCH_TEXT) : text));
        }
    }

    /**
     * A part of a handout cut into pages ({@link HandoutParts}), as its page shows it: the overview
     * with the list of the tasks where they stood; a task with the handout and its place among the
     * tasks above its heading, and its tests and their points below it.
     */
    String handoutPart(BookPages.Page p, String html, TaskTests tests) throws IOException {
        HandoutParts parts = p.handout();
        String file = p.file();
        java.util.Optional<HandoutParts.Task> task = p.task();
        if (task.isEmpty()) {
            StringBuilder list = new StringBuilder("<h2 id=\"")
                    .append(HandoutParts.TASK_LIST)
                    .append("\"><a href=\"#")
                    .append(HandoutParts.TASK_LIST)
                    .append("\" class=\"anchor\">#</a>The tasks, a page each</h2>\n<p>Each task has a page of its own,")
                    .append(
                            " in order: what to write, the hints and pitfalls, the command that runs its tests, and the")
                    .append(" points they are worth. A failing test's message names its task as <code>")
                    .append(esc(parts.folder()))
                    .append("/README.md#t1</code>, and so on: in this book that is the page <code>t1.html</code> of")
                    .append(" this folder, and <a href=\"")
                    .append(BookLinks.relative(file, parts.landing()))
                    .append("\">README.html</a> followed by the same <code>#anchor</code> finds any section of this")
                    .append(" handout.</p>\n<ol class=\"tasks\">");
            for (HandoutParts.Task t : parts.tasks()) {
                list.append("<li><a href=\"")
                        .append(BookLinks.relative(file, t.file()))
                        .append("\">")
                        .append(esc(t.id()))
                        .append("</a> ")
                        .append(esc(t.name()))
                        .append(" <span class=\"points\">")
                        .append(esc(pointsWords(tests, t, false)))
                        .append("</span></li>");
            }
            list.append("</ol>\n");
            return html.replace(HandoutParts.TASK_LIST_MARK, list);
        }
        HandoutParts.Task t = task.get();
        int n = parts.tasks().indexOf(t) + 1;
        String heading = "<h2 id=\"" + t.id().toLowerCase(java.util.Locale.ROOT) + "\">";
        int end = html.indexOf("</h2>") + "</h2>".length();
        if (!html.startsWith(heading) || end < heading.length()) {
            throw new IllegalStateException(parts.source() + ": " + t.id() + "'s page does not start at its heading");
        }
        String id = t.id().toLowerCase(java.util.Locale.ROOT);
        StringBuilder top = new StringBuilder("<p class=\"crumbs\"><a href=\"")
                .append(BookLinks.relative(file, parts.overview()))
                .append("\">")
                .append(esc(BookPages.title(parts.source())))
                .append("</a> › task ")
                .append(n)
                .append(" of ")
                .append(parts.tasks().size())
                .append("</p>\n<h1 id=\"")
                .append(id)
                .append("\"><a href=\"#")
                .append(id)
                .append("\" class=\"anchor\">#</a>")
                .append(esc(t.id()))
                .append(t.name().isEmpty() ? "" : ": " + esc(t.name()))
                .append("</h1>\n<dl class=\"task-tests\"><dt>Its tests</dt><dd>");
        String labNumber = parts.lab().substring("lab-".length());
        List<String> classes = new ArrayList<>();
        for (String c : t.testClasses()) {
            classes.add("<code>" + esc(c) + "</code>"
                    + tests.publicTests(c)
                            .map(k -> " (" + k + (k == 1 ? " test)" : " tests)"))
                            .orElse(""));
        }
        top.append(classes.isEmpty() ? "none named in the task table" : String.join(", ", classes))
                .append(": <code>./storagelab test --lab ")
                .append(labNumber)
                .append(" --task ")
                .append(esc(t.id()))
                .append("</code></dd><dt>Its points</dt><dd>")
                .append(esc(pointsWords(tests, t, true)))
                .append("</dd></dl>\n");
        return top + html.substring(end);
    }

    /**
     * What a task's tests are worth, in words: the hidden tests' points ({@code full}: and where the
     * rules are), or, in a release without them, how a local grade counts.
     */
    private static String pointsWords(TaskTests tests, HandoutParts.Task t, boolean full) throws IOException {
        if (tests.hasHidden()) {
            TaskTests.Hidden h = tests.hidden(t.id());
            return h.points() + (h.points() == 1 ? " point" : " points") + ", in " + h.tests()
                    + (h.tests() == 1 ? " hidden test" : " hidden tests")
                    + (full ? " (the points and the limits every test runs under: grader/rubric.properties)" : "");
        }
        int local = 0;
        for (String c : t.testClasses()) {
            local += tests.publicTests(c).orElse(0);
        }
        return full
                ? "graded by your instructor's hidden tests, which this release does not hold; a local grade"
                        + " counts each public test as a point (" + local + " here)"
                : local + (local == 1 ? " public test" : " public tests");
    }

    /**
     * The page that lands a link written to a handout's Markdown ({@code lab-NN-name/README.md#anchor},
     * as a failing test's message writes it) on the page that holds the anchor: every anchor of the
     * handout is an element of it, with a link to its page, and its script follows the one the
     * address names.
     */
    String landingPage(HandoutParts parts, List<BookPages.Page> pages) {
        String file = parts.landing();
        java.util.Map<String, String> titles = new java.util.HashMap<>();
        for (BookPages.Page p : pages) {
            titles.put(p.file(), p.title());
        }
        StringBuilder body = new StringBuilder("<article><h1 id=\"landing\">")
                .append(esc(BookPages.title(parts.source())))
                .append(": where a link to its handout lands</h1><p>A failing test's message names its task's")
                .append(" section of the handout as <code>")
                .append(esc(parts.folder()))
                .append("/README.md#t1</code>. In this book the handout is an <a href=\"")
                .append(BookLinks.relative(file, parts.overview()))
                .append("\">overview</a> and a page per task; this page sends <code>README.html#t1</code>, or any")
                .append(
                        " other anchor of the handout, to the page that holds it. Each anchor:</p><ul class=\"landing\">");
        for (java.util.Map.Entry<String, String> a : parts.anchors().entrySet()) {
            String href = BookLinks.relative(file, a.getValue()) + "#" + a.getKey();
            body.append("<li id=\"")
                    .append(esc(a.getKey()))
                    .append("\" data-page=\"")
                    .append(esc(href))
                    .append("\"><a href=\"")
                    .append(esc(href))
                    .append("\"><code>#")
                    .append(esc(a.getKey()))
                    .append("</code></a> ")
                    .append(esc(titles.getOrDefault(a.getValue(), "")))
                    .append("</li>");
        }
        // book.js forwards the anchor (no inline script: a served book's pages allow only the book's own scripts)
        body.append("</ul></article>");
        return frame(
                file,
                BookPages.title(parts.source()) + ": where a link lands",
                "<nav class=\"contents\"><a href=\"" + BookLinks.relative(file, "index.html") + "\">contents</a></nav>",
                body.toString());
    }

    /** The title page: what the book is and its contents. */
    String titlePage() {
        StringBuilder body = new StringBuilder();
        body.append("<article class=\"title\"><h1>storagelab</h1>")
                .append(
                        "<p class=\"subtitle\">A database storage engine, one episode at a time: binary search over sorted")
                .append(" logs, range bounds and cursors, an ordered in-memory tree, a disk B+tree, an LSM tree, a")
                .append(
                        " write-ahead log with crash recovery and MVCC, and a hybrid engine that routes data by cost.</p>")
                .append("<p>Each lab has a chapter of notes (the ideas, the measurements, the figures) and a handout")
                .append(" (the production problem, the tasks, how to test them). Read them in order; the glossary")
                .append(" holds the course's terms. The search box above looks through the whole book. The runs the")
                .append(
                        " chapters let you watch are listed on <a href=\"watch.html\">Watching a recorded run</a>.</p>");
        contents.stream()
                .filter(p -> p.kind().equals("handout") && !p.handout().tasks().isEmpty())
                .findFirst()
                .ifPresent(h -> {
                    HandoutParts.Task t = h.handout()
                            .tasks()
                            .get(Math.min(2, h.handout().tasks().size() - 1));
                    String anchor = t.id().toLowerCase(java.util.Locale.ROOT);
                    body.append("<p id=\"finding-a-task\">Each handout is an overview and a page per task, in a")
                            .append(" folder named after its lab. A failing test's message names its task's section")
                            .append(" of the handout, as in <code>")
                            .append(esc(h.handout().folder()))
                            .append("/README.md#")
                            .append(anchor)
                            .append("</code>: in this book that task is the page <a href=\"")
                            .append(t.file())
                            .append("\"><code>")
                            .append(esc(t.file()))
                            .append("</code></a>, and <a href=\"")
                            .append(h.handout().landing())
                            .append('#')
                            .append(anchor)
                            .append("\"><code>")
                            .append(esc(h.handout().landing()))
                            .append('#')
                            .append(anchor)
                            .append("</code></a> (the folder's <code>README.html</code>, followed by any anchor of the")
                            .append(" handout) lands on the page that holds it.</p>");
                });
        body.append("<h2 id=\"contents\">Contents</h2><ol class=\"book-contents\">");
        for (int i = 0; i < contents.size(); i++) {
            BookPages.Page p = contents.get(i);
            if (p.kind().equals("task")) {
                continue;
            }
            String kind = kindLabel(p.kind());
            body.append("<li class=\"")
                    .append(p.kind())
                    .append("\"><a href=\"")
                    .append(p.file())
                    .append("\">")
                    .append(kind.isEmpty() ? "" : "<span class=\"kind\">" + kind + "</span> ")
                    .append(esc(p.title()))
                    .append("</a>");
            if (p.handout() != null && !p.handout().tasks().isEmpty()) {
                body.append("<ol class=\"tasks\">");
                for (HandoutParts.Task t : p.handout().tasks()) {
                    body.append("<li><a href=\"")
                            .append(t.file())
                            .append("\" title=\"")
                            .append(esc(t.name()))
                            .append("\">")
                            .append(esc(t.id()))
                            .append("</a></li>");
                }
                body.append("</ol>");
            }
            body.append("</li>");
        }
        body.append("</ol></article>");
        StringBuilder toc = new StringBuilder("<ol class=\"toc\">");
        for (BookPages.Page p : contents) {
            if (p.kind().equals("task")) {
                continue;
            }
            toc.append("<li class=\"")
                    .append(p.kind())
                    .append("\"><a href=\"")
                    .append(p.file())
                    .append("\">")
                    .append(esc(p.title()))
                    .append("</a></li>");
        }
        toc.append("</ol>");
        return frame(
                "index.html",
                "storagelab",
                "<nav class=\"contents\" aria-label=\"contents\">" + toc + "</nav>",
                body.toString());
    }

    /**
     * The recorded runs the pages link, each with how to watch it: served beside the viewer, its
     * link opens it there (as the chapters' links do); read from disk, the command that opens it.
     */
    String watchPage(Collection<Path> runs, Path root, BookLinks links) {
        StringBuilder body = new StringBuilder(
                        "<article><h1 id=\"watching-a-recorded-run\">Watching a recorded run</h1>")
                .append("<p>A recorded run opens in the viewer when the book is served beside it:")
                .append(" <code>./storagelab book --serve</code>, then follow the page's link again.")
                .append(" Or open the recording alone with <code>./storagelab viz FILE</code>.</p>");
        if (runs.isEmpty()) {
            body.append("<p>No page of this book links a recorded run.</p>");
        }
        for (Path r : runs) {
            String rel = root.relativize(r).toString();
            body.append("<h2 id=\"")
                    .append(links.runId(r))
                    .append("\">")
                    .append(esc(rel))
                    .append("</h2>")
                    .append("<p><a class=\"run\" href=\"#")
                    .append(links.runId(r))
                    .append("\" data-viewer=\"runs=")
                    .append(links.indexOf(r))
                    .append("\">Open it in the viewer</a> (with the book served), or alone:</p>")
                    .append("<pre><code class=\"language-bash\">./storagelab viz ")
                    .append(esc(rel))
                    .append("</code></pre>");
        }
        body.append("</article>");
        return frame(
                "watch.html",
                "Watching a recorded run",
                "<nav class=\"contents\"><a href=\"index.html\">contents</a></nav>",
                body.toString());
    }

    /** A folder of the workspace that a page links: the names it holds. */
    String listing(String file, String folder, List<String> names) {
        StringBuilder body = new StringBuilder("<article><h1 id=\"folder\">")
                .append(esc(folder))
                .append("</h1><ul class=\"listing\">");
        for (String n : names) {
            body.append("<li><code>").append(esc(n)).append("</code></li>");
        }
        body.append("</ul><p>The files are in the workspace, in <code>")
                .append(esc(folder))
                .append("</code>.</p></article>");
        return frame(
                file,
                folder,
                "<nav class=\"contents\"><a href=\"" + BookLinks.relative(file, "index.html") + "\">contents</a></nav>",
                body.toString());
    }

    private static String frame(String file, String title, String nav, String main) {
        String base = BookLinks.relative(file, "");
        return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + esc(title) + (title.equals("storagelab") ? "" : " · storagelab") + "</title>\n"
                + "<link rel=\"icon\" href=\"data:,\">\n"
                + "<link rel=\"stylesheet\" href=\"" + base + "assets/highlight.min.css\">\n"
                + "<link rel=\"stylesheet\" href=\"" + base + "assets/book.css\">\n"
                + "</head>\n<body data-base=\"" + base + "\">\n"
                + "<header class=\"top\"><a class=\"home\" href=\"" + base + "index.html\">storagelab</a>"
                + "<div class=\"search\"><input id=\"search\" type=\"search\" placeholder=\"Search the book\" aria-label=\"Search the book\" autocomplete=\"off\">"
                + "<ol id=\"results\" hidden></ol></div></header>\n"
                + "<div class=\"layout\">" + nav + "<main>" + main + "</main></div>\n"
                + "<script src=\"" + base + "assets/highlight.min.js\"></script>\n"
                + "<script src=\"" + base + "assets/lunr.min.js\"></script>\n"
                + "<script src=\"" + base + "assets/book.js\"></script>\n"
                + "</body>\n</html>\n";
    }
}
