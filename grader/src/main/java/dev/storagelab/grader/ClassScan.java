package dev.storagelab.grader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The check over a submission's compiled classes that runs after its build and before any of its
 * tests (issue 24): student code may not call APIs that a storage-engine lab has no use for, and
 * that a dishonest submission would use to take the grader, the test JVM or the hidden tests
 * apart. Each finding names the class, the method and the rule, as
 * {@code forbidden API: dev.storagelab.sortedlog.LogWriter.encode calls java.lang.System.exit (process control)}.
 *
 * <p>Only <em>student classes</em> are scanned: every class of a graded lab that was not compiled
 * from a given file of the reference (a file without solution regions). The given classes come
 * from the reference unchanged, and the {@code dev.storagelab.io} layer among them is the one
 * place whose job is file I/O. A student class also may not live outside the lab's packages, where
 * it could stand in for a JUnit, testkit or earlier lab's class on the test classpath.
 *
 * <p>The bytecode is read with ASM. A call is judged by the class that declares what it calls: a
 * call through a student class that inherits the method (a {@code ClassLoader} subclass calling its
 * own {@code defineClass}) is judged as a call to the JDK class, and a rule on a JDK type covers its
 * subtypes ({@code URLClassLoader} is a {@code ClassLoader}). Method references count as calls.
 */
public final class ClassScan {

    private ClassScan() {
    }

    /** One forbidden use, in a student class. */
    public record Finding(String className, String method, String what, String rule) {

        /** {@code forbidden API: a.B.m calls java.lang.System.exit (process control)} */
        public String message() {
            return "forbidden API: " + where() + " " + what + " (" + rule + ")";
        }

        /** The class and method as the student wrote them: a lambda's method, a constructor, a static block. */
        private String where() {
            if (method.isEmpty()) {
                return className;
            }
            if (method.equals("<init>")) {
                return className + " constructor";
            }
            if (method.equals("<clinit>")) {
                return className + " static initializer";
            }
            java.util.regex.Matcher lambda = LAMBDA.matcher(method);
            if (lambda.matches()) {
                return className + "." + lambda.group(1) + " (in a lambda)";
            }
            return className + "." + method;
        }
    }

    private static final java.util.regex.Pattern LAMBDA = java.util.regex.Pattern.compile("lambda\\$(.+)\\$\\d+");

    // --- rules ---------------------------------------------------------------------------------

    static final String PROCESS = "process control";
    static final String HOOKS = "shutdown hooks";
    static final String JNI = "JNI native code";
    static final String PROPERTIES = "system properties and the environment";
    static final String STREAMS = "replacing the standard streams";
    static final String REFLECTION = "reflection and method handles";
    static final String LOADERS = "class loaders";
    static final String RESOURCES = "class path resources (the hidden tests are on the class path)";
    static final String INSTRUMENTATION = "instrumentation";
    static final String INTERNALS = "JDK internals (Unsafe)";
    static final String FILES = "direct file access (use the lab's dev.storagelab.io.Storage)";
    static final String NETWORK = "network access";
    static final String PACKAGE = "class outside the lab's packages";

    /**
     * One rule: {@code owner} is an internal class name, or a package prefix ending in {@code /};
     * {@code member} a name, a name prefix ending in {@code *}, or {@code *} for all; {@code desc}
     * null or a prefix of the descriptor (to tell constructors apart).
     */
    record Rule(String owner, String member, String desc, String rule) {

        boolean matches(String type, String name, String descriptor) {
            boolean ownerMatches = owner.endsWith("/") ? type.startsWith(owner) : type.equals(owner);
            if (!ownerMatches) {
                return false;
            }
            boolean memberMatches = member.equals("*") || (member.endsWith("*")
                    ? name.startsWith(member.substring(0, member.length() - 1)) : name.equals(member));
            return memberMatches && (desc == null || (descriptor != null && descriptor.startsWith(desc)));
        }
    }

    private static Rule r(String owner, String member, String rule) {
        return new Rule(owner, member, null, rule);
    }

    private static Rule ctor(String owner, String descPrefix, String rule) {
        return new Rule(owner, "<init>", descPrefix, rule);
    }

