package dev.storagelab.grader.policy;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassDefinition;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The in-JVM policy's agent, named on the command line of every JVM that runs lab code
 * ({@code -javaagent:storagelab-policy-agent.jar}), so that it is in force before the first class
 * of the submission loads. Its jar's manifest puts {@link LabPolicy} on the boot class path.
 *
 * <p>The jar holds the JDK's classes already rewritten by the grader ({@link PolicyClassFiles}),
 * with the JDK they were made for: on that JDK this class redefines the JDK's classes with them,
 * which takes a few milliseconds, and loads no Byte Buddy. On another JDK it loads the installer
 * and Byte Buddy from the installer jar beside it, in a class loader of their own, and lets them
 * rewrite the JDK in this JVM ({@link PolicyInstaller}), which takes most of a second. Whatever
 * goes wrong here stops the JVM: the JVM does not start without its policy. The grader writes the
 * jars ({@link PolicyJars}); they are read-only to the users that run lab code, and nothing here
 * reads a file lab code could write.
 */
public final class PolicyAgent {

    private PolicyAgent() {}

    /** The JVM calls this before {@code main}. */
    public static void premain(String args, Instrumentation instrumentation) throws Exception {
        if (LabPolicy.inForce()) {
            // Named twice, as in a JMH fork (once by JDK_JAVA_OPTIONS, once among the flags JMH passes
            // on from its own JVM): the first put the whole policy in place, or the JVM did not start.
            return;
        }
        Path jar = Path.of(PolicyAgent.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        if (!jar.getFileName().toString().equals(PolicyJars.AGENT)) {
            // The JVM appends the agent's jar to the class path: a copy of this class earlier on it wins.
            throw new IllegalStateException("the policy's agent started from " + jar + ", not from its jar "
                    + PolicyJars.AGENT + ": a JVM with the policy must not have the grader's policy classes on its"
                    + " class path (give it the runner's classes alone)");
        }
        openTheJdkToThePolicy(instrumentation);
        List<Stored> stored = stored(jar);
        if (stored != null) {
            install(instrumentation, stored);
            return;
        }
        URL installer = jar.resolveSibling(PolicyJars.INSTALLER).toUri().toURL();
        // Kept open for the life of the JVM: the installer's transformer rewrites classes that load later.
        @SuppressWarnings("resource")
        URLClassLoader loader = new URLClassLoader(new URL[] {installer}, ClassLoader.getPlatformClassLoader());
        loader.loadClass("dev.storagelab.grader.policy.PolicyInstaller") // not on this class's class path
                .getMethod("install", Instrumentation.class)
                .invoke(null, instrumentation);
    }

    /**
     * Exports {@value LabPolicy#REFLECTION}'s package of the JDK to the policy's module (the boot
     * class path's, where nothing but the policy's jar is), so that the policy can hide its fields
     * from reflection as it starts: to no other module.
     */
    static void openTheJdkToThePolicy(Instrumentation instrumentation) {
        Module base = Object.class.getModule();
        Module policy = LabPolicy.class.getModule();
        String reflection = LabPolicy.REFLECTION.substring(0, LabPolicy.REFLECTION.lastIndexOf('.'));
        if (!base.isExported(reflection, policy)) {
            instrumentation.redefineModule(
                    base, Set.of(), Map.of(reflection, Set.of(policy)), Map.of(), Set.of(), Map.of());
        }
    }

    /**
     * The JDK this JVM runs on, exactly: its folder, its version, and the size and time of its
     * modules image (the class files themselves), so that a JDK updated in place is another JDK.
     */
    static String jdk() {
        // No string concatenation on the way to the policy: its first use costs a JVM tens of milliseconds.
        String home = System.getProperty("java.home");
        File image = new File(new File(home, "lib"), "modules");
        return new StringBuilder("java.home ")
                .append(home)
                .append("\nversion ")
                .append(version(Runtime.version()))
                .append("\nlib/modules ")
                .append(image.length())
                .append(" bytes, modified ")
                .append(image.lastModified())
                .append('\n')
                .toString();
    }

    /** {@code v} as {@link Runtime.Version#toString()} writes it, which uses streams (costly at start). */
    private static String version(Runtime.Version v) {
        StringBuilder s = new StringBuilder();
        for (Integer n : v.version()) {
            s.append(s.length() == 0 ? "" : ".").append(n);
        }
        if (v.pre().isPresent()) {
            s.append('-').append(v.pre().get());
        }
        if (v.build().isPresent()) {
            s.append('+').append(v.build().get());
        }
        if (v.optional().isPresent()) {
            s.append(v.pre().isPresent() || v.build().isPresent() ? "-" : "+-")
                    .append(v.optional().get());
        }
        return s.toString();
    }

    /** A rewritten class of the agent's jar, and the module it is in, in this JVM. */
    private static final class Stored {
        final String type;
        final String internalName;
        final String moduleName;
        final boolean required;
        final byte[] classFile;
        Module module;

        Stored(String type, String moduleName, boolean required, byte[] classFile) {
            this.type = type;
            this.internalName = type.replace('.', '/');
            this.moduleName = moduleName;
            this.required = required;
            this.classFile = classFile;
        }
    }

    /** The rewritten classes stored in {@code jar}, if they were made for this JVM's JDK; otherwise null. */
    private static List<Stored> stored(Path jar) throws IOException {
        try (JarFile in = new JarFile(jar.toFile(), false)) {
            JarEntry made = in.getJarEntry(PolicyJars.STORED_JDK);
            if (made == null || !new String(read(in, PolicyJars.STORED_JDK), StandardCharsets.UTF_8).equals(jdk())) {
                return null;
            }
            List<Stored> out = new ArrayList<>();
            for (String line : new String(read(in, PolicyJars.STORED_INDEX), StandardCharsets.UTF_8).split("\n")) {
                String[] f = line.split(" ");
                if (f.length != 3) {
                    throw new IllegalStateException(
                            jar + " is damaged: a line of " + PolicyJars.STORED_INDEX + " reads " + line);
                }
                byte[] classFile = read(
                        in, PolicyJars.STORED.concat(f[2].replace('.', '/')).concat(".class"));
                out.add(new Stored(f[2], f[0], f[1].equals("required"), classFile));
            }
            return out;
        }
    }

    private static byte[] read(JarFile jar, String name) throws IOException {
        JarEntry e = jar.getJarEntry(name);
        if (e == null) {
            throw new IllegalStateException(jar.getName() + " is damaged: it has no " + name);
        }
        try (InputStream in = jar.getInputStream(e)) {
            return in.readAllBytes();
        }
    }

    /**
     * Starts {@link LabPolicy} with this JVM's lists and puts the stored classes in place: every
     * one of them is loaded now, from the stored class file if it was not loaded yet, or redefined
     * with it; throws (and so the JVM does not start) when a class the policy requires is not. The
     * optional ones (attach, management, the foreign function API) are loaded now too, not
     * initialised, so that no transformer stays behind: one would have every later class load of
     * the JVM call into Java with a copy of its class file.
     */
    private static void install(Instrumentation instrumentation, List<Stored> classes) throws Exception {
        LabPolicy.configure(
                System.getProperty(LabPolicy.LAB_CODE),
                System.getProperty(LabPolicy.FOLDERS),
                System.getProperty("user.dir"));
        Module policy = LabPolicy.class.getModule();
        List<String> notRewritten = new ArrayList<>();
        Served served = new Served();
        Map<String, Module> modules = new HashMap<>();
        for (Module m : ModuleLayer.boot().modules()) {
            modules.put(m.getName(), m);
        }
        for (Stored s : classes) {
            s.module = modules.get(s.moduleName);
            if (s.module == null) {
                if (s.required) {
                    notRewritten.add(s.type);
                }
                continue; // a module this JVM did not resolve: none of its classes loads
            }
            // The rewritten code calls LabPolicy, in the boot loader's unnamed module.
            if (!s.module.canRead(policy)) {
                instrumentation.redefineModule(s.module, Set.of(policy), Map.of(), Map.of(), Set.of(), Map.of());
            }
            served.byName.put(s.internalName, s);
        }
        List<ClassDefinition> redefined = new ArrayList<>();
        instrumentation.addTransformer(served, false);
        try {
            for (Stored s : served.byName.values()) {
                Class<?> type = Class.forName(s.module, s.type); // loads it, from the stored class file
                if (type == null) {
                    if (s.required) {
                        notRewritten.add(s.type);
                    }
                } else if (!served.took.contains(s.internalName)) {
                    redefined.add(new ClassDefinition(type, s.classFile)); // loaded before this agent ran
                }
            }
        } finally {
            instrumentation.removeTransformer(served);
        }
        if (!notRewritten.isEmpty()) {
            throw new IllegalStateException("the lab policy could not be put in place: these classes are not"
                    + " in this JVM: " + notRewritten);
        }
        instrumentation.redefineClasses(redefined.toArray(new ClassDefinition[0]));
    }

    /** Gives a stored class its stored class file when it loads (in its own module, and nowhere else). */
    private static final class Served implements ClassFileTransformer {
        final Map<String, Stored> byName = new HashMap<>();
        final Set<String> took = ConcurrentHashMap.newKeySet();

        @Override
        public byte[] transform(
                Module module,
                ClassLoader loader,
                String name,
                Class<?> redefined,
                ProtectionDomain domain,
                byte[] classFile) {
            Stored s = name == null ? null : byName.get(name);
            if (s == null || redefined != null || module != s.module) {
                return null;
            }
            took.add(name);
            return s.classFile;
        }
    }
}
