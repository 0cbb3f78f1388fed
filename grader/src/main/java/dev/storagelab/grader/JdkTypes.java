package dev.storagelab.grader;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the grader's own JVM can tell about a JDK or library type that student code uses: its
 * supertypes, and whether it declares a member. Types it cannot load (not in the JDK, Guava or
 * Commons Codec) are judged by their name alone.
 */
final class JdkTypes {

    private JdkTypes() {}

    private static final Map<String, List<String>> SUPERTYPES = new ConcurrentHashMap<>();
    private static final Map<String, Set<String>> DECLARED = new ConcurrentHashMap<>();

    /** {@code type} first, then every class it extends and interface it implements. */
    static List<String> withSupertypes(String type) {
        return SUPERTYPES.computeIfAbsent(type, t -> {
            Set<String> out = new LinkedHashSet<>();
            out.add(t);
            Class<?> c = load(t);
            if (c != null) {
                collect(c, out);
            }
            return List.copyOf(out);
        });
    }

    /** Whether {@code type} itself declares a method or field named {@code member}; false when it cannot be loaded. */
    static boolean declares(String type, String member) {
        return DECLARED.computeIfAbsent(type, t -> {
                    Set<String> names = new java.util.HashSet<>();
                    Class<?> c = load(t);
                    if (c != null) {
                        try {
                            for (Method m : c.getDeclaredMethods()) {
                                names.add(m.getName());
                            }
                            for (Field f : c.getDeclaredFields()) {
                                names.add(f.getName());
                            }
                        } catch (LinkageError e) {
                            // a type whose members cannot be listed declares nothing we can allow through it
                        }
                    }
                    return names;
                })
                .contains(member);
    }

    private static Class<?> load(String internalName) {
        String name = internalName.replace('/', '.');
        if (!(name.startsWith("java.")
                || name.startsWith("javax.")
                || name.startsWith("com.google.common.")
                || name.startsWith("org.apache.commons."))) {
            return null;
        }
        try {
            return Class.forName(name, false, JdkTypes.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private static void collect(Class<?> c, Set<String> out) {
        if (c == null) {
            return;
        }
        out.add(c.getName().replace('.', '/'));
        collect(c.getSuperclass(), out);
        for (Class<?> i : c.getInterfaces()) {
            collect(i, out);
        }
    }
}
