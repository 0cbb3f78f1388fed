package dev.storagelab.grader.platform;

import dev.storagelab.grader.workspace.Workspace;
import dev.storagelab.grader.workspace.WorkspaceCopies;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds the autograder zip Gradescope expects: {@code setup.sh} (installs a JDK, 17, 21 or 25,
 * and Maven where missing, primes the Maven cache by building the reference), {@code run_autograder} (grades
 * {@code /autograder/submission} and writes {@code /autograder/results/results.json}), and the
 * instructor's workspace, hidden tests included, under {@code storagelab/}. The zip never leaves
 * instructor hands: Gradescope keeps it from students. Entries are sorted and time-stamped with a
 * fixed date, so the same workspace gives the same zip.
 */
public final class GradescopePackage {

    private static final FileTime EPOCH = FileTime.fromMillis(315532800000L); // 1980-01-01, zip's epoch

    private GradescopePackage() {}

    private static String labArgs(List<String> labs) {
        StringBuilder labArgs = new StringBuilder();
        for (String lab : labs) {
            labArgs.append(" --lab ").append(lab);
        }
        return labArgs.toString();
    }

    static String setupScript(List<String> labs) {
        return """
                #!/usr/bin/env bash
                # Gradescope runs this once, as root, when it builds the autograder image. AUTOGRADER_ROOT
                # (default /autograder) lets the same script run in a copy of that layout.
                set -euxo pipefail
                ROOT="${AUTOGRADER_ROOT:-/autograder}"
                # A JDK the grader supports (17, 21 or 25: its in-JVM policy runs on each) and Maven; what is
                # missing comes from the distribution's own packages: its JDK 21 where it has one (Debian 13,
                # Ubuntu), else its 25 or 17.
                jdk() { java -version 2>&1 | head -n1 | grep -Eo 'version "(17|21|25)([."]|$)' | grep -Eo '[0-9]+'; }
                if [ -n "$(jdk)" ] && command -v mvn > /dev/null; then
                  echo "JDK $(jdk) and Maven are already installed"
                else
                  export DEBIAN_FRONTEND=noninteractive
                  apt-get update
                  packages=""
                  if [ -z "$(jdk)" ]; then
                    for v in 21 25 17; do
                      if apt-cache show "openjdk-$v-jdk-headless" > /dev/null 2>&1; then
                        packages="openjdk-$v-jdk-headless"
                        break
                      fi
                    done
                    if [ -z "$packages" ]; then
                      echo "setup.sh: this distribution offers no JDK 17, 21 or 25 (openjdk-NN-jdk-headless); use a base image that has one" >&2
                      exit 1
                    fi
                  fi
                  command -v mvn > /dev/null || packages="$packages maven"
                  apt-get install -y --no-install-recommends $packages
                  rm -rf /var/lib/apt/lists/*
                  echo "installed $packages: $(java -version 2>&1 | head -n1)"
                fi
                chmod +x "$ROOT/source/run_autograder" "$ROOT/run_autograder" 2>/dev/null || true
                cd "$ROOT/source/storagelab"
                chmod +x storagelab
                # Prime the Maven cache (the graded runs are offline) and build the grader.
                mvn -B -q ${STORAGELAB_MAVEN_ARGS:-} -DskipTests -Denforcer.skip=true -Dstyle.color=never package
                mvn -B -q ${STORAGELAB_MAVEN_ARGS:-} -DskipTests dependency:go-offline || true
                ./storagelab --help > /dev/null
                # Build the reference once, here: every submission then compiles only its own labs.
                ./storagelab grade --reference-build "$ROOT/reference-build" --prepare%s
                # The hidden tests' sources are in the workspace: no other user (a confined test JVM
                # runs as one) may read it.
                chmod -R go-rwx "$ROOT/source"
                """.formatted(labArgs(labs));
    }

    /** The seconds the grader gives itself by default: under Gradescope's and PrairieLearn's 600 s, with room to write. */
    static final int TIME_LIMIT = 540;