    /** What student code may use even though a rule below would cover it. */
    static final List<Rule> ALLOWED = List.of(
            r("java/lang/invoke/MethodHandles", "lookup", ""),             // for findVarHandle on the student's own fields
            r("java/lang/invoke/MethodHandles", "arrayElementVarHandle", ""),
            r("java/lang/invoke/MethodHandles", "byteArrayViewVarHandle", ""),
            r("java/lang/invoke/MethodHandles", "byteBufferViewVarHandle", ""),
            r("java/lang/invoke/MethodHandles$Lookup", "findVarHandle", ""),
            r("java/lang/invoke/MethodHandles$Lookup", "findStaticVarHandle", ""),
            r("java/lang/invoke/MethodHandles$Lookup", "lookupClass", ""),
            r("java/lang/invoke/VarHandle", "*", ""),
            r("java/lang/invoke/VarHandle$AccessMode", "*", ""),
            r("java/lang/reflect/Array", "*", ""),                         // generic arrays
            r("java/lang/System", "lineSeparator", ""),
            // the file exceptions and options: what an engine throws and names, not a way to files
            r("java/nio/file/NoSuchFileException", "*", ""),
            r("java/nio/file/FileAlreadyExistsException", "*", ""),
            r("java/nio/file/FileSystemException", "*", ""),
            r("java/nio/file/DirectoryNotEmptyException", "*", ""),
            r("java/nio/file/AccessDeniedException", "*", ""),
            r("java/nio/file/NotDirectoryException", "*", ""),
            r("java/nio/file/AtomicMoveNotSupportedException", "*", ""),
            r("java/nio/file/StandardOpenOption", "*", ""),
            r("java/nio/file/StandardCopyOption", "*", ""));

