package dev.storagelab.grader.policy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Writes the policy's agent as the JVMs that run lab code load it, from the grader's own classes
 * and Byte Buddy's (the grader's build folder or jar, whichever it runs from): three jars in one
 * folder, each for a class loader of its own.
 *
 * <pre>
 * storagelab-policy-agent.jar      PolicyAgent (Premain-Class); Boot-Class-Path: the boot jar;
 *                                  META-INF/storagelab-policy/: the JDK's classes rewritten, the JDK they are for
 * storagelab-policy-boot.jar       LabPolicy and the classes of its rules (LabPolicy.CLASSES), on the boot
 *                                  class path, where the JDK can call them
 * storagelab-policy-installer.jar  PolicyInstaller, PolicyAdvice and Byte Buddy, in the agent's own loader,
 *                                  for a JVM on another JDK than the grader's
 * </pre>
 */
public final class PolicyJars {

    /** The jar named by {@code -javaagent}. */
    public static final String AGENT = "storagelab-policy-agent.jar";
    /** The jar on the boot class path. */
    public static final String BOOT = "storagelab-policy-boot.jar";
    /** The jar the agent loads Byte Buddy and the installer from. */
    public static final String INSTALLER = "storagelab-policy-installer.jar";

    /** The folder of the agent's jar that holds the JDK's rewritten classes, each as {@code java/io/File.class}. */
    public static final String STORED = "META-INF/storagelab-policy/";
    /** The entry of the agent's jar that names the JDK the classes were rewritten for. */
    public static final String STORED_JDK = STORED + "jdk";
    /** The entry of the agent's jar that lists the rewritten classes, one a line: module, {@code required} or {@code optional}, name. */
    public static final String STORED_INDEX = STORED + "classes";

    private static final String PACKAGE = "dev/storagelab/grader/policy/";

    private PolicyJars() {}

    /**
     * Writes the three jars into {@code dir} (readable by every user: confined test JVMs load them)
     * and returns the agent's. The JDK's classes are rewritten here, once, for this JVM's JDK, on
     * which the grader starts every JVM that loads the agent; throws when the policy cannot run on
     * this JDK (a class or entry point it requires is not in it).
     */
    public static Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path grader = location(PolicyJars.class);
        Path byteBuddy = location(net.bytebuddy.ByteBuddy.class);

        Manifest agent = manifest();
        agent.getMainAttributes().put(new Attributes.Name("Premain-Class"), PolicyAgent.class.getName());
        agent.getMainAttributes().put(new Attributes.Name("Boot-Class-Path"), BOOT);
        agent.getMainAttributes().put(new Attributes.Name("Can-Retransform-Classes"), "true");
        agent.getMainAttributes().put(new Attributes.Name("Can-Redefine-Classes"), "true");
        try (JarOutputStream out = open(dir.resolve(AGENT), agent)) {
            copy(grader, n -> n.startsWith(PACKAGE + "PolicyAgent"), out);
            storeRewritten(out);
        }
        try (JarOutputStream out = open(dir.resolve(BOOT), manifest())) {
            copy(grader, PolicyJars::onTheBootClassPath, out);
        }
        Manifest installer = manifest();
        installer.getMainAttributes().put(new Attributes.Name("Multi-Release"), "true");
        try (JarOutputStream out = open(dir.resolve(INSTALLER), installer)) {
            copy(grader, n -> n.startsWith(PACKAGE + "PolicyInstaller") || n.startsWith(PACKAGE + "PolicyAdvice"), out);
            copy(
                    byteBuddy,
                    n -> (n.startsWith("net/bytebuddy/")
                                    || (n.startsWith("META-INF/versions/") && n.contains("/net/bytebuddy/")))
                            && !n.endsWith("/"),
                    out);
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String jar : List.of(AGENT, BOOT, INSTALLER)) {
            Files.setPosixFilePermissions(dir.resolve(jar), PosixFilePermissions.fromString("rw-r--r--"));
        }
        return dir.resolve(AGENT);
    }

    /** Whether the entry {@code name} of the grader is a class file of the policy's on the boot class path ({@link LabPolicy#CLASSES}, nested ones among them). */
    static boolean onTheBootClassPath(String name) {
        for (Class<?> c : LabPolicy.CLASSES) {
            String base = c.getName().replace('.', '/');
            if (name.equals(base + ".class") || (name.startsWith(base + "$") && name.endsWith(".class"))) {
                return true;
            }
        }
        return false;
    }

    /** The JDK's classes rewritten ({@link PolicyClassFiles}), with the JDK they were made for ({@link PolicyAgent#jdk()}). */
    private static void storeRewritten(JarOutputStream out) throws IOException {
        List<PolicyClassFiles.Rewritten> classes = PolicyClassFiles.ofThisJdk();
        StringBuilder index = new StringBuilder();
        for (PolicyClassFiles.Rewritten c : classes) {
            index.append(c.module())
                    .append(' ')
                    .append(c.required() ? "required" : "optional")
                    .append(' ')
                    .append(c.type())
                    .append('\n');
            put(out, STORED + c.type().replace('.', '/') + ".class", new ByteArrayInputStream(c.classFile()));
        }
        put(out, STORED_INDEX, new ByteArrayInputStream(index.toString().getBytes(StandardCharsets.UTF_8)));
        put(out, STORED_JDK, new ByteArrayInputStream(PolicyAgent.jdk().getBytes(StandardCharsets.UTF_8)));
    }

    private static Manifest manifest() {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        return m;
    }

    private static JarOutputStream open(Path jar, Manifest manifest) throws IOException {
        return new JarOutputStream(Files.newOutputStream(jar), manifest);
    }

    /** The folder or jar {@code type} was loaded from. */
    private static Path location(Class<?> type) throws IOException {
        try {
            return Path.of(
                    type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("cannot find where " + type.getName() + " was loaded from", e);
        }
    }

    /** Copies the entries of {@code from} (a class folder or a jar) whose names {@code wanted} accepts into {@code out}. */
    private static void copy(Path from, Predicate<String> wanted, JarOutputStream out) throws IOException {
        if (Files.isDirectory(from)) {
            try (Stream<Path> files = Files.walk(from)) {
                for (Path p : (Iterable<Path>)
                        files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))::iterator) {
                    String name = from.relativize(p).toString().replace(java.io.File.separatorChar, '/');
                    if (wanted.test(name)) {
                        try (InputStream in = Files.newInputStream(p)) {
                            put(out, name, in);
                        }
                    }
                }
            }
            return;
        }
        try (InputStream raw = Files.newInputStream(from);
                ZipInputStream zip = new ZipInputStream(raw)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (!e.isDirectory() && wanted.test(e.getName())) {
                    put(out, e.getName(), zip);
                }
            }
        }
    }

    private static void put(JarOutputStream out, String name, InputStream in) throws IOException {
        out.putNextEntry(new JarEntry(name));
        in.transferTo(out); // the entry is closed here, the jar by its writer
        out.closeEntry();
    }
}