    static String runScript(List<String> labs) {
        return """
                #!/usr/bin/env bash
                # Gradescope runs this for every submission, offline. AUTOGRADER_ROOT: see setup.sh.
                set -uo pipefail
                ROOT="${AUTOGRADER_ROOT:-/autograder}"
                cd "$ROOT/source/storagelab"
                mkdir -p "$ROOT/results"
                rm -rf "$ROOT/grade-output"
                %s
                cp "$ROOT/grade-output/results.json" "$ROOT/results/results.json" 2>/dev/null \\
                  || printf '{"score": 0, "output": "The grader could not run (exit status %%s). Please tell your instructor.", "tests": []}\\n' "$status" > "$ROOT/results/results.json"
                """.formatted(
                        gradeStep("\"$ROOT/submission\"", labs, "\"$ROOT/reference-build\"", "\"$ROOT/grade-output\""));
    }

    /**
     * The lines of a platform's script that grade {@code submission} into {@code out} and always
     * leave results there: the grader stops itself at {@code STORAGELAB_TIME_LIMIT} seconds (default
     * {@value #TIME_LIMIT}) keeping what it graded, a timeout 30 s later stops it if it did not, and
     * when the grader was stopped from outside (the container's memory, that timeout) grade-stopped
     * puts the reason on the results' first line, keeping the points of the labs it finished. Sets
     * {@code status} to the grader's exit status.
     */
    static String gradeStep(String submission, List<String> labs, String referenceBuild, String out) {
        return """
                # The platform stops a run at its timeout (600 s) and keeps nothing: the grader stops first.
                LIMIT="${STORAGELAB_TIME_LIMIT:-%d}"
                start=$(date +%%s)
                # Every wall up, or no grade: --require-walls (STORAGELAB_REQUIRE_WALLS=no leaves it out).
                walls=(--require-walls)
                [ "${STORAGELAB_REQUIRE_WALLS:-yes}" = no ] && walls=()
                timeout --kill-after=15 "$((LIMIT + 30))" ./storagelab grade %s%s --offline --reference-build %s \\
                    --out %s --time-limit "$LIMIT" "${walls[@]}"
                status=$?
                if [ "$status" -ne 0 ] && [ "$status" -ne 2 ] || [ ! -f %s/results.json ]; then
                  timed_out=()
                  if [ "$status" -eq 124 ] || [ $(( $(date +%%s) - start )) -ge $((LIMIT + 30)) ]; then
                    timed_out=(--timed-out "$LIMIT")
                  fi
                  JDK_JAVA_OPTIONS=-Xmx64m ./storagelab grade-stopped --out %s --status "$status" "${timed_out[@]}"
                fi""".formatted(TIME_LIMIT, submission, labArgs(labs), referenceBuild, out, out, out)
                .strip();
    }

    /** Writes the zip for {@code labs} (empty: every lab) to {@code zip}. */
    public static int write(Workspace workspace, List<String> labs, Path zip) throws IOException {
        for (String lab : labs) {
            workspace.lab(lab); // fail early on an unknown lab
        }
        if (zip.getParent() != null) {
            Files.createDirectories(zip.getParent());
        }
        int entries = 0;
        try (OutputStream raw = Files.newOutputStream(zip);
                ZipOutputStream out = new ZipOutputStream(raw)) {
            entries += put(out, "setup.sh", setupScript(labs).getBytes(StandardCharsets.UTF_8));
            entries += put(out, "run_autograder", runScript(labs).getBytes(StandardCharsets.UTF_8));
            for (Path p : workspaceFiles(workspace)) {
                entries += put(out, "storagelab/" + workspace.root().relativize(p), Files.readAllBytes(p));
            }
        }
        return entries;
    }

    /** The instructor's workspace as the platforms get it: every file but build output, VCS data and results, sorted. */
    static List<Path> workspaceFiles(Workspace workspace) throws IOException {
        try (var walk = Files.walk(workspace.root())) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> !WorkspaceCopies.isGenerated(workspace.root().relativize(p)))
                    .sorted()
                    .toList();
        }
    }

    private static int put(ZipOutputStream out, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setLastModifiedTime(EPOCH);
        out.putNextEntry(e);
        out.write(data);
        out.closeEntry();
        return 1;
    }
}
