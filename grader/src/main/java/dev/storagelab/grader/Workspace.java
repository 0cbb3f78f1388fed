package dev.storagelab.grader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A storagelab workspace on disk: the parent pom, and its lab modules in build order. The same
 * class reads the instructor's workspace, a student's submission and the exported release.
 */
public final class Workspace {

    private static final Pattern MODULE = Pattern.compile("<module>\\s*(lab-(\\d\\d)-[A-Za-z0-9-]+)\\s*</module>");
    private static final Pattern LAB_DEPENDENCY =
            Pattern.compile("<artifactId>\\s*(lab-(\\d\\d))-[A-Za-z0-9-]+\\s*</artifactId>");
    private static final String PARENT_ARTIFACT = "<artifactId>storagelab-parent</artifactId>";

    private final Path root;
    private final List<Lab> labs;

    private Workspace(Path root, List<Lab> labs) {
        this.root = root;
        this.labs = labs;
    }

    /**
     * Reads the workspace at {@code root}.
     *
     * @throws IllegalArgumentException if {@code root} holds no storagelab parent pom
     */
    public static Workspace at(Path root) {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException(
                    root + (Files.exists(root) ? " is a file" : " does not exist")
                            + ": a workspace is the folder with storagelab's pom.xml (pass it with --workspace, or run from inside it)");
        }
        Path pom = root.resolve("pom.xml");
        if (!Files.isRegularFile(pom)) {
            throw new IllegalArgumentException(root + " is not a storagelab workspace: it has no pom.xml");
        }
        String text = read(pom);
        if (!text.contains(PARENT_ARTIFACT)) {
            throw new IllegalArgumentException(
                    root + " is not a storagelab workspace: its pom.xml is not storagelab-parent");
        }
        List<Lab> labs = new ArrayList<>();
        Matcher m = MODULE.matcher(text);
        while (m.find()) {
            String directory = m.group(1);
            String id = "lab-" + m.group(2);
            Path labPom = root.resolve(directory).resolve("pom.xml");
            List<String> deps = new ArrayList<>();
            if (Files.isRegularFile(labPom)) {
                Matcher d = LAB_DEPENDENCY.matcher(dependenciesSection(read(labPom)));
                while (d.find()) {
                    if (!d.group(1).equals(id)) {
                        deps.add(d.group(1));
                    }
                }
            }
            labs.add(new Lab(id, directory, List.copyOf(deps)));
        }
        return new Workspace(root.toAbsolutePath().normalize(), Collections.unmodifiableList(labs));
    }

    /** Walks up from {@code start} to the first directory that is a workspace. */
    public static Optional<Workspace> find(Path start) {
        for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            Path pom = p.resolve("pom.xml");
            if (Files.isRegularFile(pom) && read(pom).contains(PARENT_ARTIFACT)) {
                return Optional.of(at(p));
            }
        }
        return Optional.empty();
    }

    private static String dependenciesSection(String pom) {
        int start = pom.indexOf("<dependencies>");
        int end = pom.lastIndexOf("</dependencies>");
        return start >= 0 && end > start ? pom.substring(start, end) : "";
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path root() {
        return root;
    }

    /** The lab modules, in the parent pom's order (which is build order). */
    public List<Lab> labs() {
        return labs;
    }

    /** The lab with id {@code id} ("lab-01", "01" or "1"). */
    public Lab lab(String id) {
        String normalized = normalizeLabId(id);
        return labs.stream()
                .filter(l -> l.id().equals(normalized))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no lab " + id + " in this workspace; labs are "
                        + labs.stream().map(Lab::id).toList()));
    }

    /** "1", "01" and "lab-01" all become "lab-01". */
    public static String normalizeLabId(String id) {
        String s = id.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.startsWith("lab-")) {
            s = s.substring(4);
        }
        if (!s.matches("\\d{1,2}")) {
            throw new IllegalArgumentException("a lab is named like 01 or lab-01: " + id);
        }
        return String.format("lab-%02d", Integer.parseInt(s));
    }

    /**
     * "1", "t1", "T1" and "T01" all become "T1", as the handouts' task tables name a task; any other
     * name ("given", the row of a lab's given code) is kept as it is, for the lab to accept or refuse.
     */
    public static String normalizeTaskId(String id) {
        String s = id.trim();
        return s.matches("[tT]?\\d{1,3}") ? "T" + Integer.parseInt(s.replaceFirst("^[tT]", "")) : s;
    }

    /** {@code lab} and every lab it builds on, transitively, in build order. */
    public List<Lab> withDependencies(Lab lab) {
        List<String> needed = new ArrayList<>();
        collect(lab.id(), needed);
        return labs.stream().filter(l -> needed.contains(l.id())).toList();
    }

    private void collect(String id, List<String> into) {
        if (into.contains(id)) {
            return;
        }
        into.add(id);
        for (String dep : lab(id).dependsOn()) {
            collect(dep, into);
        }
    }
}