    /** The forbidden APIs, first match wins. */
    static final List<Rule> RULES = List.of(
            // process control
            r("java/lang/System", "exit", PROCESS),
            r("java/lang/Runtime", "exit", PROCESS),
            r("java/lang/Runtime", "halt", PROCESS),
            r("java/lang/Runtime", "exec", PROCESS),
            r("java/lang/ProcessBuilder", "*", PROCESS),
            r("java/lang/ProcessBuilder$Redirect", "*", PROCESS),
            r("java/lang/Process", "*", PROCESS),
            r("java/lang/ProcessHandle", "*", PROCESS),
            r("java/lang/ProcessHandle$Info", "*", PROCESS),
            r("java/lang/System", "setSecurityManager", PROCESS),
            r("java/lang/Runtime", "addShutdownHook", HOOKS),
            r("java/lang/Runtime", "removeShutdownHook", HOOKS),
            // JNI
            r("java/lang/System", "load", JNI),
            r("java/lang/System", "loadLibrary", JNI),
            r("java/lang/System", "mapLibraryName", JNI),
            r("java/lang/Runtime", "load", JNI),
            r("java/lang/Runtime", "loadLibrary", JNI),
            // properties and environment
            r("java/lang/System", "getProperty", PROPERTIES),
            r("java/lang/System", "getProperties", PROPERTIES),
            r("java/lang/System", "setProperty", PROPERTIES),
            r("java/lang/System", "setProperties", PROPERTIES),
            r("java/lang/System", "clearProperty", PROPERTIES),
            r("java/lang/System", "getenv", PROPERTIES),
            r("java/lang/Integer", "getInteger", PROPERTIES),
            r("java/lang/Long", "getLong", PROPERTIES),
            r("java/lang/Boolean", "getBoolean", PROPERTIES),
            r("java/lang/management/ManagementFactory", "getRuntimeMXBean", PROPERTIES), // the JVM's command line
            r("java/lang/management/ManagementFactory", "getPlatformMBeanServer", PROPERTIES),
            r("java/lang/management/RuntimeMXBean", "*", PROPERTIES),
            r("javax/management/", "*", PROPERTIES),
            // standard streams
            r("java/lang/System", "setOut", STREAMS),
            r("java/lang/System", "setErr", STREAMS),
            r("java/lang/System", "setIn", STREAMS),
            r("java/lang/System", "inheritedChannel", STREAMS),
            // class loaders, resources, instrumentation
            r("java/lang/Class", "getClassLoader", LOADERS),
            r("java/lang/Class", "getResource", RESOURCES),
            r("java/lang/Class", "getResourceAsStream", RESOURCES),
            r("java/lang/ClassLoader", "*", LOADERS),
            r("java/lang/Thread", "getContextClassLoader", LOADERS),
            r("java/lang/Thread", "setContextClassLoader", LOADERS),
            r("java/util/ServiceLoader", "*", LOADERS),
            r("java/lang/instrument/", "*", INSTRUMENTATION),
            // reflection and method handles
            r("java/lang/Class", "forName", REFLECTION),
            r("java/lang/Class", "newInstance", REFLECTION),
            r("java/lang/Class", "getDeclared*", REFLECTION),
            r("java/lang/Class", "getMethod", REFLECTION),
            r("java/lang/Class", "getMethods", REFLECTION),
            r("java/lang/Class", "getField", REFLECTION),
            r("java/lang/Class", "getFields", REFLECTION),
            r("java/lang/Class", "getConstructor", REFLECTION),
            r("java/lang/Class", "getConstructors", REFLECTION),
            r("java/lang/Class", "getEnclosingMethod", REFLECTION),
            r("java/lang/Class", "getEnclosingConstructor", REFLECTION),
            r("java/lang/Class", "getRecordComponents", REFLECTION),
            r("java/lang/Class", "getModule", REFLECTION),
            r("java/lang/Class", "getProtectionDomain", REFLECTION),
            r("java/lang/reflect/", "*", REFLECTION),
            r("java/lang/invoke/", "*", REFLECTION),
            r("java/lang/Module", "*", REFLECTION),
            r("java/lang/ModuleLayer", "*", REFLECTION),
            r("java/beans/", "*", REFLECTION),
            r("com/google/common/reflect/", "*", REFLECTION),
            // JDK internals
            r("sun/", "*", INTERNALS),
            r("jdk/internal/", "*", INTERNALS),
            r("com/sun/", "*", INTERNALS),
            // files
            r("java/io/File", "*", FILES),
            r("java/io/FileInputStream", "*", FILES),
            r("java/io/FileOutputStream", "*", FILES),
            r("java/io/FileReader", "*", FILES),
            r("java/io/FileWriter", "*", FILES),
            r("java/io/FileDescriptor", "*", FILES),
            r("java/io/RandomAccessFile", "*", FILES),
            ctor("java/io/PrintStream", "(Ljava/lang/String;", FILES),
            ctor("java/io/PrintStream", "(Ljava/io/File;", FILES),
            ctor("java/io/PrintWriter", "(Ljava/lang/String;", FILES),
            ctor("java/io/PrintWriter", "(Ljava/io/File;", FILES),
            ctor("java/util/Formatter", "(Ljava/lang/String;", FILES),
            ctor("java/util/Formatter", "(Ljava/io/File;", FILES),
            ctor("java/util/Scanner", "(Ljava/io/File;", FILES),
            ctor("java/util/Scanner", "(Ljava/nio/file/Path;", FILES),
            r("java/nio/file/", "*", FILES),
            r("java/nio/channels/FileChannel", "open", FILES),
            r("java/nio/channels/AsynchronousFileChannel", "*", FILES),
            r("java/util/zip/ZipFile", "*", FILES),
            r("java/util/jar/JarFile", "*", FILES),
            r("java/util/logging/FileHandler", "*", FILES),
            r("java/util/prefs/", "*", FILES),
            r("com/google/common/io/Files", "*", FILES),
            r("com/google/common/io/MoreFiles", "*", FILES),
            r("com/google/common/io/Resources", "*", RESOURCES),
            r("org/apache/commons/io/FileUtils", "*", FILES),
            r("org/apache/commons/io/file/", "*", FILES),
            r("org/apache/commons/io/input/Tailer", "*", FILES),
            r("org/apache/commons/io/IOUtils", "resourceTo*", RESOURCES),
            // network
            r("java/net/Socket", "*", NETWORK),
            r("java/net/ServerSocket", "*", NETWORK),
            r("java/net/DatagramSocket", "*", NETWORK),
            r("java/net/URL", "open*", NETWORK),
            r("java/net/URL", "getContent", NETWORK),
            r("java/net/URLConnection", "*", NETWORK),
            r("java/net/http/", "*", NETWORK),
            r("java/nio/channels/SocketChannel", "*", NETWORK),
            r("java/nio/channels/ServerSocketChannel", "*", NETWORK),
            r("java/nio/channels/DatagramChannel", "*", NETWORK),
            r("java/rmi/", "*", NETWORK));

