package dev.storagelab.grader.platform;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.storagelab.grader.release.Exporter;
import dev.storagelab.grader.workspace.FileTrees;
import dev.storagelab.grader.workspace.Lab;
import dev.storagelab.grader.workspace.Regions;
import dev.storagelab.grader.workspace.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What a PrairieLearn course needs to grade one lab as an externally graded question:
 * <pre>
 * questions/storagelab-lab-NN/
 *   info.json                  the question, with externalGradingOptions (image, entrypoint, timeout)
 *   question.html              the upload element for the files that hold the lab's tasks
 *   clientFilesQuestion/       those files as the student release gives them, to download
 *   tests/files.txt            where each uploaded file goes in the workspace
 *   tests/packages.txt         the lab's packages that hold tasks: where a class of the student's own goes
 * grader-image/
 *   Dockerfile                 a JDK 25 base, Maven, the workspace and its reference built offline
 *   run_grader                 the entrypoint: grades /grade/student, writes /grade/results/results.json
 *   source/                    Gradescope's layout: setup.sh and the instructor's workspace
 * </pre>
 * The image runs the same {@code setup.sh} as the Gradescope zip, and the entrypoint the same
 * grading step as {@code run_autograder} ({@link GradescopePackage#gradeStep}): one grader, one
 * results model, PrairieLearn's writer ({@code prairielearn.json}). The image holds the hidden
 * tests: it goes to the course's image registry, never to students.
 */
public final class PrairieLearnPackage {

    /** The image's tag in the instructions and in info.json. */
    public static final String IMAGE = "storagelab-grader";
    /** Where the image keeps Gradescope's layout: {@code source/storagelab} and {@code reference-build}. */
    static final String IMAGE_ROOT = "/opt/storagelab";
    /** PrairieLearn's limit on an external grading job, in seconds. */
    static final int TIMEOUT = 600;
    /**
     * The base image: plain JDK 25 (the current long-term release; setup.sh takes 17, 21 or 25, and the
     * in-JVM policy stands on each).
     */
    static final String BASE = "eclipse-temurin:25-jdk-noble";

    private static final Gson GSON =
            new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private PrairieLearnPackage() {}

    /** What was written. */
    public record Summary(Path question, Path image, List<String> files) {}

    /** Writes the question of {@code labId} and the grader image's build folder into {@code out}. */
    public static Summary write(Workspace workspace, String labId, Path out) throws IOException {
        Lab lab = workspace.lab(labId);
        Map<String, String> files = studentFiles(workspace, lab); // upload name -> path in the workspace
        Path question = out.resolve("questions").resolve("storagelab-" + lab.id());
        FileTrees.deleteRecursively(question);
        Files.createDirectories(question.resolve("tests"));

        Map<String, Object> grading = new LinkedHashMap<>();
        grading.put("enabled", true);
        grading.put("image", IMAGE);
        grading.put(
                "entrypoint", IMAGE_ROOT + "/run_grader " + String.format(java.util.Locale.ROOT, "%02d", lab.number()));
        grading.put("timeout", TIMEOUT);
        grading.put("enableNetworking", false);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put(
                "uuid",
                UUID.nameUUIDFromBytes(("storagelab " + lab.id()).getBytes(StandardCharsets.UTF_8))
                        .toString());
        info.put("title", "storagelab " + lab.id() + ": " + handoutTitle(workspace, lab));
        info.put("topic", "storagelab");
        info.put("tags", List.of("storagelab", lab.id()));
        info.put("type", "v3");
        info.put("gradingMethod", "External");
        info.put("singleVariant", true);
        info.put("externalGradingOptions", grading);
        Files.writeString(question.resolve("info.json"), GSON.toJson(info) + "\n", StandardCharsets.UTF_8);

        StringBuilder manifest = new StringBuilder();
        files.forEach(
                (name, path) -> manifest.append(name).append('\t').append(path).append('\n'));
        Files.writeString(question.resolve("tests/files.txt"), manifest.toString(), StandardCharsets.UTF_8);
        StringBuilder packages = new StringBuilder();
        studentPackages(files)
                .forEach((pkg, dir) ->
                        packages.append(pkg).append('\t').append(dir).append('\n'));
        Files.writeString(question.resolve("tests/packages.txt"), packages.toString(), StandardCharsets.UTF_8);

        // The files as the release gives them (their tasks not implemented), for a first download.
        Path release = FileTrees.temporaryFolder("storagelab-pl-release");
        try {
            new Exporter(workspace).export(release.resolve("r"));
            Path client = Files.createDirectories(question.resolve("clientFilesQuestion"));
            for (Map.Entry<String, String> f : files.entrySet()) {
                Files.copy(release.resolve("r").resolve(f.getValue()), client.resolve(f.getKey()));
            }
        } finally {
            FileTrees.deleteRecursively(release);
        }
        Files.writeString(question.resolve("question.html"), questionHtml(lab, files), StandardCharsets.UTF_8);

        Path image = out.resolve("grader-image");
        FileTrees.deleteRecursively(image);
        Path source = Files.createDirectories(image.resolve("source"));
        Files.writeString(source.resolve("setup.sh"), GradescopePackage.setupScript(List.of()), StandardCharsets.UTF_8);
        for (Path p : GradescopePackage.workspaceFiles(workspace)) {
            Path dest = source.resolve("storagelab")
                    .resolve(workspace.root().relativize(p).toString());
            Files.createDirectories(dest.getParent());
            Files.copy(p, dest);
        }
        Path launcher = source.resolve("storagelab/storagelab");
        if (Files.exists(launcher)) {
            launcher.toFile().setExecutable(true, false);
        }
        Files.writeString(image.resolve("run_grader"), entrypoint(), StandardCharsets.UTF_8);
        image.resolve("run_grader").toFile().setExecutable(true, false);
        Files.writeString(image.resolve("Dockerfile"), dockerfile(), StandardCharsets.UTF_8);
        return new Summary(question, image, List.copyOf(files.keySet()));
    }

    /**
     * The files of {@code lab} that hold its tasks, by the name a student uploads them under
     * (PrairieLearn keeps an upload's name, not its folder), in name order.
     */
    static Map<String, String> studentFiles(Workspace workspace, Lab lab) throws IOException {
        Map<String, String> byName = new TreeMap<>();
        Path sources = workspace.root().resolve(lab.studentSources());
        List<Path> java;
        try (var walk = Files.walk(sources)) {
            java = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        for (Path p : java) {
            String rel = workspace.root().relativize(p).toString();
            if (Regions.find(Files.readString(p), rel, lab).isEmpty()) {
                continue;
            }
            String name = p.getFileName().toString();
            String before = byName.put(name, rel);
            if (before != null) {
                throw new IllegalStateException(lab.id() + " has two files named " + name + " that hold tasks ("
                        + before + ", " + rel + "); PrairieLearn keeps an upload's name only, so rename one");
            }
        }
        if (byName.isEmpty()) {
            throw new IllegalArgumentException(
                    lab.id() + " has no file with a task (// BEGIN SOLUTION " + lab.id() + ") to upload");
        }
        return byName;
    }

    /**
     * The packages of the files that hold tasks (the handouts' "You may add classes of your own"),
     * each with its folder in the workspace: where the entrypoint puts an extra {@code .java} upload
     * whose {@code package} line names it.
     */
    static Map<String, String> studentPackages(Map<String, String> files) {
        Map<String, String> packages = new TreeMap<>();
        for (String path : files.values()) {
            String dir = path.substring(0, path.lastIndexOf('/'));
            String pkg = dir.substring(dir.indexOf("src/main/java/") + "src/main/java/".length())
                    .replace('/', '.');
            packages.put(pkg, dir);
        }
        return packages;
    }

    private static String handoutTitle(Workspace workspace, Lab lab) throws IOException {
        Path handout = workspace.root().resolve(lab.directory()).resolve("README.md");
        if (!Files.isRegularFile(handout)) {
            return lab.directory();
        }
        String first = Files.readAllLines(handout, StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("# "))
                .findFirst()
                .orElse("# " + lab.directory());
        return first.substring(2).replaceFirst("^" + lab.id() + "\\s+", "").strip();
    }

    static String questionHtml(Lab lab, Map<String, String> files) {
        StringBuilder links = new StringBuilder();
        for (Map.Entry<String, String> f : files.entrySet()) {
            links.append("    <li><a href=\"{{options.client_files_question_url}}/")
                    .append(f.getKey())
                    .append("\" download>")
                    .append(f.getKey())
                    .append("</a> (<code>")
                    .append(f.getValue())
                    .append("</code>)</li>\n");
        }
        return """
                <pl-question-panel>
                  <p>Upload the files of %s that hold your work on its tasks (the handout, <code>%s/README.md</code>, says
                  which task is in which file), and any class of your own they use: its <code>package</code> line must name
                  one of the lab's packages (%s). Each submission is graded with the lab's hidden tests and, once every test
                  passes, its performance benchmarks against the reference; the results say what each failing test checks.</p>
                  <p>The files as the release gives them:</p>
                  <ul>
                %s  </ul>
                </pl-question-panel>

                <pl-file-upload file-names="%s" optional-file-patterns="*.java"></pl-file-upload>

                <pl-submission-panel>
                  <pl-external-grader-results></pl-external-grader-results>
                  <pl-file-preview></pl-file-preview>
                </pl-submission-panel>
                """.formatted(
                        lab.id(),
                        lab.directory(),
                        String.join(", ", studentPackages(files).keySet()),
                        links,
                        String.join(", ", files.keySet()));
    }

    static String entrypoint() {
        return """
                #!/usr/bin/env bash
                # PrairieLearn runs this in the grader image for every submission, offline: run_grader NN grades lab NN.
                # GRADE_ROOT (default /grade) and STORAGELAB_ROOT (default %s: Gradescope's layout, source/storagelab
                # and reference-build/, made by setup.sh when the image was built) let it run in a copy of those layouts.
                set -uo pipefail
                GRADE="${GRADE_ROOT:-/grade}"
                ROOT="${STORAGELAB_ROOT:-%s}"
                LAB="${1:?usage: run_grader NN (the lab)}"
                mkdir -p "$GRADE/results"
                work="$(mktemp -d "${TMPDIR:-/tmp}/storagelab-grade.XXXXXX")"
                trap 'rm -rf "$work"' EXIT   # whatever way it ends, a grading leaves nothing behind
                # PrairieLearn saves each upload under its own name in $GRADE/student; the question's tests/files.txt
                # says where in the workspace each one goes. Nothing else of the upload is read.
                found=0
                while IFS=$'\\t' read -r name path; do
                  if [ -f "$GRADE/student/$name" ]; then
                    mkdir -p "$work/submission/$(dirname "$path")"
                    cp "$GRADE/student/$name" "$work/submission/$path"
                    found=$((found + 1))
                  fi
                done < "$GRADE/tests/files.txt"
                # Any other .java upload is a class of the student's own: it goes to the folder of the package its
                # package line names, if that is one of the lab's (tests/packages.txt); the grader takes from it only
                # what a submission may hold. Its name must be a class's and may not be a task file's.
                for f in "$GRADE"/student/*.java; do
                  [ -f "$f" ] || continue
                  name="$(basename "$f")"
                  if cut -f1 "$GRADE/tests/files.txt" | grep -qxF "$name"; then continue; fi
                  if ! printf '%%s' "$name" | grep -qE '^[A-Za-z_][A-Za-z0-9_]*[.]java$'; then
                    echo "ignored $name: not the name of a Java class" >&2
                    continue
                  fi
                  pkg="$(sed -nE 's/^[[:space:]]*package[[:space:]]+([A-Za-z0-9_.]+)[[:space:]]*;.*/\\1/p' "$f" | head -n 1)"
                  dir="$(awk -F'\\t' -v p="$pkg" '$1 == p { print $2 }' "$GRADE/tests/packages.txt")"
                  if [ -z "$pkg" ] || [ -z "$dir" ]; then
                    echo "ignored $name: its package ($pkg) is not one of the lab's" >&2
                    continue
                  fi
                  mkdir -p "$work/submission/$dir"
                  cp "$f" "$work/submission/$dir/$name"
                done
                if [ "$found" -eq 0 ]; then
                  line="No file of lab $LAB was submitted: upload $(cut -f1 "$GRADE/tests/files.txt" | paste -sd ' ')."
                  printf '{"gradable": false, "score": 0, "format_errors": ["%%s"], "message": "%%s", "tests": []}\\n' "$line" "$line" \\
                    > "$GRADE/results/results.json"
                  exit 0
                fi
                cd "$ROOT/source/storagelab"
                %s
                cp "$work/out/%s" "$GRADE/results/results.json" 2>/dev/null \\
                  || printf '{"gradable": false, "score": 0, "message": "The grader could not run (exit status %%s). Please tell your instructor.", "tests": []}\\n' "$status" > "$GRADE/results/results.json"
                """.formatted(
                IMAGE_ROOT,
                IMAGE_ROOT,
                GradescopePackage.gradeStep(
                        "\"$work/submission\"", List.of("\"$LAB\""), "\"$ROOT/reference-build\"", "\"$work/out\""),
                dev.storagelab.grader.report.ReportWriter.PRAIRIELEARN);
    }

    static String dockerfile() {
        return """
                # The storagelab grader image for PrairieLearn's external grading. Build it where the course's images
                # are built, e.g.  docker build -t %s .  and push it under the name info.json gives.
                # It holds the hidden tests: keep it in the course's private registry.
                FROM %s
                # setup.sh is the Gradescope autograder's: it installs Maven (the base has the JDK), primes an offline
                # Maven repository, builds the grader and the reference of every lab, and makes the workspace private.
                COPY source %s/source
                RUN AUTOGRADER_ROOT=%s bash %s/source/setup.sh
                COPY run_grader %s/run_grader
                RUN chmod 755 %s/run_grader
                """.formatted(IMAGE, BASE, IMAGE_ROOT, IMAGE_ROOT, IMAGE_ROOT, IMAGE_ROOT, IMAGE_ROOT);
    }
}
