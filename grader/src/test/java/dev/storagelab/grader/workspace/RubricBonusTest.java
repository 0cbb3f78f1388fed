package dev.storagelab.grader.workspace;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

import dev.storagelab.grader.grade.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rubric's bonus classes ({@code bonus.tests}) and the hidden tests' concepts agree: a lab's
 * performance points do not wait for a bonus task, so a class listed by mistake would let them skip
 * a required test, and a bonus left out would hold them back for a task the student may skip.
 */
class RubricBonusTest {

    static final Rubric RUBRIC = Rubric.of(Workspace.at(Fixtures.realWorkspace()));
    /** A test's concept, from its {@code @Graded} annotation (the first 60 characters are enough here). */
    static final Pattern GRADED = Pattern.compile("@Graded\\([^)]*?concept = \"([^\"]{0,60})");

    @Test
    void everyHiddenTestIsListedAsBonusExactlyWhenItsConceptSaysBonus() throws IOException {
        List<String> wrong = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Fixtures.realWorkspace())) {
            for (Path f : files.filter(p -> p.toString().contains("/src/hidden/java/")
                            && p.toString().endsWith(".java"))
                    .toList()) {
                String source = Files.readString(f, StandardCharsets.UTF_8);
                String className = f.toString()
                        .replaceAll(".*/src/hidden/java/", "")
                        .replace(".java", "")
                        .replace('/', '.');
                Matcher m = GRADED.matcher(source);
                while (m.find()) {
                    boolean saysBonus = m.group(1).contains("bonus");
                    if (saysBonus != RUBRIC.isBonus(className + "#aTest")) {
                        wrong.add(className + ": concept '" + m.group(1) + "...' but " + (saysBonus ? "not" : "")
                                + " in bonus.tests");
                    }
                }
            }
        }
        assertThat("hidden tests whose concept and the rubric's bonus.tests disagree", wrong, empty());
    }

    @Test
    void aBonusIsNamedByItsWholeClassNotAPrefixOfAnother() {
        assertThat(RUBRIC.isBonus("dev.storagelab.btree.hidden.PoolIoHiddenTest#aFailedReadUnpins"), is(true));
        assertThat(RUBRIC.isBonus("dev.storagelab.btree.hidden.PoolIoHiddenTestMore#x"), is(false));
        assertThat(RUBRIC.isBonus("dev.storagelab.btree.hidden.BufferPoolHiddenTest#x"), is(false));
    }
}
