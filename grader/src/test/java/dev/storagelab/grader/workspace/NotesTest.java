package dev.storagelab.grader.workspace;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;

import dev.storagelab.grader.grade.Fixtures;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The notes read as a book, checked on the real workspace: no chapter is longer than a reader
 * finishes ({@value #MAX_LINES} lines); every plot a chapter names is shown and exists, and every
 * file and folder of the notes' data and figures it names exists; every relative link of the notes
 * and their measurement logs leads to a file, and to a heading of it where it names one; each
 * chapter links its lab's handout (and the handout's browser views, where it has them) and its
 * measurement log, and the handout links back; chapter 7 shows one crossover map; and every picture
 * of {@code notes/figures} is shown by a page (a chapter, a handout, the README), so that {@code
 * ./storagelab figures} draws no plot that no page shows.
 *
 * <p>And no chapter states a measured quantity with two values, checked two ways, each catching
 * what the other cannot:
 *
 * <ul>
 *   <li><b>The headline figures' ledger</b> ({@code notes/data/headline-figures.tsv}): each measured
 *       quantity the chapters state in prose and tables, its one current value, and a pattern per
 *       way the chapters state it (its one group is the figure). Every statement found in every
 *       chapter the line's glob names must quote that value, or that value rounded to the decimals
 *       quoted (3.3 for 3.31); every quantity must be stated at least once, so a pattern cannot rot
 *       unnoticed. This catches a figure restated in prose, in another section or in another chapter
 *       after it was measured again (lab-05's fillrandom once stood at three values in one chapter).
 *   <li><b>Tables of one schema</b>: two tables of a chapter with the same header row measure the
 *       same quantities, so a row that both have (rows keyed by the fewest leading cells that tell a
 *       table's rows apart) must give the same value in every column. This catches a measurement
 *       taken again and tabled again beside the old one, without anyone naming the quantity (the
 *       arena's table, and the decision matrix, each once stood twice in chapter 7 with other
 *       values). Tables marked {@code <!-- not a measurement: ... -->} are not read.
 * </ul>
 *
 * Earlier runs and their figures belong in each chapter's measurement log ({@code
 * notes/data/labNN/README.md}), which neither check reads.
 */
class NotesTest {

    /** The most lines a chapter may have. */
    static final int MAX_LINES = 800;

    private static final Path ROOT = Fixtures.realWorkspace();

    /** A numbered chapter: {@code notes/NN-name.md}, NN the lab's number. */
    private static final Pattern CHAPTER = Pattern.compile("(\\d\\d)-[\\w-]+\\.md");

    /** A link or image target in Markdown: {@code ](target)} or {@code ](target "title")}. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

    private static final Pattern IMAGE = Pattern.compile("!\\[[^\\]]*\\]\\(([^)\\s]+)\\)");

    /**
     * A picture's name, wherever a note writes it; a plot of the notes' own (one of {@code
     * notes/figures}, or named as they are, {@code labNN-...png}) must be shown where it is named.
     * Other names ({@code ratios.png}, which {@code ./storagelab bench} writes) are the reader's files.
     */
    private static final Pattern PLOT = Pattern.compile("[\\w.-]+\\.png\\b");

    /** A path of the notes' data or figures, written from the workspace's root (in prose or a command). */
    private static final Pattern NOTES_PATH = Pattern.compile("notes/(?:data|figures)/[^\\s`'\"()\\[\\]|,;<>]*");

    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");

    private static final Pattern HTML_ID = Pattern.compile("\\bid=\"([^\"]+)\"");

    /** A table cell that holds a figure: it starts with a number, after emphasis or an approximation. */
    private static final Pattern CELL_FIGURE = Pattern.compile("^[*~≈<>$]*(\\d[\\d,]*(?:\\.\\d+)?)");

    private static final String NOT_A_MEASUREMENT = "<!-- not a measurement: ";

    /** A Markdown document: its path from the workspace's root, its lines, which lines are fenced code. */
    record Doc(String name, List<String> lines, boolean[] code) {
        static Doc of(String name, String text) {
            List<String> lines = List.of(text.split("\n", -1));
            boolean[] code = new boolean[lines.size()];
            boolean fence = false;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).strip().startsWith("```")) {
                    fence = !fence;
                    code[i] = true;
                } else {
                    code[i] = fence;
                }
            }
            return new Doc(name, lines, code);
        }

        static Doc read(Path root, Path file) throws IOException {
            return of(
                    root.relativize(file).toString().replace('\\', '/'),
                    Files.readString(file, StandardCharsets.UTF_8));
        }

        String text() {
            return String.join("\n", lines);
        }

        /** The file's name alone. */
        String fileName() {
            return name.substring(name.lastIndexOf('/') + 1);
        }
    }

    /** Every Markdown file directly under {@code notes/}: the chapters, the baseline, the audit, the glossary. */
    static List<Doc> notes(Path root) throws IOException {
        List<Doc> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(root.resolve("notes"))) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                docs.add(Doc.read(root, f));
            }
        }
        return docs;
    }

    /** The measurement logs: {@code notes/data/*}{@code /README.md}. */
    static List<Doc> logs(Path root) throws IOException {
        List<Doc> docs = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root.resolve("notes/data"))) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                if (Files.isRegularFile(d.resolve("README.md"))) {
                    docs.add(Doc.read(root, d.resolve("README.md")));
                }
            }
        }
        return docs;
    }

    private static List<Doc> numberedChapters(Path root) throws IOException {
        return notes(root).stream()
                .filter(d -> CHAPTER.matcher(d.fileName()).matches())
                .toList();
    }

    @Test
    void theNotesHaveSevenChaptersAndEachHasAMeasurementLog() throws IOException {
        List<Doc> chapters = numberedChapters(ROOT);
        assertThat(chapters, hasSize(7));
        for (Doc c : chapters) {
            String lab = c.fileName().substring(0, 2);
            assertThat(c.name() + "'s measurement log", Files.isRegularFile(logOf(ROOT, lab)), is(true));
        }
    }

    private static Path logOf(Path root, String lab) {
        return root.resolve("notes/data/lab" + lab + "/README.md");
    }

    @Test
    void noNoteIsLongerThanAReaderFinishes() throws IOException {
        for (Doc d : notes(ROOT)) {
            assertThat(
                    d.name() + ": lines (earlier runs go to the measurement log)",
                    d.lines().size(),
                    lessThanOrEqualTo(MAX_LINES));
        }
    }

    @Test
    void theFiguresNeedNoPython() throws IOException {
        // ./storagelab figures draws every plot and prints every table with the JDK alone
        List<String> scripts;
        try (Stream<Path> files = Files.walk(ROOT.resolve("notes"))) {
            scripts = files.map(p -> ROOT.relativize(p).toString())
                    .filter(n -> n.endsWith(".py") || n.endsWith(".ipynb"))
                    .toList();
        }
        assertThat("scripts that need Python", scripts, empty());
    }

    @Test
    void everyPlotANoteNamesIsShownAndExists() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Doc d : notes(ROOT)) {
            problems.addAll(plotProblems(ROOT, d));
        }
        assertThat("plots a note names that it does not show, or shows and that do not exist", problems, empty());
    }

    /** The notes' plots {@code doc} names without showing them, and the images it shows that do not exist. */
    static List<String> plotProblems(Path root, Doc doc) {
        List<String> problems = new ArrayList<>();
        Path folder = root.resolve(doc.name()).getParent();
        Set<String> shown = new HashSet<>();
        for (int i = 0; i < doc.lines().size(); i++) {
            if (doc.code()[i]) {
                continue;
            }
            Matcher image = IMAGE.matcher(doc.lines().get(i));
            while (image.find()) {
                String target = image.group(1);
                shown.add(target.substring(target.lastIndexOf('/') + 1));
                if (!Files.isRegularFile(folder.resolve(target).normalize())) {
                    problems.add(doc.name() + ":" + (i + 1) + " shows " + target + ", which does not exist");
                }
            }
        }
        for (int i = 0; i < doc.lines().size(); i++) {
            Matcher plot = PLOT.matcher(doc.lines().get(i));
            while (plot.find()) {
                boolean ofTheNotes = plot.group().matches("(?:lab\\d\\d|benchmarks)-.*")
                        || Files.isRegularFile(root.resolve("notes/figures").resolve(plot.group()));
                if (ofTheNotes && !shown.contains(plot.group())) {
                    problems.add(doc.name() + ":" + (i + 1) + " names " + plot.group() + " without showing it");
                }
            }
        }
        return problems;
    }

    @Test
    void everyPictureOfTheNotesFiguresIsShownByAPage() throws IOException {
        List<Doc> pages = new ArrayList<>(notes(ROOT));
        pages.add(Doc.read(ROOT, ROOT.resolve("README.md")));
        try (Stream<Path> labs = Files.list(ROOT)) {
            for (Path lab : labs.filter(p -> p.getFileName().toString().startsWith("lab-"))
                    .sorted()
                    .toList()) {
                pages.add(Doc.read(ROOT, lab.resolve("README.md")));
            }
        }
        assertThat(
                "pictures of notes/figures that no page shows: delete them, and stop ./storagelab figures drawing them",
                unshown(ROOT, pages),
                empty());
    }

    /** The pictures of {@code notes/figures} that none of {@code pages} shows. */
    static List<String> unshown(Path root, List<Doc> pages) throws IOException {
        Set<Path> shown = new HashSet<>();
        for (Doc d : pages) {
            Path folder = root.resolve(d.name()).getParent();
            for (int i = 0; i < d.lines().size(); i++) {
                Matcher image = IMAGE.matcher(d.lines().get(i));
                while (!d.code()[i] && image.find()) {
                    shown.add(folder.resolve(image.group(1)).normalize());
                }
            }
        }
        try (Stream<Path> pictures = Files.list(root.resolve("notes/figures"))) {
            return pictures.filter(p -> p.toString().endsWith(".png"))
                    .filter(p -> !shown.contains(p.normalize()))
                    .map(p -> root.relativize(p).toString())
                    .sorted()
                    .toList();
        }
    }

    @Test
    void everyDataAndFigureFileANoteNamesExists() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Doc d : notes(ROOT)) {
            for (int i = 0; i < d.lines().size(); i++) {
                Matcher m = NOTES_PATH.matcher(d.lines().get(i));
                while (m.find()) {
                    String path = m.group().replaceAll("[.:]+$", "");
                    if (!exists(ROOT, path)) {
                        missing.add(d.name() + ":" + (i + 1) + " names " + path);
                    }
                }
            }
        }
        assertThat(
                "files and folders of notes/data and notes/figures the notes name that do not exist", missing, empty());
    }

    /**
     * Whether {@code relative} names something under {@code root}: a file or a folder; a glob
     * ({@code space-*.json}); a name with a placeholder the reader fills in, in capitals ({@code
     * audit-lab-NN.txt}, {@code OUT}), matched as a glob; or the prefix of files a command writes
     * ({@code planner-crossover} for {@code planner-crossover.md} and its siblings).
     */
    static boolean exists(Path root, String relative) throws IOException {
        Path at = root;
        String[] parts = relative.split("/");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (Files.exists(at.resolve(part))) {
                at = at.resolve(part);
                continue;
            }
            if (!Files.isDirectory(at)) {
                return false;
            }
            String glob = part.replaceAll("\\b[A-Z]\\b|[A-Z]{2,}", "*");
            boolean last = i == parts.length - 1;
            var matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            try (Stream<Path> siblings = Files.list(at)) {
                Path next = siblings.filter(s -> {
                            String name = s.getFileName().toString();
                            return matcher.matches(s.getFileName())
                                    || (last && (name.startsWith(part + ".") || name.startsWith(part + "-")));
                        })
                        .findFirst()
                        .orElse(null);
                if (next == null) {
                    return false;
                }
                at = next;
            }
        }
        return true;
    }

    @Test
    void everyRelativeLinkOfTheNotesAndTheirLogsLeadsToAFileAndItsHeading() throws IOException {
        List<Doc> docs = new ArrayList<>(notes(ROOT));
        docs.addAll(logs(ROOT));
        List<String> broken = new ArrayList<>();
        for (Doc d : docs) {
            broken.addAll(brokenLinks(ROOT, d));
        }
        assertThat("links of the notes that lead nowhere", broken, empty());
    }

    /** The relative links of {@code doc} whose file, or whose heading in a Markdown file, does not exist. */
    static List<String> brokenLinks(Path root, Doc doc) throws IOException {
        List<String> broken = new ArrayList<>();
        Path folder = root.resolve(doc.name()).getParent();
        for (int i = 0; i < doc.lines().size(); i++) {
            if (doc.code()[i]) {
                continue;
            }
            Matcher m = LINK.matcher(doc.lines().get(i));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-z]+:.*")) {
                    continue; // https:, mailto:
                }
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path resolved = file.isEmpty()
                        ? root.resolve(doc.name())
                        : folder.resolve(file).normalize();
                String where = doc.name() + ":" + (i + 1) + " links " + target;
                if (!resolved.startsWith(root) || !Files.exists(resolved)) {
                    broken.add(where + ": no such file");
                } else if (anchor != null
                        && resolved.toString().endsWith(".md")
                        && !anchors(Files.readString(resolved, StandardCharsets.UTF_8))
                                .contains(anchor)) {
                    broken.add(where + ": no such heading");
                }
            }
        }
        return broken;
    }

    /** The anchors a Markdown file has as GitHub renders it: one per heading (duplicates numbered), and HTML ids. */
    static Set<String> anchors(String markdown) {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        Doc doc = Doc.of("", markdown);
        for (int i = 0; i < doc.lines().size(); i++) {
            String line = doc.lines().get(i);
            Matcher id = HTML_ID.matcher(line);
            while (id.find()) {
                anchors.add(id.group(1));
            }
            Matcher h = HEADING.matcher(line);
            if (!doc.code()[i] && h.matches()) {
                String slug = slug(h.group(2));
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? slug : slug + "-" + n);
            }
        }
        return anchors;
    }

    /** A heading's anchor as GitHub makes it: lower case, links to their text, punctuation dropped, spaces to hyphens. */
    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").toLowerCase(Locale.ROOT);
        return text.replaceAll("[^\\p{L}\\p{M}\\p{N}_\\- ]", "").replace(' ', '-');
    }

    @Test
    void aHeadingsAnchorIsGitHubs() {
        assertThat(slug("4.7.5 A replacer whose hit path is O(1)"), is("475-a-replacer-whose-hit-path-is-o1"));
        assertThat(slug("`lsm-sim` at the real sizes"), is("lsm-sim-at-the-real-sizes"));
        assertThat(anchors("## T1\n```\n## not a heading\n```\n## T1\n"), is(Set.of("t1", "t1-1")));
    }

    @Test
    void eachChapterLinksItsHandoutItsBrowserViewsAndItsLogAndTheHandoutLinksBack() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Doc chapter : numberedChapters(ROOT)) {
            String lab = chapter.fileName().substring(0, 2);
            Path labDir;
            try (Stream<Path> dirs = Files.list(ROOT)) {
                labDir = dirs.filter(p -> p.getFileName().toString().startsWith("lab-" + lab + "-"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no lab-" + lab + " for " + chapter.name()));
            }
            String handoutLink = "../" + labDir.getFileName() + "/README.md";
            String text = chapter.text();
            if (!text.contains("](" + handoutLink + ")")) {
                missing.add(chapter.name() + " does not link its handout " + handoutLink);
            }
            String handout = Files.readString(labDir.resolve("README.md"), StandardCharsets.UTF_8);
            if (anchors(handout).contains("watching-it-in-the-browser")
                    && !text.contains("](" + handoutLink + "#watching-it-in-the-browser)")) {
                missing.add(chapter.name() + " does not link its handout's browser views");
            }
            if (!text.contains("](data/lab" + lab + "/README.md)")) {
                missing.add(chapter.name() + " does not link its measurement log data/lab" + lab + "/README.md");
            }
            if (!handout.contains("](../notes/" + chapter.fileName() + ")")) {
                missing.add(labDir.getFileName() + "/README.md does not link its chapter " + chapter.name());
            }
        }
        assertThat(missing, empty());
    }

    @Test
    void chapterSevenShowsOneCrossoverMap() throws IOException {
        Doc chapter = Doc.read(ROOT, ROOT.resolve("notes/07-hybrid.md"));
        List<String> maps = new ArrayList<>();
        Matcher m = IMAGE.matcher(chapter.text());
        while (m.find()) {
            if (m.group(1).contains("lab07-crossover")) {
                maps.add(m.group(1));
            }
        }
        assertThat("the crossover maps chapter 7 shows (earlier maps belong in its log)", maps, hasSize(1));
    }

    // ---- one value per measured quantity -------------------------------------------------------

    /** A line of the ledger: a quantity, its value, the chapters it applies to (a glob) and a way of stating it. */
    record Figure(String quantity, String value, String chapters, Pattern statement) {}

    /** The ledger of headline figures: {@code notes/data/headline-figures.tsv}. */
    static List<Figure> ledger(Path root) throws IOException {
        List<Figure> figures = new ArrayList<>();
        for (String line :
                Files.readAllLines(root.resolve("notes/data/headline-figures.tsv"), StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 4) {
                throw new AssertionError("headline-figures.tsv: not four tab-separated fields: " + line);
            }
            Pattern p = Pattern.compile(f[3]);
            if (p.matcher("").groupCount() != 1) {
                throw new AssertionError("headline-figures.tsv: the pattern must have one group, the figure: " + line);
            }
            figures.add(new Figure(f[0], f[1], f[2], p));
        }
        return figures;
    }

    /**
     * Every statement of a ledger figure in {@code docs} that quotes another value than the ledger's,
     * as "file:line: quantity stated as X, the ledger says Y"; and every quantity stated nowhere.
     */
    static List<String> ledgerProblems(List<Figure> ledger, List<Doc> docs) {
        List<String> problems = new ArrayList<>();
        Map<String, Integer> statements = new LinkedHashMap<>();
        for (Figure f : ledger) {
            statements.putIfAbsent(f.quantity(), 0);
            var chapters = FileSystems.getDefault().getPathMatcher("glob:" + f.chapters());
            for (Doc d : docs) {
                if (!chapters.matches(Path.of(d.fileName()))) {
                    continue;
                }
                String text = d.text();
                Matcher m = f.statement().matcher(text);
                while (m.find()) {
                    statements.merge(f.quantity(), 1, Integer::sum);
                    if (!agrees(m.group(1), f.value())) {
                        int line = (int) text.substring(0, m.start(1))
                                        .chars()
                                        .filter(c -> c == '\n')
                                        .count()
                                + 1;
                        problems.add(d.fileName() + ":" + line + ": " + f.quantity() + " stated as " + m.group(1)
                                + ", the ledger says " + f.value());
                    }
                }
            }
        }
        statements.forEach((q, n) -> {
            if (n == 0) {
                problems.add(q + ": stated nowhere (is a pattern stale?)");
            }
        });
        return problems;
    }

    /** Whether {@code quoted} is {@code value}, or {@code value} rounded to as many decimals as {@code quoted} has. */
    static boolean agrees(String quoted, String value) {
        BigDecimal q = new BigDecimal(quoted.replace(",", ""));
        BigDecimal v = new BigDecimal(value.replace(",", ""));
        if (q.scale() > 0 && v.scale() > q.scale()) {
            v = v.setScale(q.scale(), RoundingMode.HALF_UP);
        }
        return q.compareTo(v) == 0;
    }

    @Test
    void everyHeadlineFigureIsStatedWithTheLedgersValue() throws IOException {
        List<Figure> ledger = ledger(ROOT);
        assertThat("the ledger's lines", ledger.size(), greaterThan(30));
        assertThat(
                "statements of headline figures that quote another value (change the statement, or the ledger"
                        + " with every statement, after measuring again)",
                ledgerProblems(ledger, notes(ROOT)),
                empty());
    }

    /**
     * The cells of {@code doc}'s tables that another table of the same header row gives another
     * value: "file:line: row, column: X (line N) and Y".
     */
    static List<String> tableContradictions(Doc doc) {
        record Cell(String value, int table, int line) {}
        Map<List<String>, Cell> cells = new HashMap<>();
        List<String> problems = new ArrayList<>();
        List<String> lines = doc.lines();
        int i = 0;
        while (i < lines.size()) {
            if (doc.code()[i] || !lines.get(i).startsWith("|")) {
                i++;
                continue;
            }
            int end = i;
            while (end < lines.size() && !doc.code()[end] && lines.get(end).startsWith("|")) {
                end++;
            }
            boolean measured = !(i > 0 && lines.get(i - 1).startsWith(NOT_A_MEASUREMENT));
            if (measured && end - i >= 3) {
                List<String> header =
                        cellsOf(lines.get(i)).stream().map(NotesTest::normal).toList();
                List<List<String>> rows = new ArrayList<>();
                for (int r = i + 2; r < end; r++) {
                    rows.add(cellsOf(lines.get(r)));
                }
                int key = keyWidth(rows, header.size());
                for (int r = 0; r < rows.size(); r++) {
                    List<String> row = rows.get(r);
                    List<String> rowKey = row.subList(0, Math.min(key, row.size())).stream()
                            .map(NotesTest::normal)
                            .toList();
                    for (int c = key; c < Math.min(row.size(), header.size()); c++) {
                        Matcher figure = CELL_FIGURE.matcher(row.get(c));
                        if (!figure.find()) {
                            continue;
                        }
                        String value = figure.group(1).replace(",", "");
                        List<String> where = new ArrayList<>(header);
                        where.add("|");
                        where.addAll(rowKey);
                        where.add(String.valueOf(c));
                        Cell before = cells.putIfAbsent(where, new Cell(value, i, i + r + 3));
                        if (before != null
                                && before.table() != i
                                && !before.value().equals(value)) {
                            problems.add(doc.name() + ":" + (i + r + 3) + ": " + String.join(" / ", rowKey) + ", "
                                    + header.get(c) + ": " + before.value() + " (line " + before.line() + ") and "
                                    + value);
                        }
                    }
                }
            }
            i = end;
        }
        return problems;
    }

    /** How many leading cells tell a table's rows apart: the row's key. */
    private static int keyWidth(List<List<String>> rows, int columns) {
        for (int k = 1; k < columns; k++) {
            Set<List<String>> keys = new HashSet<>();
            for (List<String> row : rows) {
                keys.add(row.subList(0, Math.min(k, row.size())).stream()
                        .map(NotesTest::normal)
                        .toList());
            }
            if (keys.size() == rows.size()) {
                return k;
            }
        }
        return columns;
    }

    private static List<String> cellsOf(String row) {
        String inner = row.strip().replaceAll("^\\||\\|$", "");
        List<String> cells = new ArrayList<>();
        for (String c : inner.split("\\|", -1)) {
            cells.add(c.strip());
        }
        return cells;
    }

    /** A header or key cell as compared: lower case, without code marks, emphasis or a parenthesis. */
    private static String normal(String cell) {
        return cell.toLowerCase(Locale.ROOT)
                .replace("`", "")
                .replace("*", "")
                .replaceAll("\\([^)]*\\)", "")
                .replaceAll("\\s+", " ")
                .strip();
    }

    @Test
    void noTwoTablesOfOneSchemaGiveAChapterTwoValuesForOneCell() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Doc d : notes(ROOT)) {
            problems.addAll(tableContradictions(d));
        }
        assertThat(
                "tables of one header row that give a row's cell two values (an earlier run's table goes to the"
                        + " chapter's measurement log)",
                problems,
                empty());
    }

    @Test
    void aContradictingFigurePlantedInAChapterIsFound() throws IOException {
        Doc real = Doc.read(ROOT, ROOT.resolve("notes/05-lsm.md"));
        assertThat(
                ledgerProblems(ledger(ROOT), List.of(real)).stream()
                        .filter(p -> p.startsWith("05-lsm.md:"))
                        .toList(),
                empty());
        // the ledger's values as it stands: a figure retaken changes the ledger, not this test
        Map<String, String> says = new LinkedHashMap<>();
        ledger(ROOT).forEach(f -> says.putIfAbsent(f.quantity(), f.value()));
        String rww = "lab-04 B+tree readwhilewriting, quiet (gets/s)";
        String fill = "lab-05 lsm fillrandom beside RocksDB, quiet (puts/s)";
        String ratio = "lab-05 lsm fillrandom over RocksDB's (x)";
        String space = "lab-05 space amplification once compaction settles";
        String planted = real.text()
                        .replace(
                                "Settled, the space amplification is " + says.get(space),
                                "Settled, the space amplification is 1.09")
                + "\nOn a busy machine the B+tree made 95,000 gets/s beside a writer.\n\n"
                + "| workload | lsm ops/s (runs) | rocksdb-lsmopts ops/s (runs) | lsm / rocksdb-lsmopts | run by run"
                + " | write amplification, lsm / rocksdb-lsmopts | lsm block reads per get |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n"
                + "| fillrandom | 120,883 (117k, 121k, 123k) | 189,364 (184k, 189k, 194k) | **0.64** | 0.64, 0.64"
                + " | 5.99 / 4.59 | – |\n";
        Doc plantedDoc = Doc.of("notes/05-lsm.md", planted);
        List<String> ledgerFound = ledgerProblems(ledger(ROOT), List.of(plantedDoc)).stream()
                .filter(p -> p.startsWith("05-lsm.md:"))
                .map(p -> p.replaceFirst(":\\d+:", ":"))
                .toList();
        assertThat(
                ledgerFound,
                contains(
                        "05-lsm.md: " + rww + " stated as 95,000, the ledger says " + says.get(rww),
                        "05-lsm.md: " + fill + " stated as 120,883, the ledger says " + says.get(fill),
                        "05-lsm.md: " + ratio + " stated as 0.64, the ledger says " + says.get(ratio),
                        "05-lsm.md: " + space + " stated as 1.09, the ledger says " + says.get(space)));
        List<String> tables = tableContradictions(plantedDoc);
        assertThat(
                tables,
                hasItem(containsString(
                        "fillrandom, lsm ops/s: " + says.get(fill).replace(",", ""))));
        assertThat(tables, hasItem(containsString("fillrandom, lsm / rocksdb-lsmopts: " + says.get(ratio))));
    }

    @Test
    void tablesOfOneSchemaAreComparedRowByRowAndOnlyAcrossTables() {
        String markdown = String.join(
                "\n",
                "| keys | segments | time |",
                "| ---: | ---: | ---: |",
                "| 1,000 | 1 | 4.0 µs |",
                "| 1,000 | 8 | 15.2 µs |",
                "",
                NOT_A_MEASUREMENT + "arithmetic -->",
                "| keys | segments | time |",
                "| ---: | ---: | ---: |",
                "| 1,000 | 1 | 9 µs |",
                "",
                "| keys | segments | time |",
                "| ---: | ---: | ---: |",
                "| 1,000 | 8 | 15.2 µs |",
                "| 1,000 | 1 | 4.1 µs |",
                "",
                "| keys | segments (runs) | time, median |",
                "| ---: | ---: | ---: |",
                "| 1,000 | 1 | 7 µs |");
        assertThat(
                tableContradictions(Doc.of("notes/x.md", markdown)),
                contains("notes/x.md:14: 1,000 / 1, time: 4.0 (line 3) and 4.1"));
    }

    @Test
    void aFigureQuotedWithFewerDecimalsAgreesWhenItIsTheValueRounded() {
        assertThat(agrees("3.3", "3.31"), is(true));
        assertThat(agrees("18.5", "18.52"), is(true));
        assertThat(agrees("117,215", "117,215"), is(true));
        assertThat(agrees("3.4", "3.31"), is(false));
        assertThat(agrees("117,000", "117,215"), is(false));
        assertThat(agrees("0.970", "0.97"), is(true));
    }

    @Test
    void aPlotNamedButNotShownAndAMissingFileAreFound() throws IOException {
        Doc doc = Doc.of(
                "notes/05-lsm.md",
                "The tail (`lab05-compaction-p99.png`).\n\n![bloom](figures/lab05-bloom.png)\n\n![gone](figures/nowhere.png)\n");
        assertThat(
                plotProblems(ROOT, doc),
                contains(
                        "notes/05-lsm.md:5 shows figures/nowhere.png, which does not exist",
                        "notes/05-lsm.md:1 names lab05-compaction-p99.png without showing it"));
        assertThat(exists(ROOT, "notes/data/lab05-flushthread"), is(false));
        assertThat(exists(ROOT, "notes/data/audit-lab-NN.txt"), is(true));
        assertThat(exists(ROOT, "notes/data/lab05/space-*.json"), is(true));
        assertThat(
                brokenLinks(ROOT, Doc.of("notes/x.md", "[a](../lab-05-lsm/README.md#no-such-heading)\n")), hasSize(1));
        Doc showsBloom = Doc.of("notes/05-lsm.md", "![bloom](figures/lab05-bloom.png)\n`lab05-l0-read-amp.png`\n");
        assertThat(
                "a picture only named, not shown, is unshown",
                unshown(ROOT, List.of(showsBloom)),
                hasItem("notes/figures/lab05-l0-read-amp.png"));
        assertThat(unshown(ROOT, List.of(showsBloom)), not(hasItem("notes/figures/lab05-bloom.png")));
    }

    // ---- what is true now, not a lab notebook -------------------------------------------------

    /** A date as a day's entry begins: "On 2026-11-23 the store served ...". */
    private static final Pattern DATED = Pattern.compile("(?i)\\bon 20\\d\\d-\\d\\d-\\d\\d\\b");

    /** A table row of one machine load: its first cell says "load 9". */
    private static final Pattern LOAD_ROW = Pattern.compile("(?i)^\\|[^|]*\\bload \\d");

    /** A name given after a rerun: {@code planner-crossover-run2}, {@code week_rerun.csv}. */
    private static final Pattern RERUN_NAME =
            Pattern.compile("(?i)[\\w./-]*(?:[-_]re-?run|[-_]run[-_]?\\d+)\\b[\\w.-]*");

    /** A section of what is left to do. */
    private static final Pattern TODO_HEADING = Pattern.compile(
            "(?i)^#{1,6}\\s.*\\b(?:to ?do|what is next|what's next|not (?:yet )?measured|next steps|open questions|future work)\\b");

    private static final Pattern TODO = Pattern.compile("\\bTODO\\b");

    /** A pointer to the measurement log that may name no file: "the log has the runs", "are in the log". */
    private static final Pattern LOG_POINTER = Pattern.compile(
            "(?i)\\bthe (?:measurement )?log (?:has|keeps|holds|says|shows|lists|gives)\\b(?! (?:grown|been|no |nothing))"
                    + "|\\b(?:are|is|be) in the (?:measurement )?log\\b(?![\\w'-]| record| file)");

    /** A file named in a sentence: a link, or a path or file name with its extension. */
    private static final Pattern FILE_NAMED =
            Pattern.compile("\\]\\(|[\\w.-]+/[\\w./-]*\\.(?:md|txt|json|csv)|\\b[\\w-]+\\.(?:md|txt|json|csv)\\b");

    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.;!?])\\s+(?=[A-Z(*`])");

    /**
     * What makes {@code doc} a lab notebook rather than a page that states what is true now, as
     * "file:line: what": a dated day's entry in prose, a table row per machine load, a file named
     * after a rerun, a section or a note of what is left to do, and a pointer to the measurement log
     * for runs that names no file. Code blocks are not read, and a table only for its rows' first cells.
     */
    static List<String> notebookProblems(Doc doc) {
        List<String> problems = new ArrayList<>();
        StringBuilder paragraph = new StringBuilder();
        int paragraphLine = 0;
        for (int i = 0; i <= doc.lines().size(); i++) {
            String line = i < doc.lines().size() ? doc.lines().get(i) : "";
            boolean prose = i < doc.lines().size()
                    && !doc.code()[i]
                    && !line.isBlank()
                    && !line.startsWith("#")
                    && !line.startsWith("|");
            if (i < doc.lines().size() && !doc.code()[i]) {
                String where = doc.name() + ":" + (i + 1) + ": ";
                if (LOAD_ROW.matcher(line).find()) {
                    problems.add(where + "a row per machine load (one current figure; the others go to the log)");
                }
                Matcher rerun = RERUN_NAME.matcher(line);
                while (rerun.find()) {
                    problems.add(where + "a name given after a rerun: " + rerun.group());
                }
                if (TODO_HEADING.matcher(line).find() || TODO.matcher(line).find()) {
                    problems.add(where + "what is left to do: " + line.strip());
                }
                if (!line.startsWith("|") && DATED.matcher(line).find()) {
                    problems.add(where + "a dated entry: " + line.strip());
                }
            }
            if (prose) {
                if (paragraph.length() == 0) {
                    paragraphLine = i + 1;
                }
                paragraph.append(line.strip()).append(' ');
            } else if (paragraph.length() > 0) {
                for (String sentence : SENTENCE_END.split(paragraph)) {
                    if (LOG_POINTER.matcher(sentence).find()
                            && !FILE_NAMED.matcher(sentence).find()) {
                        problems.add(doc.name() + ":" + paragraphLine + ": a pointer to the log that names no file: "
                                + sentence.strip());
                    }
                }
                paragraph.setLength(0);
            }
        }
        return problems;
    }

    @Test
    void noPageOfTheNotesReadsAsALabNotebook() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Doc d : notes(ROOT)) {
            problems.addAll(notebookProblems(d));
        }
        try (Stream<Path> figures = Files.list(ROOT.resolve("notes/figures"))) {
            figures.map(p -> p.getFileName().toString())
                    .filter(n -> RERUN_NAME.matcher(n).matches())
                    .sorted()
                    .forEach(n -> problems.add("notes/figures/" + n + ": a figure named after a rerun"));
        }
        assertThat(
                "the notes state what is true now: earlier runs, a day's entries, rows per load and what is left"
                        + " to do go to the measurement logs (notes/data/*/README.md), named by their file",
                problems,
                empty());
    }

    @Test
    void eachKindOfNotebookEntryPlantedInAChapterIsFound() {
        String planted = String.join(
                "\n",
                "# 7. A chapter",
                "",
                "On 2026-11-23 the store served 0.64 times RocksDB's fills.",
                "",
                "| profile | force µs |",
                "| --- | ---: |",
                "| measured, load 9 | 1,239 |",
                "| hdd, simulated | 12,000 |",
                "",
                "![crossover](figures/lab07-planner-crossover-run2.png)",
                "",
                "The three rates spread by 1.44, so 20% is not evidence; the log has every run. A log has",
                "its records; the log has grown by 1.9 times. Earlier runs are in the log.",
                "The runs are in [the measurement log](data/lab07/README.md); the log has the first run",
                "(`notes/data/lab07/README.md`).",
                "",
                "```",
                "On 2026-11-23 in code is not prose; TODO in code neither",
                "```",
                "",
                "## 7.16 What is next",
                "",
                "- TODO: flush off the request thread.",
                "");
        assertThat(
                notebookProblems(Doc.of("notes/07-x.md", planted)),
                contains(
                        "notes/07-x.md:3: a dated entry: On 2026-11-23 the store served 0.64 times RocksDB's fills.",
                        "notes/07-x.md:7: a row per machine load (one current figure; the others go to the log)",
                        "notes/07-x.md:10: a name given after a rerun: figures/lab07-planner-crossover-run2.png",
                        "notes/07-x.md:12: a pointer to the log that names no file: The three rates spread by 1.44,"
                                + " so 20% is not evidence; the log has every run.",
                        "notes/07-x.md:12: a pointer to the log that names no file: Earlier runs are in the log.",
                        "notes/07-x.md:21: what is left to do: ## 7.16 What is next",
                        "notes/07-x.md:23: what is left to do: - TODO: flush off the request thread."));
    }
}
