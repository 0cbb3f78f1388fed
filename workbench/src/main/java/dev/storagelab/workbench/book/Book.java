package dev.storagelab.workbench.book;

import com.google.gson.Gson;
import com.vladsch.flexmark.ext.anchorlink.AnchorLinkExtension;
import com.vladsch.flexmark.ext.gfm.strikethrough.StrikethroughExtension;
import com.vladsch.flexmark.ext.tables.TablesExtension;
import com.vladsch.flexmark.html.HtmlRenderer;
import com.vladsch.flexmark.html.IndependentLinkResolverFactory;
import com.vladsch.flexmark.html.LinkResolver;
import com.vladsch.flexmark.html.renderer.LinkResolverBasicContext;
import com.vladsch.flexmark.html.renderer.LinkStatus;
import com.vladsch.flexmark.html.renderer.LinkType;
import com.vladsch.flexmark.html.renderer.ResolvedLink;
import com.vladsch.flexmark.parser.Parser;
import com.vladsch.flexmark.util.ast.Node;
import com.vladsch.flexmark.util.data.MutableDataSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.io.file.PathUtils;

/**
 * The notes and the handouts as a book: a static site in one folder that a browser opens from
 * disk. A title page, then the pages of {@link BookPages} in course order, each with the table of
 * contents beside it, its figures inline (drawn by {@link Figures} from the recorded data), its
 * links to the other pages, the glossary and the workspace's files working, its code highlighted
 * (highlight.js) and a search box over the whole book (lunr, over an index written at build time).
 * Nothing is fetched from elsewhere: the scripts are copied out of their WebJars. The same folder
 * reads from disk and served beside the viewer ({@code book --serve}), where a link to a recorded
 * run opens it in the viewer.
 */
public final class Book {

    /** What the build wrote: its pages (HTML files, relative to the book's folder) and the recorded runs its pages link, in the viewer's order. */
    public record Built(Path dir, List<String> pages, List<Path> runs, List<String> missing, List<String> undrawn) {}

    private static final Pattern HEADING = Pattern.compile("<h([1-3]) id=\"([^\"]+)\">(.*?)</h\\1>", Pattern.DOTALL);
    private static final Pattern TAG = Pattern.compile("<[^>]+>");
    private static final Pattern MISSING_LINK = Pattern.compile(
            "<a href=\"" + Pattern.quote(BookLinks.MISSING) + "([^\"]*)\"[^>]*>(.*?)</a>", Pattern.DOTALL);
    private static final Pattern MISSING_IMAGE =
            Pattern.compile("<img src=\"" + Pattern.quote(BookLinks.MISSING) + "([^\"]*)\" alt=\"([^\"]*)\"[^>]*>");
    private static final Pattern RUN_LINK =
            Pattern.compile("<a href=\"" + Pattern.quote(BookLinks.RUN) + "([^\"|]*)\\|([^\"]*)\"");

    private final Path root;
    private final Path out;
    private final PrintStream log;

    private Book(Path root, Path out, PrintStream log) {
        this.root = root.toAbsolutePath().normalize();
        this.out = out.toAbsolutePath().normalize();
        this.log = log;
    }

    /**
     * Builds the book of the workspace at {@code root} into {@code out} (emptied first when it
     * holds an earlier book; refused when it holds anything else).
     */
    public static Built build(Path root, Path out, PrintStream log) throws IOException {
        return new Book(root, out, log).build();
    }

