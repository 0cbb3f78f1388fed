package dev.storagelab.testkit;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A module's packages by concern, importing one way (the README's Layout): under one root, each
 * package uses only the packages before it in an order drawn from the ground up, none is part of a
 * cycle, every class stands in a package of the order, and none holds more than a number of
 * top-level classes. The grader's and the workbench's {@code LayoutTest} inherit these tests, each
 * naming its own order; the module's main classes are imported once for them. Uses ArchUnit and
 * JUnit, which a module whose tests extend this class declares.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class PackageLayout {

    private final String module;
    private final String root;
    private final List<String> order;
    private final int most;
    private final JavaClasses classes;

    /**
     * The layout of {@code module}'s main classes under the package {@code root}: {@code order}
     * names its packages below the root from the ground up, and no package holds more than {@code
     * most} classes.
     */
    protected PackageLayout(String module, String root, List<String> order, int most) {
        this.module = module;
        this.root = root;
        this.order = List.copyOf(order);
        this.most = most;
        this.classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(root);
    }

    /** Every class is in a package of the order: a new package has to be given its place. */
    @Test
    public void everyPackageHasItsPlaceInTheOrder() {
        for (JavaClass c : classes) {
            assertThat(c.getName() + " is in no package of the layout's order", pkg(c), is(in(order)));
        }
    }

    /**
     * No class of a package uses a class of a package after it in the order; a package of the
     * order with no class in this build has nothing to check.
     */
    @Test
    public void noPackageImportsFromOneAboveIt() {
        for (int i = 0; i < order.size(); i++) {
            List<String> above = order.subList(i + 1, order.size()).stream()
                    .map(p -> root + "." + p)
                    .toList();
            noClasses()
                    .that()
                    .resideInAPackage(root + "." + order.get(i))
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(above.toArray(String[]::new))
                    .because("the " + module + "'s packages import one way (README, Layout)")
                    // a package compiled only under a profile (the workbench's peers) may be absent
                    .allowEmptyShould(true)
                    .check(classes);
        }
    }

    /** No two packages under the root use each other, directly or through others. */
    @Test
    public void packagesAreFreeOfCycles() {
        slices().matching(root + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    /** No package holds more top-level classes than the most (its {@code package-info} aside). */
    @Test
    public void noPackageHoldsMoreThanTheMost() {
        Map<String, List<String>> byPackage = new TreeMap<>(classes.stream()
                .filter(c -> c.isTopLevelClass() && !c.getSimpleName().equals("package-info"))
                .collect(Collectors.groupingBy(
                        this::pkg, Collectors.mapping(JavaClass::getSimpleName, Collectors.toList()))));
        assertThat(byPackage.keySet(), is(not(empty())));
        byPackage.forEach((p, names) -> assertThat(p + " holds " + names, names.size(), lessThanOrEqualTo(most)));
    }

    /** The package of {@code c} under the root, "" for the root itself. */
    private String pkg(JavaClass c) {
        String name = c.getPackageName();
        return name.equals(root) ? "" : name.substring(root.length() + 1);
    }
}
