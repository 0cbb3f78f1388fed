package dev.storagelab.grader.policy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.TypeResolutionStrategy;
import net.bytebuddy.dynamic.VisibilityBridgeStrategy;
import net.bytebuddy.dynamic.scaffold.InstrumentedType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.matcher.LatentMatcher;
import net.bytebuddy.pool.TypePool;

/**
 * The JDK's classes as the policy rewrites them ({@link PolicyInstaller#rules()}), made once by
 * the grader from the class files of the JDK it runs on, which is the JDK of every JVM it starts
 * (each is started as {@code java.home/bin/java}). {@link PolicyJars} stores them in the agent's
 * jar with the JDK they were made for ({@link PolicyAgent#jdk()}), and the agent of a JVM on that
 * JDK redefines its classes with them, without Byte Buddy. They are what {@link PolicyInstaller}
 * makes in each JVM: the same advice on the same methods, nothing added to a class (no field,
 * method or initialiser), so that a loaded class can be redefined with them.
 */
final class PolicyClassFiles {

    private PolicyClassFiles() {}

    /** One rewritten class: its binary name, its module, whether the policy requires it, its class file. */
    record Rewritten(String type, String module, boolean required, byte[] classFile) {}

    /**
     * Every class of the rules that this JDK has, rewritten; throws when a class the policy
     * requires, or an entry point it names, is not in this JDK, as the agent would in every JVM.
     */
    static List<Rewritten> ofThisJdk() {
        try (SystemModules modules = new SystemModules()) {
            TypePool pool = TypePool.Default.of(modules);
            ByteBuddy byteBuddy = new ByteBuddy()
                    .with(TypeValidation.DISABLED)
                    .with(InstrumentedType.Factory.Default.FROZEN)
                    .with(VisibilityBridgeStrategy.Default.NEVER)
                    .with(Implementation.Context.Disabled.Factory.INSTANCE);
            List<Rewritten> out = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            for (PolicyInstaller.Rule r : PolicyInstaller.rules()) {
                Optional<String> module = modules.moduleOf(r.type());
                TypePool.Resolution found = module.isPresent() ? pool.describe(r.type()) : null;
                if (found == null || !found.isResolved()) {
                    if (r.required()) {
                        missing.add(r.type());
                    }
                    continue;
                }
                TypeDescription type = found.resolve();
                if (r.required()) {
                    Set<String> names = new HashSet<>();
                    for (MethodDescription m : type.getDeclaredMethods()) {
                        names.add(m.getInternalName());
                    }
                    missing.addAll(PolicyInstaller.missing(r, names));
                }
                DynamicType.Builder<?> builder =
                        byteBuddy.redefine(type, modules).ignoreAlso(LatentMatcher.ForSelfDeclaredMethod.NOT_DECLARED);
                for (PolicyInstaller.Point p : r.points()) {
                    builder = builder.visit(Advice.to(p.advice()).on(p.methods()));
                }
                byte[] classFile = builder.make(TypeResolutionStrategy.Disabled.INSTANCE, pool)
                        .getBytes();
                out.add(new Rewritten(r.type(), module.get(), r.required(), classFile));
            }
            if (!missing.isEmpty()) {
                throw PolicyInstaller.notInThisJdk(missing);
            }
            return out;
        }
    }

    /** The class files of this JDK's own modules (its {@code lib/modules}), whether or not this JVM resolved them. */
    private static final class SystemModules implements ClassFileLocator {
        private final Map<String, ModuleReference> byPackage = new HashMap<>();
        private final Map<ModuleReference, ModuleReader> readers = new HashMap<>();

        SystemModules() {
            for (ModuleReference m : ModuleFinder.ofSystem().findAll()) {
                for (String p : m.descriptor().packages()) {
                    byPackage.put(p, m);
                }
            }
        }

        Optional<String> moduleOf(String type) {
            int dot = type.lastIndexOf('.');
            ModuleReference m = byPackage.get(dot < 0 ? "" : type.substring(0, dot));
            return Optional.ofNullable(m).map(r -> r.descriptor().name());
        }

        @Override
        public Resolution locate(String name) throws IOException {
            int dot = name.lastIndexOf('.');
            ModuleReference m = byPackage.get(dot < 0 ? "" : name.substring(0, dot));
            if (m == null) {
                return new Resolution.Illegal(name);
            }
            ModuleReader reader = readers.get(m);
            if (reader == null) {
                reader = m.open();
                readers.put(m, reader);
            }
            Optional<InputStream> in = reader.open(name.replace('.', '/') + ".class");
            if (in.isEmpty()) {
                return new Resolution.Illegal(name);
            }
            try (InputStream classFile = in.get()) {
                return new Resolution.Explicit(classFile.readAllBytes());
            }
        }

        @Override
        public void close() {
            for (ModuleReader r : readers.values()) {
                try {
                    r.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }
}
