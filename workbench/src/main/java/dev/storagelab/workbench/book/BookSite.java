package dev.storagelab.workbench.book;

import java.nio.file.Path;
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

    /** A page of the book: {@code index} its place in the contents (-1: a page outside them). */
    String page(String file, String title, String content, int index, List<String[]> headings, List<Entry> search) {
        StringBuilder toc = new StringBuilder("<ol class=\"toc\">");
        for (int i = 0; i < contents.size(); i++) {
            BookPages.Page p = contents.get(i);
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
            if (i == index) {
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
                .append(" chapters let you watch are listed on <a href=\"watch.html\">Watching a recorded run</a>.</p>")
                .append("<h2 id=\"contents\">Contents</h2><ol class=\"book-contents\">");
        for (BookPages.Page p : contents) {
            String kind = kindLabel(p.kind());
            body.append("<li class=\"")
                    .append(p.kind())
                    .append("\"><a href=\"")
                    .append(p.file())
                    .append("\">")
                    .append(kind.isEmpty() ? "" : "<span class=\"kind\">" + kind + "</span> ")
                    .append(esc(p.title()))
                    .append("</a></li>");
        }
        body.append("</ol></article>");
        StringBuilder toc = new StringBuilder("<ol class=\"toc\">");
        for (BookPages.Page p : contents) {
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
                + "<script src=\"" + base + "assets/search-index.js\"></script>\n"
                + "<script src=\"" + base + "assets/book.js\"></script>\n"
                + "</body>\n</html>\n";
    }
}
