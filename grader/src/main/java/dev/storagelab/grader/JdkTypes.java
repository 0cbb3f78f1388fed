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

    /** A member's descriptor that matches a method or a field of its name, whatever its parameters. */
    static final String ANY = "*";

    /**
     * Whether {@code type} itself declares {@code member}: a method with the parameters of the
     * method descriptor {@code desc}, a field ({@code desc} null), or either of that name ({@link
     * #ANY}); false when it cannot be loaded.
     */
    static boolean declares(String type, String member, String desc) {
        String key = desc == null ? member + ":field" : desc.equals(ANY) ? member : member + parameters(desc);
        return DECLARED.computeIfAbsent(type, t -> {
                    Set<String> names = new java.util.HashSet<>();
                    Class<?> c = load(t);
                    if (c != null) {
                        try {
                            for (Method m : c.getDeclaredMethods()) {
                                names.add(m.getName());
                                names.add(m.getName()
                                        + parameters(java.lang.invoke.MethodType.methodType(
                                                        m.getReturnType(), m.getParameterTypes())
                                                .toMethodDescriptorString()));
                            }
                            for (Field f : c.getDeclaredFields()) {
                                names.add(f.getName());
                                names.add(f.getName() + ":field");
                            }
                        } catch (LinkageError e) {
                            // a type whose members cannot be listed declares nothing we can allow through it
                        }
                    }
                    return names;
                })
                .contains(key);
    }

    /** The parameters of a method descriptor: {@code (I)} of {@code (I)V}. */
    private static String parameters(String desc) {
        return desc.substring(0, desc.indexOf(')') + 1);
    }

    /**
     * The type that declares {@code member} ({@code desc} as for {@link #declares}) as {@code owner}
     * has it: {@code owner} itself, or the first of its supertypes, classes before interfaces, that
     * declares it; null when none can be told (a type that cannot be loaded).
     */
    static String declaring(String owner, String member, String desc) {
        for (String t : withSupertypes(owner)) {
            if (declares(t, member, desc)) {
                return t;
            }
        }
        return null;
    }

    /** Whether {@code type} is public (a nested type: declared public), so part of an API; false when it cannot be loaded. */
    static boolean isPublic(String type) {
        Class<?> c = load(type);
        return c != null && java.lang.reflect.Modifier.isPublic(c.getModifiers());
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
