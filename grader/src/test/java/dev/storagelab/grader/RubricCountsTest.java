package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a counted line says it counts ({@code counts=}): every counted line of the real rubric says
 * what its count covers from the moment the structure is built or opened, and a report reads it
 * with the operations of one counting pass in it.
 */
class RubricCountsTest {

    @TempDir
    Path tmp;

    @Test
    void everyCountedLineOfTheRubricSaysWhatItCountsFromTheBuildOrOpen() {
        Rubric rubric = RubricBonusTest.RUBRIC;
        List<String> silent = new ArrayList<>();
        int counted = 0;
        for (Lab lab : Workspace.at(Fixtures.realWorkspace()).labs()) {
            for (Rubric.PerfBenchmark p : rubric.perf(lab.id())) {
                if (p.counted()) {
                    counted++;
                    if (!p.count().counts().contains("#")) {
                        silent.add(lab.id() + " " + p.name());
                    }
                }
            }
        }
        assertThat("counted lines whose words do not give the operations counted", silent, empty());
        assertThat(counted > 5, equalTo(true));
    }

    @Test
    void aCountedLineReadsWithTheOperationsOfOnePass() {
        Rubric.Count count = new Rubric.Count("deviceBytesRead", "gets", "open and # gets");
        assertThat(count.words(16384), equalTo("device bytes read by open and 16,384 gets, per get"));
        assertThat("before a run", count.words(), equalTo("device bytes read by open and the gets, per get"));
        assertThat(count.perOperation(), equalTo("device bytes read per get"));
    }

    @Test
    void aCountedLineThatDoesNotSayWhatItCountsIsTheRubricsMistake() throws IOException {
        Files.createDirectories(tmp.resolve("grader"));
        Files.writeString(tmp.resolve("pom.xml"), "<artifactId>storagelab-parent</artifactId>\n");
        Files.writeString(tmp.resolve(Rubric.PATH), "perf.lab-01.get = 6 GetBenchmark.get count=deviceReads/gets\n");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> Rubric.of(Workspace.at(tmp)).perf("lab-01"));
        assertThat(e.getMessage(), containsString("counts=open-and-#-gets"));
        Files.writeString(
                tmp.resolve(Rubric.PATH),
                "perf.lab-01.get = 6 GetBenchmark.get count=deviceReads/gets counts=open and gets\n");
        e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> Rubric.of(Workspace.at(tmp)).perf("lab-01"));
        assertThat(
                "a phrase with spaces is cut at its first word",
                e.getMessage(),
                containsString("counts=open must say"));
    }
}
