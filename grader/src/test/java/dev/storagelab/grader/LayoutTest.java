package dev.storagelab.grader;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.in;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The grader's packages by concern, importing one way (README, Layout): each package may use only
 * the packages before it in {@link #ORDER}, so a submission's path runs from {@code submission}
 * into its sealed copy and never back, and the trust boundary ({@code sandbox}) depends on no step
 * that runs student code. No package holds more than {@value #MOST} classes.
 */
class LayoutTest {

    /** The grader's packages from the ground up: a package imports only from those before it. */
    static final List<String> ORDER = List.of(
            "policy", // the in-JVM policy's agent, on the boot class path of every JVM that runs lab code
            "runner", // what those JVMs run of the grader: the test runner, the CPU-time profiler
            "workspace", // the instructor's workspace: labs, handouts, rubric, builds, scratch copies
            "release", // the student release: export, regions, update, leak check
            "submission", // a submission read once into its sealed copy
            "sandbox", // the trust boundary: scan, policy, confinement, limits, test users
            "run", // running a lab's hidden tests in test JVMs, and the clocks
            "feedback", // what a student may read of a failure
            "perf", // performance lines: counted and timed, intervals, the JMH runner
            "report", // the grade report and its outputs
            "grade", // grading a submission, and a class
            "bench", // ./storagelab bench and the workbench's verbs
            "check", // ./storagelab test and audit
            "platform", // Gradescope, PrairieLearn, a stopped grading
            "cli"); // ./storagelab

    /** The most top-level classes one package may hold. */
    static final int MOST = 15;

    private static final String ROOT = "dev.storagelab.grader";

    private static JavaClasses classes;

    @BeforeAll
    static void importTheGrader() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void everyPackageHasItsPlaceInTheOrder() {
        for (JavaClass c : classes) {
            assertThat(c.getName() + " is in no package of the layout's order", pkg(c), is(in(ORDER)));
        }
    }

    @Test
    void noPackageImportsFromOneAboveIt() {
        for (int i = 0; i < ORDER.size(); i++) {
            List<String> above = ORDER.subList(i + 1, ORDER.size()).stream()
                    .map(p -> ROOT + "." + p)
                    .toList();
            noClasses()
                    .that()
                    .resideInAPackage(ROOT + "." + ORDER.get(i))
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(above.toArray(String[]::new))
                    .because("the grader's packages import one way (README, Layout)")
                    .check(classes);
        }
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void noPackageHoldsMoreThanFifteenClasses() {
        Map<String, List<String>> byPackage = new TreeMap<>(classes.stream()
                .filter(c -> c.isTopLevelClass() && !c.getSimpleName().equals("package-info"))
                .collect(Collectors.groupingBy(
                        LayoutTest::pkg, Collectors.mapping(JavaClass::getSimpleName, Collectors.toList()))));
        assertThat(byPackage.keySet(), is(not(empty())));
        byPackage.forEach((p, names) -> assertThat(p + " holds " + names, names.size(), lessThanOrEqualTo(MOST)));
    }

    /** The package of {@code c} under the grader's root, "" for the root itself. */
    private static String pkg(JavaClass c) {
        String name = c.getPackageName();
        return name.equals(ROOT) ? "" : name.substring(ROOT.length() + 1);
    }
}
