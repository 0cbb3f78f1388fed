package dev.storagelab.workbench;

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
 * The workbench's packages by concern, importing one way (README, Layout): each package may use
 * only the packages before it in {@link #ORDER}; the production peers ({@code peers}, compiled under
 * {@code -Ppeers}) stand on the engines and the arena. No package holds more than {@value #MOST}
 * classes.
 */
class LayoutTest {

    /** The workbench's packages from the ground up: a package imports only from those before it. */
    static final List<String> ORDER = List.of(
            "engines", // every engine the workbench opens, by name, and what each says about itself
            "workloads", // the workloads and the runner that times them
            "arena", // engines compared on equal terms
            "peers", // the production peers (RocksDB, LevelDB, H2, LMDB), under -Ppeers
            "shell", // a shell over one open engine
            "viz", // recorded runs and the viewer
            "data", // the recorded data the notes' figures and tables read
            "tables", // the tables the notes quote
            "figures", // the notes' figures, and ./storagelab figures
            "book", // the notes and handouts as a static site
            "cli"); // the workbench's command line

    /** The most top-level classes one package may hold. */
    static final int MOST = 15;

    private static final String ROOT = "dev.storagelab.workbench";

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
                    .because("the workbench's packages import one way (README, Layout)")
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

    /** The package of {@code c} under the workbench's root, "" for the root itself. */
    private static String pkg(JavaClass c) {
        String name = c.getPackageName();
        return name.equals(ROOT) ? "" : name.substring(ROOT.length() + 1);
    }
}
