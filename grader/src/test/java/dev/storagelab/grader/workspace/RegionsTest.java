package dev.storagelab.grader.workspace;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The region convention: what the release makes of solution, remove and instructor regions. */
class RegionsTest {

    private static final Lab LAB = new Lab("lab-01", "lab-01-binary-search", List.of());

    @Test
    void solutionRegionBecomesOneThrowNamingLabTaskAndHandoutAnchor() {
        String src = """
                class A {
                    int f(int x) {
                        int y = x + 1;
                        // BEGIN SOLUTION lab-01 T3
                        return y * 2;
                        // END SOLUTION
                    }
                }""";
        Regions.Exported e = Regions.exportJava(src, "A.java", LAB);
        assertThat(
                "the region's lines are replaced by a single throw at the region's indentation",
                e.text(),
                equalTo("""
                class A {
                    int f(int x) {
                        int y = x + 1;
                        throw new dev.storagelab.lab.NotImplementedException("lab-01", "T3", "lab-01-binary-search/README.md#t3");
                    }
                }"""));
        assertThat(e.regions(), hasSize(1));
        assertThat(e.regions().get(0), equalTo(new Regions.Region("A.java", 4, 6, "lab-01", "T3")));
    }

    @Test
    void removeRegionDisappearsEntirely() {
        String src =
                "class A {\n    // BEGIN REMOVE\n    private int helper() { return 1; }\n    // END REMOVE\n    int g() { return 2; }\n}\n";
        String out = Regions.exportJava(src, "A.java", LAB).text();
        assertThat(out, equalTo("class A {\n    int g() { return 2; }\n}\n"));
    }

    @Test
    void regionThatDoesNotEndItsBlockIsRejectedWithFileAndLine() {
        String src =
                "class A {\n  void f() {\n    // BEGIN SOLUTION lab-01 T1\n    int x = 1;\n    // END SOLUTION\n    x++;\n  }\n}";
        Regions.RegionException e =
                assertThrows(Regions.RegionException.class, () -> Regions.exportJava(src, "A.java", LAB));
        assertThat(
                "the exporter must say where and why, or the release will not compile",
                e.getMessage(),
                containsString("A.java:5: a solution region must end its block"));
    }

    @Test
    void unclosedNestedAndForeignRegionsAreRejected() {
        assertThat(
                assertThrows(
                                Regions.RegionException.class,
                                () -> Regions.exportJava("// BEGIN SOLUTION lab-01 T1\nx;\n", "A.java", LAB))
                        .getMessage(),
                containsString("never closed"));
        assertThat(
                assertThrows(
                                Regions.RegionException.class,
                                () -> Regions.exportJava(
                                        "// BEGIN SOLUTION lab-01 T1\n// BEGIN REMOVE\n// END REMOVE\n// END SOLUTION\n}",
                                        "A.java",
                                        LAB))
                        .getMessage(),
                containsString("do not nest"));
        assertThat(
                assertThrows(
                                Regions.RegionException.class,
                                () -> Regions.exportJava(
                                        "// BEGIN SOLUTION lab-02 T1\nx;\n// END SOLUTION\n}", "A.java", LAB))
                        .getMessage(),
                containsString("marked lab-02 but the file is in lab-01-binary-search"));
        assertThat(
                assertThrows(
                                Regions.RegionException.class,
                                () -> Regions.exportJava("// END SOLUTION\n}", "A.java", LAB))
                        .getMessage(),
                containsString("unexpected or malformed region marker"));
    }

    @Test
    void markdownDropsInstructorPartsAndUncommentsStudentParts() {
        String md =
                "# Title\n<!-- BEGIN INSTRUCTOR -->\nsecret\n<!-- END INSTRUCTOR -->\n<!-- BEGIN STUDENT\nhello student\nEND STUDENT -->\nend\n";
        String out = Regions.exportMarkdown(md, "README.md");
        assertThat(out, equalTo("# Title\nhello student\nend\n"));
        assertThat(out, not(containsString("secret")));
    }
}
