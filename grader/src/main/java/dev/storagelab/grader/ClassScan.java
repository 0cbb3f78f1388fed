package dev.storagelab.grader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The check over a submission's compiled classes that runs after its build and before any of its
 * tests: student code may use only what {@link ApiAllowList} ({@code grader/allowed-apis.txt})
 * allows, the workspace's own lab packages, and its own classes. Everything else is refused, so a
 * power nobody named (a JDK API that reads files, runs code from a string or starts a process) is
 * refused too. Each finding names the class, the method, the source file and line, and the call:
 * {@code forbidden API: fixture.calc.Calc.add (Calc.java:12) calls java.lang.System.exit: not on
 * the list of APIs lab code may use (grader/allowed-apis.txt)}.
 *
 * <p><b>Whose classes.</b> A class in a graded build is the student's unless it is byte for byte
 * the class the reference compiled from a given file (a file without solution regions): a class
 * compiled from a student's file is the student's whatever its name, even one that takes the
 * binary name of a given class's nested or anonymous class. A student class also may not live
 * outside the lab's packages, where it could stand in for a JUnit, testkit or earlier lab's class.
 *
 * <p><b>What is judged.</b> Every call, field use, constructor, method reference, {@code
 * invokedynamic} bootstrap and supertype. A use of a member is judged as a use of the type that
 * declares it, whether it is reached through a student class or a listed type that inherits it
 * ({@link ApiAllowList#judge(String, String, String)}), and a member the list takes out of a type
 * ({@code -java.lang.Throwable#getStackTrace}) is taken out of every subtype too.
 */
public final class ClassScan {

    private ClassScan() {}

    /** One use the list does not allow, in a student class. */
    public record Finding(String className, String method, String file, int line, String what, String rule) {

        /** {@code forbidden API: a.B.m (B.java:12) calls java.lang.System.exit: not on the list ...} */
        public String message() {
            return "forbidden API: " + where() + (file == null ? "" : " (" + file + (line > 0 ? ":" + line : "") + ")")
                    + " " + what + ": " + rule;
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

    static final String NOT_LISTED = "not on the list of APIs lab code may use (" + ApiAllowList.PATH + ")";
    static final String JNI = "native code is not lab code";
    static final String PACKAGE = "a student class must be in one of its lab's packages";

    // --- which classes are the student's -------------------------------------------------------

    /**
     * The classes of {@code lab} in the built reference {@code reference} compiled from given files
     * (the lab's sources without solution regions), by internal name, with their bytes.
     */
    static Map<String, byte[]> givenClassFiles(Path reference, Lab lab) throws IOException {
        Path sources = reference.resolve(lab.studentSources());
        Map<String, byte[]> given = new HashMap<>();
        Map<String, Boolean> givenFile = new HashMap<>();
        for (ClassInfo c : read(reference.resolve(lab.directory()).resolve("target/classes"))) {
            if (c.sourceFile == null) {
                continue;
            }
            boolean isGiven = givenFile.computeIfAbsent(c.sourcePath(), f -> {
                Path p = sources.resolve(f);
                try {
                    return Files.isRegularFile(p)
                            && Regions.find(Files.readString(p), f, lab).isEmpty();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (isGiven) {
                given.put(c.name, c.bytes);
            }
        }
        return given;
    }

    /** The names of {@link #givenClassFiles}. */
    public static Set<String> givenClasses(Path reference, Lab lab) throws IOException {
        return givenClassFiles(reference, lab).keySet();
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
     * The workspace's own lab packages, which student code may call: every package with sources
     * under a {@code lab-*}{@code /src/main/java} of {@code workspace}, as internal names.
     */
    static Set<String> labPackages(Path workspace) throws IOException {
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> labs = Files.list(workspace)) {
            for (Path lab : labs.filter(p -> p.getFileName().toString().startsWith("lab-"))
                    .toList()) {
                Path src = lab.resolve("src/main/java");
                if (!Files.isDirectory(src)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(src)) {
                    files.filter(f -> f.toString().endsWith(".java"))
                            .forEach(f -> packages.add(
                                    src.relativize(f.getParent()).toString().replace('\\', '/')));
                }
            }
        }
        return packages;
    }

    /**
     * Scans the student classes of {@code lab} as built in {@code root}, judged against the built
     * reference {@code reference}: the findings, in class order (empty: nothing refused).
     */
    public static List<Finding> scanSubmission(Path reference, Path root, Lab lab) throws IOException {
        return scanAgainst(
                givenClassFiles(reference, lab),
                root.resolve(lab.directory()).resolve("target/classes"),
                packages(reference, lab),
                labPackages(reference),
                ApiAllowList.packaged());
    }

    /**
     * Scans the classes under {@code classes}, every one of them the student's but those byte for
     * byte equal to a class of {@code given} of the same name.
     */
    static List<Finding> scanAgainst(
            Map<String, byte[]> given,
            Path classes,
            Set<String> ownPackages,
            Set<String> labPackages,
            ApiAllowList list)
            throws IOException {
        return scan(
                classes,
                c -> given.get(c.name) == null || !Arrays.equals(given.get(c.name), c.bytes),
                ownPackages,
                labPackages,
                list);
    }

    /**
     * Scans the classes under {@code classes} for which {@code student} holds.
     *
     * @param ownPackages the packages a student class may be in (null: any)
     * @param labPackages the workspace's lab packages, which student classes may call
     */
    static List<Finding> scan(
            Path classes,
            Predicate<ClassInfo> student,
            Set<String> ownPackages,
            Set<String> labPackages,
            ApiAllowList list)
            throws IOException {
        List<ClassInfo> all = read(classes);
        Map<String, ClassInfo> byName = new HashMap<>();
        Set<String> students = new HashSet<>();
        for (ClassInfo c : all) {
            byName.put(c.name, c);
            if (student.test(c)) {
                students.add(c.name);
            }
        }
        Judge judge = new Judge(byName, labPackages, list);
        List<Finding> findings = new ArrayList<>();
        for (ClassInfo c : all) {
            if (!students.contains(c.name)) {
                continue;
            }
            String cls = c.name.replace('/', '.');
            String file = c.sourceFile; // absent: a class no javac of ours wrote; it is judged all the same
            if (ownPackages != null && !ownPackages.contains(packageOf(c.name))) {
                findings.add(new Finding(
                        cls,
                        "",
                        file,
                        0,
                        "is in package " + packageOf(c.name).replace('/', '.') + ", not one of "
                                + ownPackages.stream()
                                        .map(p -> p.replace('/', '.'))
                                        .toList(),
                        PACKAGE));
            }
            for (String supertype : c.supertypes) {
                String refused = judge.refusal(supertype, null, null);
                if (refused != null) {
                    findings.add(new Finding(cls, "", file, 0, "extends " + supertype.replace('/', '.'), refused));
                }
            }
            for (Use use : c.uses) {
                if (readsWorkspaceSwitch(use)) {
                    continue;
                }
                String refused = judge.refusal(use.owner, use.name, use.desc);
                if (refused != null) {
                    findings.add(new Finding(
                            cls,
                            use.method,
                            file,
                            use.line,
                            use.verb + " " + use.owner.replace('/', '.')
                                    + (use.name.equals("<init>") ? " constructor" : "." + use.name),
                            refused));
                }
            }
            for (String nativeMethod : c.nativeMethods) {
                findings.add(new Finding(cls, nativeMethod, file, 0, "is a native method", JNI));
            }
        }
        return findings;
    }

    /**
     * The workspace's own switches, which lab code may read as system properties named by a
     * constant: lab-04's {@code storagelab.btree.treeLock} and {@code storagelab.btree.latchedGets},
     * which its benchmarks set, and
     * {@code storagelab.btree.pool}, which chooses the buffer pool of trees with default options, and
     * lab-01's {@code storagelab.events}, which switches the engines' event reports off. No other
     * property: the grader's own ({@code storagelab.answers.seed}, the seed of the benchmarks'
     * answer checks) stays out of reach.
     */
    static final Set<String> WORKSPACE_SWITCHES = Set.of(
            "storagelab.btree.treeLock", "storagelab.btree.latchedGets", "storagelab.btree.pool", "storagelab.events");

    private static final Set<String> PROPERTY_READS = Set.of(
            "java/lang/System.getProperty(Ljava/lang/String;)Ljava/lang/String;",
            "java/lang/Boolean.getBoolean(Ljava/lang/String;)Z",
            "java/lang/Integer.getInteger(Ljava/lang/String;)Ljava/lang/Integer;",
            "java/lang/Long.getLong(Ljava/lang/String;)Ljava/lang/Long;");

    private static boolean readsWorkspaceSwitch(Use use) {
        return use.constant != null
                && WORKSPACE_SWITCHES.contains(use.constant)
                && PROPERTY_READS.contains(use.owner + "." + use.name + use.desc);
    }

    /** The lab's problem for {@code findings}: one line each, the first line a summary. */
    public static String problem(List<Finding> findings) {
        StringBuilder sb = new StringBuilder(findings.get(0).message());
        if (findings.size() > 1) {
            sb.append(" (and ").append(findings.size() - 1).append(" more)");
            for (Finding f : findings.subList(0, Math.min(findings.size(), 50))) {
                sb.append('\n').append(f.message());
            }
        }
        return sb.toString();
    }

    private static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash < 0 ? "" : internalName.substring(0, slash);
    }

    /** Decides whether a use is allowed, looking through the build's classes to the type that declares a member. */
    private static final class Judge {
        private final Map<String, ClassInfo> classes;
        private final Set<String> labPackages;
        private final ApiAllowList list;

        Judge(Map<String, ClassInfo> classes, Set<String> labPackages, ApiAllowList list) {
            this.classes = classes;
            this.labPackages = labPackages;
            this.list = list;
        }

        /**
         * Null when {@code owner.member} (member null: the type itself; {@code desc} a method's
         * descriptor, null for a field) is allowed; otherwise why not.
         */
        String refusal(String owner, String member, String desc) {
            if (owner.startsWith("[")) {
                return null; // array clone() and length
            }
            String type = owner;
            Set<String> seen = new HashSet<>();
            // Up through the build's own classes (student and given) to the class that declares the member.
            while (classes.containsKey(type) && seen.add(type)) {
                ClassInfo c = classes.get(type);
                if (member == null || c.declares(member, desc)) {
                    return null; // a class of this lab: its own code is judged on its own
                }
                if (c.superName == null) {
                    return null;
                }
                type = c.superName;
            }
            if (labPackages.contains(packageOf(type))) {
                return null;
            }
            ApiAllowList.Verdict v = list.judge(type, member, desc);
            if (v.allowed()) {
                return null;
            }
            return v.why() == null ? NOT_LISTED : "refused by " + ApiAllowList.PATH + " (" + v.why() + ")";
        }
    }

    // --- reading classes with ASM --------------------------------------------------------------

    /** A use of {@code owner.name} on source line {@code line}; {@code constant} the string constant pushed just before a call, or null. */
    private record Use(String method, String verb, String owner, String name, String desc, String constant, int line) {}

    /** One compiled class: its name, source file, supertypes, members and uses. */
    static final class ClassInfo {
        String name;
        String superName;
        String sourceFile;
        byte[] bytes;
        final List<String> supertypes = new ArrayList<>();
        final Set<String> members = new HashSet<>();
        final List<Use> uses = new ArrayList<>();
        final List<String> nativeMethods = new ArrayList<>();

        boolean declares(String member, String desc) {
            return members.contains(desc == null ? member + ":field" : member + desc);
        }

        /** The source file's path under src/main/java, as javac recorded it ({@code dev/storagelab/x/Y.java}). */
        String sourcePath() {
            int slash = name.lastIndexOf('/');
            return (slash < 0 ? "" : name.substring(0, slash + 1)) + sourceFile;
        }
    }

    static List<ClassInfo> read(Path classes) throws IOException {
        if (!Files.isDirectory(classes)) {
            throw new IOException("no compiled classes to scan in " + classes);
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(p -> p.toString().endsWith(".class") && Files.isRegularFile(p))
                    .sorted()
                    .toList();
        }
        List<ClassInfo> out = new ArrayList<>();
        for (Path f : files) {
            if (f.getFileName().toString().equals("module-info.class")
                    || f.getFileName().toString().equals("package-info.class")) {
                continue;
            }
            ClassInfo info = new ClassInfo();
            try {
                info.bytes = Files.readAllBytes(f);
                new ClassReader(info.bytes).accept(new Reader(info), ClassReader.SKIP_FRAMES);
            } catch (RuntimeException e) {
                throw new IOException("cannot read compiled class " + f + ": " + e, e);
            }
            out.add(info);
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
        public void visit(
                int version, int access, String name, String signature, String superName, String[] interfaces) {
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
        public MethodVisitor visitMethod(
                int access, String name, String descriptor, String signature, String[] exceptions) {
            info.members.add(name + descriptor);
            if ((access & Opcodes.ACC_NATIVE) != 0) {
                info.nativeMethods.add(name);
            }
            String method = name;
            return new MethodVisitor(Opcodes.ASM9) {
                private int line;
                // the string constant pushed by the instruction just before a call, for a
                // property read by name; any other instruction, or a jump target, forgets it
                private String lastString;

                @Override
                public void visitLineNumber(int l, Label start) {
                    line = l;
                }

                @Override
                public void visitMethodInsn(int opcode, String owner, String n, String desc, boolean isInterface) {
                    info.uses.add(new Use(method, "calls", owner, n, desc, lastString, line));
                    lastString = null;
                }

                @Override
                public void visitFieldInsn(int opcode, String owner, String n, String desc) {
                    info.uses.add(new Use(method, "uses", owner, n, null, null, line));
                    lastString = null;
                }

                @Override
                public void visitInvokeDynamicInsn(String n, String desc, Handle bootstrap, Object... args) {
                    lastString = null;
                    info.uses.add(new Use(
                            method,
                            "bootstraps with",
                            bootstrap.getOwner(),
                            bootstrap.getName(),
                            bootstrap.getDesc(),
                            null,
                            line));
                    for (Object a : args) {
                        handle(a);
                    }
                }

                @Override
                public void visitLdcInsn(Object value) {
                    handle(value);
                    if (value
                            instanceof
                            org.objectweb.asm.ConstantDynamic c) { // not from javac's Java: judged by its bootstrap
                        Handle b = c.getBootstrapMethod();
                        info.uses.add(
                                new Use(method, "bootstraps with", b.getOwner(), b.getName(), b.getDesc(), null, line));
                    }
                    lastString = value instanceof String str ? str : null;
                }

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
                public void visitJumpInsn(int opcode, Label label) {
                    lastString = null;
                }

                @Override
                public void visitLabel(Label label) {
                    lastString = null;
                }

                @Override
                public void visitIincInsn(int varIndex, int increment) {
                    lastString = null;
                }

                @Override
                public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
                    lastString = null;
                }

                @Override
                public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
                    lastString = null;
                }

                @Override
                public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
                    lastString = null;
                }

                private void handle(Object a) {
                    if (a instanceof Handle h) { // a method reference: System::exit
                        info.uses.add(new Use(method, "refers to", h.getOwner(), h.getName(), h.getDesc(), null, line));
                    }
                }
            };
        }
    }
}
