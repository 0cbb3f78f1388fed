package dev.storagelab.grader.policy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy's jars as {@link PolicyJars} writes them: the one on the boot class path holds every
 * class the policy's entry points reach ({@link LabPolicy} and what it calls, however it is split),
 * and nothing else; and those classes use nothing but the JDK.
 */
class PolicyJarsTest {

    private static final String PACKAGE = LabPolicy.class.getPackageName();

    @TempDir
    Path tmp;

    @Test
    void theBootJarHoldsEveryClassThePolicyReachesAndNothingElse() throws IOException {
        Path agent = PolicyJars.write(tmp);
        Set<String> boot = new TreeSet<>();
        try (JarFile jar = new JarFile(agent.resolveSibling(PolicyJars.BOOT).toFile())) {
            jar.stream()
                    .map(JarEntry::getName)
                    .filter(n -> n.endsWith(".class"))
                    .forEach(n -> boot.add(
                            n.substring(0, n.length() - ".class".length()).replace('/', '.')));
        }
        JavaClasses grader = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(PACKAGE);
        Set<String> reached = new TreeSet<>();
        Set<String> notTheJdk = new TreeSet<>();
        Deque<JavaClass> todo = new ArrayDeque<>();
        todo.add(grader.get(LabPolicy.class));
        while (!todo.isEmpty()) {
            JavaClass c = todo.poll();
            if (!reached.add(c.getName())) {
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                JavaClass target = d.getTargetClass().getBaseComponentType();
                if (target.getPackageName().equals(PACKAGE)) {
                    todo.add(target);
                } else if (!target.isPrimitive() && !target.getName().startsWith("java.")) {
                    notTheJdk.add(c.getName() + " uses " + target.getName());
                }
            }
        }
        assertThat(reached, hasItem(PACKAGE + ".Callers"));
        assertThat("the classes the policy reaches are on the boot class path, and no others", boot, is(reached));
        assertThat("the policy on the boot class path uses only the JDK", notTheJdk, is(empty()));
    }
}