    private Built build() throws IOException {
        if (!Files.isDirectory(root.resolve("notes"))) {
            throw new IllegalArgumentException(
                    root + " has no notes/ folder: run from a storagelab workspace or pass --workspace");
        }
        prepare(out);
        List<BookPages.Page> contents = BookPages.of(root);
        BookLinks links = new BookLinks(root, contents);
        Figures.drawAll(root.resolve("notes/data"), out.resolve("figures"));
        log.println("storagelab book: drew the figures from " + root.relativize(root.resolve("notes/data")));
        List<BookSite.Entry> search = new ArrayList<>();
        List<String> written = new ArrayList<>();
        BookSite site = new BookSite(contents);
        Map<Path, Map<String, String>> handouts = new HashMap<>(); // each handout rendered once, cut into its pages
        Map<Path, TaskTests> tests = new HashMap<>();
        for (int i = 0; i < contents.size(); i++) {
            BookPages.Page p = contents.get(i);
            String html;
            if (p.handout() != null) {
                HandoutParts parts = p.handout();
                html = handouts.computeIfAbsent(p.source(), s -> parts.cut(render(s, parts.overview(), links)))
                        .get(p.file());
                TaskTests t = tests.get(p.source());
                if (t == null) {
                    t = TaskTests.of(root, p.source().getParent());
                    tests.put(p.source(), t);
                }
                html = site.handoutPart(p, html, t);
            } else {
                html = render(p.source(), p.file(), links);
            }
            String title = p.kind().equals("task") ? p.handout().lab() + " " + p.title() : p.title();
            write(p.file(), site.page(p.file(), title, html, i, headings(html), search));
            written.add(p.file());
        }
        for (BookPages.Page p : contents) {
            if (p.kind().equals("handout")) {
                write(p.handout().landing(), site.landingPage(p.handout(), contents));
                written.add(p.handout().landing());
            }
        }
        while (!links.extraPages().isEmpty()) {
            Path source = links.extraPages().poll();
            String file = links.pageOf(source);
            String html = render(source, file, links);
            write(file, site.page(file, BookPages.title(source), html, -1, headings(html), search));
            written.add(file);
        }
        write("index.html", site.titlePage());
        written.add(0, "index.html");
        write("watch.html", site.watchPage(links.runs(), root, links));
        written.add("watch.html");
        List<String> undrawn = copyFiles(links);
        assets(search);
        log.println("storagelab book: wrote " + written.size() + " pages to " + out);
        links.missing().forEach(m -> log.println("storagelab book: not in this copy of the workspace: " + m));
        return new Built(out, written, List.copyOf(links.runs()), List.copyOf(links.missing()), undrawn);
    }

    /** Empties {@code dir} if it holds an earlier book (its index.html and assets/), refuses a folder with anything else in it. */
    private static void prepare(Path dir) throws IOException {
        if (Files.isRegularFile(dir)) {
            throw new IllegalArgumentException(dir + " is a file, not a folder; name a folder for the book");
        }
        if (Files.isDirectory(dir)) {
            boolean empty;
            try (Stream<Path> s = Files.list(dir)) {
                empty = s.findAny().isEmpty();
            }
            if (!empty) {
                if (!Files.isRegularFile(dir.resolve("index.html")) || !Files.isDirectory(dir.resolve("assets"))) {
                    throw new IllegalArgumentException(
                            dir + " is not empty and holds no earlier book; name an empty or new folder");
                }
                PathUtils.cleanDirectory(dir);
            }
        }
        Files.createDirectories(dir);
    }

    /** The options of every rendering of the book's Markdown: its extensions, and headings' anchors as GitHub makes them. */
    static MutableDataSet options() {
        MutableDataSet options = new MutableDataSet();
        options.set(
                Parser.EXTENSIONS,
                List.of(TablesExtension.create(), StrikethroughExtension.create(), AnchorLinkExtension.create()));
        options.set(HtmlRenderer.GENERATE_HEADER_ID, true);
        options.set(HtmlRenderer.RENDER_HEADER_ID, true);
        // GitHub's anchors: lower case, spaces to dashes, other punctuation dropped, underscores kept
        options.set(HtmlRenderer.HEADER_ID_GENERATOR_TO_DASH_CHARS, " -");
        options.set(HtmlRenderer.HEADER_ID_GENERATOR_NON_DASH_CHARS, "_");
        options.set(HtmlRenderer.HEADER_ID_GENERATOR_RESOLVE_DUPES, true);
        options.set(AnchorLinkExtension.ANCHORLINKS_WRAP_TEXT, false);
        options.set(AnchorLinkExtension.ANCHORLINKS_SET_ID, false);
        options.set(AnchorLinkExtension.ANCHORLINKS_ANCHOR_CLASS, "anchor");
        options.set(AnchorLinkExtension.ANCHORLINKS_TEXT_PREFIX, "#");
        options.set(TablesExtension.CLASS_NAME, "table");
        return options;
    }