    // --- which classes are the student's -------------------------------------------------------

    /**
     * The classes of {@code lab} in the built reference {@code reference} that were compiled from
     * given files (the lab's sources without solution regions), as internal names. A graded build
     * compiles the same given files, so any other class in it came from the submission.
     */
    public static Set<String> givenClasses(Path reference, Lab lab) throws IOException {
        Path sources = reference.resolve(lab.studentSources());
        Set<String> given = new HashSet<>();
        Map<String, Boolean> givenFile = new HashMap<>();
        for (ClassInfo c : read(reference.resolve(lab.directory()).resolve("target/classes"))) {
            if (c.sourceFile == null) {
                continue;
            }
            int slash = c.name.lastIndexOf('/');
            String file = (slash < 0 ? "" : c.name.substring(0, slash + 1)) + c.sourceFile;
            boolean isGiven = givenFile.computeIfAbsent(file, f -> {
                Path p = sources.resolve(f);
                try {
                    return Files.isRegularFile(p) && Regions.find(Files.readString(p), f, lab).isEmpty();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (isGiven) {
                given.add(c.name);
            }
        }
        return given;
    }

    /** The packages of {@code lab}'s classes in the built reference, as internal names ({@code dev/storagelab/io}). */
    public static Set<String> packages(Path reference, Lab lab) throws IOException {
        Set<String> packages = new TreeSet<>();
        for (ClassInfo c : read(reference.resolve(lab.directory()).resolve("target/classes"))) {
            packages.add(packageOf(c.name));
        }
        return packages;
    }

    /**
     * Scans the student classes of {@code lab} as built in {@code root}, judged against the built
     * reference {@code reference}: the findings, in class order (empty: nothing forbidden).
     */
    public static List<Finding> scanSubmission(Path reference, Path root, Lab lab) throws IOException {
        Set<String> given = givenClasses(reference, lab);
        Set<String> packages = packages(reference, lab);
        return scan(root.resolve(lab.directory()).resolve("target/classes"), name -> !given.contains(name),
                name -> false, packages);
    }

    /**
     * Scans the classes under {@code classes} for which {@code student} holds.
     *
     * @param ioLayer  the classes whose job is file I/O, which may also read a system property
     *                 (the OS name): none, for a submission, whose I/O layer is given
     * @param packages        the packages a student class may be in (null: any)
     */
    public static List<Finding> scan(Path classes, Predicate<String> student, Predicate<String> ioLayer,
                                     Set<String> packages) throws IOException {
        List<ClassInfo> all = read(classes);
        Map<String, ClassInfo> students = new HashMap<>();
        for (ClassInfo c : all) {
            if (student.test(c.name)) {
                students.put(c.name, c);
            }
        }
        List<Finding> findings = new ArrayList<>();
        for (ClassInfo c : all) {
            if (!students.containsKey(c.name)) {
                continue;
            }
            String cls = c.name.replace('/', '.');
            if (packages != null && !packages.contains(packageOf(c.name))) {
                findings.add(new Finding(cls, "", "is in package " + packageOf(c.name).replace('/', '.')
                        + ", not one of " + packages.stream().map(p -> p.replace('/', '.')).toList(), PACKAGE));
            }
            Judge judge = new Judge(students, ioLayer.test(c.name));
            for (String supertype : c.supertypes) {
                String rule = judge.ruleFor(supertype, "*", null);
                if (rule != null) {
                    findings.add(new Finding(cls, "", "extends " + supertype.replace('/', '.'), rule));
                }
            }
            for (Use use : c.uses) {
                if (readsWorkspaceSwitch(use)) {
                    continue;
                }
                String rule = judge.ruleFor(use.owner, use.name, use.desc);
                if (rule != null) {
                    findings.add(new Finding(cls, use.method, use.verb + " " + use.owner.replace('/', '.')
                            + (use.name.equals("<init>") ? " constructor" : "." + use.name), rule));
                }
            }
            for (String nativeMethod : c.nativeMethods) {
                findings.add(new Finding(cls, nativeMethod, "is a native method", JNI));
            }
        }
        return findings;
    }

    /**
     * The workspace's own switches, system properties named {@code storagelab.*} by a constant
     * (lab-04's {@code storagelab.btree.treeLock}, which its benchmark sets), may be read.
     */
    private static final Set<String> PROPERTY_READS = Set.of(
            "java/lang/System.getProperty(Ljava/lang/String;)Ljava/lang/String;",
            "java/lang/Boolean.getBoolean(Ljava/lang/String;)Z",
            "java/lang/Integer.getInteger(Ljava/lang/String;)Ljava/lang/Integer;",
            "java/lang/Long.getLong(Ljava/lang/String;)Ljava/lang/Long;");

    private static boolean readsWorkspaceSwitch(Use use) {
        return use.constant != null && use.constant.startsWith("storagelab.")
                && PROPERTY_READS.contains(use.owner + "." + use.name + use.desc);
    }

    /** The lab's problem for {@code findings}: one line each, the first line a summary. */
    public static String problem(List<Finding> findings) {
        StringBuilder sb = new StringBuilder(findings.get(0).message());
        if (findings.size() > 1) {
            sb.append(" (and ").append(findings.size() - 1).append(" more)");
            for (Finding f : findings) {
                sb.append('\n').append(f.message());
            }
        }
        return sb.toString();
    }

    private static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash < 0 ? "" : internalName.substring(0, slash);
    }

    /** Decides which rule, if any, a use breaks, looking through student classes to what they inherit. */
    private static final class Judge {
        private final Map<String, ClassInfo> students;
        private final boolean ioLayer;

        Judge(Map<String, ClassInfo> students, boolean ioLayer) {
            this.students = students;
            this.ioLayer = ioLayer;
        }

        String ruleFor(String owner, String name, String desc) {
            if (owner.startsWith("[")) {
                return null; // array clone() and length
            }
            String type = owner;
            Set<String> seen = new HashSet<>();
            while (students.containsKey(type) && seen.add(type)) {
                ClassInfo c = students.get(type);
                if (!name.equals("*") && c.declares(name, desc)) {
                    return null; // the student's own code, scanned on its own
                }
                if (c.superName == null) {
                    return null;
                }
                type = c.superName;
            }
            List<String> types = withSupertypes(type);
            for (String t : types) {
                // a package's rule is about that package's types, not every type that implements
                // one of them (Class implements java.lang.reflect.Type)
                String rule = match(t, name, desc, t.equals(type));
                if (rule != null && !(ioLayer && (rule.equals(FILES) || rule.equals(PROPERTIES)))) {
                    return rule;
                }
            }
            return null;
        }

        /** The rule {@code type.name} breaks; {@code name} {@code *}: extending {@code type}, forbidden where all of it is. */
        private static String match(String type, String name, String desc, boolean packageRules) {
            boolean wholeType = name.equals("*");
            for (Rule a : ALLOWED) {
                if (wholeType ? a.member().equals("*") && a.matches(type, "", null) : a.matches(type, name, desc)) {
                    return null;
                }
            }
            for (Rule rule : RULES) {
                if (!packageRules && rule.owner().endsWith("/")) {
                    continue;
                }
                if (wholeType ? rule.member().equals("*") && rule.matches(type, "", null) : rule.matches(type, name, desc)) {
                    return rule.rule();
                }
            }
            return null;
        }
    }

    private static final Map<String, List<String>> SUPERTYPES = new ConcurrentHashMap<>();

    /**
     * {@code type} and, for a JDK type the grader's own JVM can see, every type it extends or
     * implements: a rule on {@code ClassLoader} covers {@code URLClassLoader}.
     */
    static List<String> withSupertypes(String type) {
        return SUPERTYPES.computeIfAbsent(type, t -> {
            Set<String> out = new LinkedHashSet<>();
            out.add(t);
            try {
                Class<?> c = Class.forName(t.replace('/', '.'), false, ClassLoader.getPlatformClassLoader());
                collect(c, out);
            } catch (ClassNotFoundException | LinkageError e) {
                // not a JDK type: judged by its own name
            }
            return List.copyOf(out);
        });
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

    // --- reading classes with ASM --------------------------------------------------------------

    /** A use of {@code owner.name}; {@code constant} the string constant pushed just before a call, or null. */
    private record Use(String method, String verb, String owner, String name, String desc, String constant) {
    }

    private static final class ClassInfo {
        String name;
        String superName;
        String sourceFile;
        final List<String> supertypes = new ArrayList<>();
        final Set<String> members = new HashSet<>();
        final List<Use> uses = new ArrayList<>();
        final List<String> nativeMethods = new ArrayList<>();

        boolean declares(String member, String desc) {
            return members.contains(desc == null ? member + ":field" : member + desc);
        }
    }

    private static List<ClassInfo> read(Path classes) throws IOException {
        if (!Files.isDirectory(classes)) {
            throw new IOException("no compiled classes to scan in " + classes);
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(p -> p.toString().endsWith(".class") && Files.isRegularFile(p)).sorted().toList();
        }
        List<ClassInfo> out = new ArrayList<>();
        for (Path f : files) {
            if (f.getFileName().toString().equals("module-info.class") || f.getFileName().toString().equals("package-info.class")) {
                continue;
            }
            try (InputStream in = Files.newInputStream(f)) {
                ClassInfo info = new ClassInfo();
                new ClassReader(in).accept(new Reader(info), ClassReader.SKIP_FRAMES);
                out.add(info);
            } catch (RuntimeException e) {
                throw new IOException("cannot read compiled class " + f + ": " + e, e);
            }
        }
        return out;
    }

    private static final class Reader extends ClassVisitor {
        private final ClassInfo info;

        Reader(ClassInfo info) {
            super(Opcodes.ASM9);
            this.info = info;
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
            info.name = name;
            info.superName = superName;
            if (superName != null) {
                info.supertypes.add(superName);
            }
            if (interfaces != null) {
                info.supertypes.addAll(List.of(interfaces));
            }
        }

        @Override
        public void visitSource(String source, String debug) {
            info.sourceFile = source;
        }

        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
            info.members.add(name + ":field");
            return null;
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            info.members.add(name + descriptor);
            if ((access & Opcodes.ACC_NATIVE) != 0) {
                info.nativeMethods.add(name);
            }
            String method = name;
            return new MethodVisitor(Opcodes.ASM9) {
                @Override
                public void visitMethodInsn(int opcode, String owner, String n, String desc, boolean isInterface) {
                    info.uses.add(new Use(method, "calls", owner, n, desc, lastString));
                    lastString = null;
                }

                @Override
                public void visitFieldInsn(int opcode, String owner, String n, String desc) {
                    info.uses.add(new Use(method, "uses", owner, n, null, null));
                    lastString = null;
                }

                @Override
                public void visitInvokeDynamicInsn(String n, String desc, Handle bootstrap, Object... args) {
                    lastString = null;
                    for (Object a : args) {
                        handle(a);
                    }
                }

                @Override
                public void visitLdcInsn(Object value) {
                    handle(value);
                    lastString = value instanceof String str ? str : null;
                }

                // the string constant pushed by the instruction just before a call, for a
                // property read by name; any other instruction, or a jump target, forgets it
                private String lastString;

                @Override
                public void visitInsn(int opcode) {
                    lastString = null;
                }

                @Override
                public void visitIntInsn(int opcode, int operand) {
                    lastString = null;
                }

                @Override
                public void visitVarInsn(int opcode, int varIndex) {
                    lastString = null;
                }

                @Override
                public void visitTypeInsn(int opcode, String type) {
                    lastString = null;
                }

                @Override
                public void visitJumpInsn(int opcode, org.objectweb.asm.Label label) {
                    lastString = null;
                }

                @Override
                public void visitLabel(org.objectweb.asm.Label label) {
                    lastString = null;
                }

                @Override
                public void visitIincInsn(int varIndex, int increment) {
                    lastString = null;
                }

                @Override
                public void visitTableSwitchInsn(int min, int max, org.objectweb.asm.Label dflt, org.objectweb.asm.Label... labels) {
                    lastString = null;
                }

                @Override
                public void visitLookupSwitchInsn(org.objectweb.asm.Label dflt, int[] keys, org.objectweb.asm.Label[] labels) {
                    lastString = null;
                }

                @Override
                public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
                    lastString = null;
                }

                private void handle(Object a) {
                    if (a instanceof Handle h) { // a method reference: System::exit
                        info.uses.add(new Use(method, "refers to", h.getOwner(), h.getName(), h.getDesc(), null));
                    }
                }
            };
        }
    }
}
