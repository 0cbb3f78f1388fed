package dev.storagelab.grader.runner;

import java.io.File;
import java.io.FilePermission;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.Permission;
import java.security.PermissionCollection;
import java.security.Permissions;
import java.security.Policy;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.PropertyPermission;

/**
 * The SecurityManager of every JVM that runs lab code under the grader, named on its command line
 * ({@code -Djava.security.manager=dev.storagelab.grader.runner.LabSecurityManager}), so it is in
 * force before the first class of the submission loads. It installs a policy in which the labs'
 * compiled classes ({@value #LAB_CODE}: their folders) may use files only under the run's own
 * folders ({@value #FOLDERS}), read the workspace's switches ({@code storagelab.btree.treeLock},
 * {@code storagelab.btree.pool}, {@code storagelab.events}) and a few harmless
 * properties, stop the threads they start and list a class's members; and nothing else: no exec, exit, network, file
 * descriptors, reflection past access checks, class loaders, {@code setIO}. Every other class (the
 * JDK, JUnit, jqwik, Lincheck and the classes it generates, JMH, the tests, the testkit, this
 * runner) may do anything. The JDK checks every class on the stack, so a trusted class called from
 * lab code is held to the lab's permissions, with one exception: Lincheck's work inside its own
 * instrumentation hooks ({@link #checkPermission(Permission)}).
 */
public final class LabSecurityManager extends SecurityManager {

    /** The system property that lists the labs' class folders, separated by {@link File#pathSeparator}. */
    public static final String LAB_CODE = "storagelab.sandbox.labCode";
    /** The system property that lists the folders lab code may use, separated by {@link File#pathSeparator}. */
    public static final String FOLDERS = "storagelab.sandbox.folders";

    /**
     * The frame through which Lincheck's instrumentation calls its model checker from the code it
     * checks: each access of lab code to shared memory, each lock and each new object becomes a call
     * of this class's static methods, on the bootstrap class path.
     */
    static final String LINCHECK_HOOKS = "sun.nio.ch.lincheck.Injections";

    /** Made once: asking for a walker that keeps classes is itself a permission check. */
    private final StackWalker stack = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private final LabPolicy policy;

    public LabSecurityManager() {
        policy = new LabPolicy(paths(System.getProperty(LAB_CODE)), paths(System.getProperty(FOLDERS)));
        Policy.setPolicy(policy);
    }

    /**
     * The policy's check, with one exception: what Lincheck's model checker does on its own inside
     * one of its instrumentation hooks ({@value #LINCHECK_HOOKS}), with no lab code between the hook
     * and the check, is Lincheck's, as if the hook were {@code doPrivileged}. Its analysis reflects
     * on the objects lab code holds (their fields, made accessible) while the lab code that reached
     * the hook is still on the stack. Lab code cannot call a hook itself (the allow-list refuses
     * {@code sun.} classes and reflection), and whatever lab code Lincheck calls back (a
     * {@code toString}, a {@code hashCode}) sits above the hook and is held to the lab's permissions.
     */
    @Override
    public void checkPermission(Permission perm) {
        try {
            super.checkPermission(perm);
        } catch (SecurityException e) {
            if (!insideLincheckHook()) {
                throw e;
            }
        }
    }

    private boolean insideLincheckHook() {
        return stack.walk(frames -> {
            for (java.util.Iterator<StackWalker.StackFrame> it = frames.iterator(); it.hasNext(); ) {
                Class<?> c = it.next().getDeclaringClass();
                if (c.getName().equals(LINCHECK_HOOKS)) {
                    return true;
                }
                if (policy.isLabCode(c)) {
                    return false;
                }
            }
            return false;
        });
    }

    private static List<Path> paths(String list) {
        List<Path> out = new ArrayList<>();
        if (list != null) {
            for (String p : list.split(File.pathSeparator)) {
                if (!p.isBlank()) {
                    out.add(Path.of(p).toAbsolutePath().normalize());
                }
            }
        }
        return out;
    }

    /** Lab code gets {@link #lab}; everything else every permission. */
    static final class LabPolicy extends Policy {
        private final List<Path> labCode;
        private final Permissions lab = new Permissions();
        /**
         * Whether each protection domain is lab code, worked out once: the JDK asks the policy about
         * every domain on the stack at every check, and Lincheck's model checker checks often.
         */
        private final java.util.Map<ProtectionDomain, Boolean> labDomains =
                new java.util.concurrent.ConcurrentHashMap<>();

        LabPolicy(List<Path> labCode, List<Path> folders) {
            this.labCode = List.copyOf(labCode);
            for (Path f : folders) {
                lab.add(new FilePermission(f.toString(), "read"));
                lab.add(new FilePermission(f + File.separator + "-", "read,write,delete"));
            }
            for (String property : List.of(
                    "storagelab.btree.treeLock",
                    "storagelab.btree.pool",
                    "storagelab.events",
                    "user.dir",
                    "java.io.tmpdir",
                    "os.name",
                    "os.arch",
                    "line.separator",
                    "file.separator",
                    "path.separator",
                    "java.version")) {
                lab.add(new PropertyPermission(property, "read"));
            }
            lab.add(new RuntimePermission("modifyThread"));
            // Listing a class's members: a class of the same loader (the tests) is not guarded by the
            // SecurityManager at all, the allow-list refuses reflection, and Lincheck's
            // instrumentation lists members while lab code is on the stack.
            lab.add(new RuntimePermission("accessDeclaredMembers"));
            lab.setReadOnly();
        }

        @Override
        public boolean implies(ProtectionDomain domain, Permission permission) {
            return !isLabCode(domain) || lab.implies(permission);
        }

        @Override
        public PermissionCollection getPermissions(CodeSource codesource) {
            Permissions all = new Permissions();
            all.add(new java.security.AllPermission());
            return isLabCode(codesource) ? lab : all;
        }

        @Override
        public PermissionCollection getPermissions(ProtectionDomain domain) {
            return getPermissions(domain == null ? null : domain.getCodeSource());
        }

        /** Whether {@code c} is lab code (its domain looked up with this policy's own permissions). */
        boolean isLabCode(Class<?> c) {
            @SuppressWarnings("removal")
            ProtectionDomain domain = java.security.AccessController.doPrivileged(
                    (java.security.PrivilegedAction<ProtectionDomain>) c::getProtectionDomain);
            return isLabCode(domain);
        }

        private boolean isLabCode(ProtectionDomain domain) {
            if (domain == null) {
                return false;
            }
            Boolean known = labDomains.get(domain);
            if (known == null) {
                known = isLabCode(domain.getCodeSource());
                labDomains.put(domain, known);
            }
            return known;
        }

        private boolean isLabCode(CodeSource source) {
            URL location = source == null ? null : source.getLocation();
            if (location == null || !"file".equals(location.getProtocol())) {
                return false;
            }
            Path p;
            try {
                p = Path.of(location.toURI()).toAbsolutePath().normalize();
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                return false;
            }
            for (Path dir : labCode) {
                if (p.startsWith(dir)) {
                    return true;
                }
            }
            return false;
        }
    }
}