    /** The Markdown at {@code source} as HTML, its links resolved for the page written at {@code file}. */
    private String render(Path source, String file, BookLinks links) {
        MutableDataSet options = options();
        Parser parser = Parser.builder(options).build();
        HtmlRenderer renderer = HtmlRenderer.builder(options)
                .linkResolverFactory(new IndependentLinkResolverFactory() {
                    @Override
                    public LinkResolver apply(LinkResolverBasicContext context) {
                        return (Node node, LinkResolverBasicContext c, ResolvedLink link) -> {
                            if (link.getLinkType() != LinkType.LINK && link.getLinkType() != LinkType.IMAGE) {
                                return link;
                            }
                            String url =
                                    links.resolve(source, file, link.getUrl(), link.getLinkType() == LinkType.IMAGE);
                            return link.withUrl(url).withStatus(LinkStatus.VALID);
                        };
                    }
                })
                .build();
        String html;
        try {
            html = renderer.render(parser.parse(Files.readString(source, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        html = MISSING_IMAGE
                .matcher(html)
                .replaceAll(m ->
                        Matcher.quoteReplacement("<span class=\"missing\" title=\"not in this copy of the workspace: "
                                + m.group(1) + "\">[" + m.group(2) + "]</span>"));
        html = RUN_LINK.matcher(html)
                .replaceAll(m -> Matcher.quoteReplacement(
                        "<a href=\"" + m.group(1) + "\" data-viewer=\"" + m.group(2) + "\" class=\"run\""));
        return MISSING_LINK
                .matcher(html)
                .replaceAll(m ->
                        Matcher.quoteReplacement("<span class=\"missing\" title=\"not in this copy of the workspace: "
                                + m.group(1) + "\">" + m.group(2) + "</span>"));
    }

    /** The page's level-two and level-three headings: their ids and text, for its own table of contents and the search. */
    static List<String[]> headings(String html) {
        List<String[]> hs = new ArrayList<>();
        Matcher m = HEADING.matcher(html);
        while (m.find()) {
            hs.add(new String[] {
                m.group(1), m.group(2), text(m.group(3)).replaceFirst("^#", "").trim(), Integer.toString(m.start())
            });
        }
        return hs;
    }

    /** The text of an HTML fragment: tags dropped, the usual entities decoded. */
    static String text(String html) {
        return TAG.matcher(html)
                .replaceAll(" ")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&")
                .replaceAll("\\s+", " ")
                .trim();
    }

    private void write(String file, String html) throws IOException {
        Path p = out.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, html, StandardCharsets.UTF_8);
    }

    /**
     * The workspace's files that pages link: copied, and folders listed; a picture of notes/figures
     * that no figure family drew is copied as committed, with a warning, and returned (the book's
     * test requires none: every figure a page shows is redrawn from its data).
     */
    private List<String> copyFiles(BookLinks links) throws IOException {
        List<String> undrawn = new ArrayList<>();
        Path figures = root.resolve("notes/figures");
        for (Map.Entry<Path, String> e : links.files().entrySet()) {
            Path target = out.resolve(e.getValue());
            if (Files.isDirectory(e.getKey())) {
                List<String> names = new ArrayList<>();
                try (Stream<Path> s = Files.list(e.getKey())) {
                    s.map(p -> p.getFileName() + (Files.isDirectory(p) ? "/" : ""))
                            .sorted()
                            .forEach(names::add);
                }
                write(
                        e.getValue(),
                        new BookSite(List.of()).listing(e.getValue(), root.relativize(e.getKey()) + "/", names));
            } else if (!Files.exists(target)) {
                if (!Files.isRegularFile(e.getKey())) {
                    log.println("storagelab book: warning: " + root.relativize(e.getKey())
                            + " is linked but neither drawn nor on disk");
                    continue;
                }
                Files.createDirectories(target.getParent());
                Files.copy(e.getKey(), target, StandardCopyOption.REPLACE_EXISTING);
                if (e.getKey().startsWith(figures) && e.getKey().toString().endsWith(".png")) {
                    String name = root.relativize(e.getKey()).toString();
                    log.println("storagelab book: warning: no figure family draws " + name
                            + "; the book shows it as committed");
                    undrawn.add(name);
                }
            }
        }
        return List.copyOf(undrawn);
    }

    /** The pages' own style and script, the WebJars' scripts, and the search index. */
    private void assets(List<BookSite.Entry> search) throws IOException {
        Path assets = out.resolve("assets");
        Files.createDirectories(assets);
        copyResource("book/book.css", assets.resolve("book.css"));
        copyResource("book/book.js", assets.resolve("book.js"));
        String hl = "META-INF/resources/webjars/highlightjs/" + webJarVersion("org.webjars", "highlightjs") + "/";
        copyResource(hl + "highlight.min.js", assets.resolve("highlight.min.js"));
        copyResource(hl + "styles/github.min.css", assets.resolve("highlight.min.css"));
        copyResource(
                "META-INF/resources/webjars/lunr/" + webJarVersion("org.webjars.npm", "lunr") + "/lunr.min.js",
                assets.resolve("lunr.min.js"));
        Files.writeString(
                assets.resolve("search-index.js"),
                "window.BOOK_INDEX = " + new Gson().toJson(search) + ";\n",
                StandardCharsets.UTF_8);
    }

    /** The version of the WebJar {@code group:artifact} on the class path (from its Maven metadata). */
    static String webJarVersion(String group, String artifact) throws IOException {
        String name = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = Book.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(
                        "the WebJar " + group + ":" + artifact + " is missing; rebuild the workbench");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        }
    }

    private static void copyResource(String name, Path to) throws IOException {
        try (InputStream in = Book.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the workbench's jar; rebuild the workbench");
            }
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
