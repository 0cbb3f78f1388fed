package dev.storagelab.grader.grade;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every planted submission (the bugs of {@code notes/figures/bug_fixtures.sh}, the costly, uncounted
 * and hanging ones) still applies to the workspace as it is: a change to a lab's code that moves
 * the lines a patch plants its bug in fails here, in seconds, rather than in a slow script or proof
 * that grades the fixture. Each patch is applied to a copy of the files it changes.
 */
class PlantedPatchesTest {

    @TempDir
    Path tmp;

    @Test
    void everyPlantedPatchAppliesToTheWorkspace() throws Exception {
        Path root = Fixtures.realWorkspace();
        List<Path> patches;
        try (Stream<Path> files = Files.walk(Fixtures.resources())) {
            patches = files.filter(p -> p.getFileName().toString().endsWith(".patch"))
                    .sorted()
                    .toList();
        }
        assertThat(patches.size(), greaterThan(0));
        List<String> broken = new ArrayList<>();
        int n = 0;
        for (Path patch : patches) {
            Path dir = tmp.resolve("p" + n++);
            for (String f : Fixtures.patchedFiles(patch)) {
                Files.createDirectories(dir.resolve(f).getParent());
                if (Files.exists(root.resolve(f))) {
                    Files.copy(root.resolve(f), dir.resolve(f));
                }
            }
            try {
                Fixtures.applyPatch(patch, dir);
            } catch (java.io.IOException e) {
                broken.add(Fixtures.resources().relativize(patch) + ": " + e.getMessage());
            }
        }
        assertThat("re-plant each against the lab's code as it is now", broken, empty());
    }
}
