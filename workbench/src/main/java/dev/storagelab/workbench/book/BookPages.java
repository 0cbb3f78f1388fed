package dev.storagelab.workbench.book;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The book's pages in course order: the workspace's README, then for each lab its chapter of the
 * notes ({@code notes/NN-*.md}) and its handout ({@code lab-NN-*}/README.md) as an overview and a
 * page per task ({@link HandoutParts}), then the notes' other pages ({@code benchmarks.md}, {@code
 * audit.md} where the copy has it) and the glossary last. Only what is on disk: a student's release
 * has its own handouts and no instructor pages.
 */
final class BookPages {

    /**
     * One page: its Markdown, the HTML file it becomes (relative to the book's folder), its title,
     * what it is ({@code chapter}, {@code handout} for a handout's overview, {@code task}, ...) and,
     * for a handout's overview and tasks, the handout's parts.
     */
    record Page(Path source, String file, String title, String kind, HandoutParts handout) {

        Page(Path source, String file, String title, String kind) {
            this(source, file, title, kind, null);
        }

        /** The task this page is, if it is one. */
        Optional<HandoutParts.Task> task() {
            return handout == null
                    ? Optional.empty()
                    : handout.tasks().stream()
                            .filter(t -> t.file().equals(file))
                            .findFirst();
        }
    }

    private static final Pattern NUMBERED = Pattern.compile("(\\d\\d)-.*\\.md");
    private static final Pattern LAB = Pattern.compile("lab-(\\d\\d)-.*");
    private static final Pattern H1 = Pattern.compile("(?m)^# (.+)$");

    private BookPages() {}

    static List<Page> of(Path root) throws IOException {
        List<Page> pages = new ArrayList<>();
        add(pages, root.resolve("README.md"), "workspace.html", "workspace");
        if (!pages.isEmpty()) {
            BookPages.Page readme = pages.remove(0);
            pages.add(new Page(
                    readme.source(), readme.file(), "The workspace: what is where, the commands", readme.kind()));
        }
        Path notes = root.resolve("notes");
        for (int lab = 1; lab <= 99; lab++) {
            String nn = String.format("%02d", lab);
            Optional<Path> chapter = find(notes, p -> {
                Matcher m = NUMBERED.matcher(p.getFileName().toString());
                return m.matches() && m.group(1).equals(nn);
            });
            Optional<Path> handout = find(root, p -> {
                Matcher m = LAB.matcher(p.getFileName().toString());
                return Files.isDirectory(p) && m.matches() && m.group(1).equals(nn);
            });
            if (chapter.isEmpty() && handout.isEmpty()) {
                if (lab > 7) {
                    break;
                }
                continue;
            }
            chapter.ifPresent(c -> add(pages, c, stem(c) + ".html", "chapter"));
            if (handout.isPresent() && Files.isRegularFile(handout.get().resolve("README.md"))) {
                Path readme =
                        handout.get().resolve("README.md").toAbsolutePath().normalize();
                HandoutParts parts =
                        HandoutParts.of(readme, handout.get().getFileName().toString());
                pages.add(new Page(readme, parts.overview(), title(readme), "handout", parts));
                for (HandoutParts.Task t : parts.tasks()) {
                    pages.add(new Page(
                            readme, t.file(), t.id() + (t.name().isEmpty() ? "" : ": " + t.name()), "task", parts));
                }
            }
        }
        for (String extra : List.of("benchmarks", "audit")) {
            add(pages, notes.resolve(extra + ".md"), extra + ".html", "notes");
        }
        add(pages, notes.resolve("glossary.md"), "glossary.html", "glossary");
        return pages;
    }

    private static void add(List<Page> pages, Path source, String file, String kind) {
        if (Files.isRegularFile(source)) {
            pages.add(new Page(source.toAbsolutePath().normalize(), file, title(source), kind));
        }
    }

    /** The page's first level-one heading, or its file's name. */
    static String title(Path source) {
        try {
            Matcher m = H1.matcher(Files.readString(source, StandardCharsets.UTF_8));
            return m.find()
                    ? m.group(1).trim().replace("`", "")
                    : source.getFileName().toString();
        } catch (IOException e) {
            return source.getFileName().toString();
        }
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        return n.substring(0, n.length() - ".md".length());
    }

    private static Optional<Path> find(Path dir, java.util.function.Predicate<Path> match) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(match).sorted().findFirst();
        }
    }
}
