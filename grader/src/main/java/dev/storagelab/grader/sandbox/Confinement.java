package dev.storagelab.grader.sandbox;

import dev.storagelab.grader.workspace.FileTrees;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the grader runs as root (Gradescope's containers, CI), each test JVM runs as an
 * unprivileged user of its own, with a private scratch folder, so student code can neither signal
 * the grader, nor see or change another student's run, nor read the grader's scratch space (the
 * workspace copies that hold the hidden tests' sources).
 *
 * <pre>
 * /tmp/storagelab-confinedNNN/        root, 0711: others may pass, not list
 *   grader.lock                       root, 0600: locked while the grader lives (a dead one's folder is deleted)
 *   jars/                             root, 0711: the Maven repository's jars, hard-linked (0644)
 *   runNNN/                           root:G, 0750: one test run, readable only by its user
 *     cp/                             root:G, 0750/0640: a copy of the run's class path; not writable by it
 *     tests-K.txt                     root:G, 0640: the test ids of round K
 *     events-K.txt                    U:G, 0600: the runner's signed events of round K
 *     work/  tmp/                     U:G, 0700: the test JVM's working and temp directories
 * </pre>
 *
 * Each run leases a user id {@code U} (group {@code G = U}) of its own from a range that no account
 * of the machine uses, so two runs of a parallel {@code grade-all} never share one (nor two grader
 * processes: a lock file per id in {@code /run/storagelab/uids}, root's, 0700); when the run
 * ends, every process left with that id is killed, and the run's folder and whatever the id left
 * in every folder of the machine anyone may write to deleted (hidden files and sockets too, such
 * as the attach socket {@code /tmp/.java_pid<pid>} of a test JVM that Lincheck's agent attached to
 * and that was killed). A run that starts does the same first, for a grader that died with a
 * run of that id open. The test JVM starts
 * through util-linux's {@code setpriv} with no supplementary groups, no capabilities (none
 * inherited, an empty bounding set) and {@code no_new_privs}, in an environment of its own, and
 * (through {@code prlimit}, when present) with at most {@value #MAX_THREADS} processes and threads.
 *
 * <p>When the grader is not root, or {@code setpriv} is missing, or {@code STORAGELAB_CONFINE=off},
 * test JVMs run as before: as the grader's user, in the grader's scratch space ({@link #describe}
 * says which, for the instructor's report).
 */
public final class Confinement {

    /**
     * Where the user ids are leased: one folder for the whole machine, root's, at a fixed place,
     * so that every grader on the machine (whatever its temp folder, environment or working
     * directory) takes its ids from the same locks.
     */
    static final Path LEASES = Path.of("/run/storagelab/uids");

    /** The first user id leased to test runs, and how many there are. */
    static final int FIRST_UID = 61000;

    static final int UIDS = 64;
    /** The most processes and threads a run's user may have at once (util-linux's prlimit, when present). */
    public static final int MAX_THREADS = 1024;

    private static Confinement current;

    private final boolean on;
    private final String description;
    private final Path setpriv;
    private final Path prlimit;
    private final UidLeases leases;
    private Path base; // guarded by this
    private FileChannel baseLock; // guarded by this; held while this grader lives
    private final Map<Path, Path> sharedJars = new HashMap<>(); // guarded by this

    private Confinement(boolean on, String description, Path setpriv, Path prlimit, BitSet taken) {
        this.on = on;
        this.description = description;
        this.setpriv = setpriv;
        this.prlimit = prlimit;
        this.leases = taken == null ? null : new UidLeases(taken);
    }

    /** This process's confinement, detected once. */
    public static synchronized Confinement current() {
        if (current == null) {
            current = detect();
        }
        return current;
    }

    private static Confinement detect() {
        String env = System.getenv("STORAGELAB_CONFINE");
        if ("off".equalsIgnoreCase(env == null ? "" : env.trim())) {
            return off("not confined: turned off by STORAGELAB_CONFINE=off; test JVMs ran as the grader's user");
        }
        int uid;
        try {
            uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return off("not confined: this system has no Unix user ids (" + e.getMessage()
                    + "); test JVMs ran as the grader's user");
        }
        if (uid != 0) {
            return off(
                    "not confined: the grader does not run as root (uid " + uid + "), so it cannot start test JVMs as"
                            + " another user; they ran as the grader's user, with the grader's scratch space");
        }
        Path setpriv = find("setpriv");
        if (setpriv == null) {
            return off("not confined: setpriv (util-linux) is missing, so test JVMs ran as root; install util-linux");
        }
        BitSet taken = new BitSet(UIDS);
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"), StandardCharsets.UTF_8)) {
                String[] f = line.split(":");
                if (f.length > 3) {
                    markTaken(taken, f[2]);
                    markTaken(taken, f[3]);
                }
            }
            if (Files.isReadable(Path.of("/etc/group"))) {
                for (String line : Files.readAllLines(Path.of("/etc/group"), StandardCharsets.UTF_8)) {
                    String[] f = line.split(":");
                    if (f.length > 2) {
                        markTaken(taken, f[2]);
                    }
                }
            }
        } catch (IOException e) {
            return off("not confined: cannot read /etc/passwd to find free user ids (" + e.getMessage() + ")");
        }
        if (taken.cardinality() == UIDS) {
            return off(
                    "not confined: user ids " + FIRST_UID + "-" + (FIRST_UID + UIDS - 1) + " all belong to accounts");
        }
        Path prlimit = find("prlimit");
        return new Confinement(
                true,
                "confined: each test JVM ran as an unprivileged user of its own (uids " + FIRST_UID + "-"
                        + (FIRST_UID + UIDS - 1) + ", no capabilities, no_new_privs"
                        + (prlimit == null
                                ? ", no limit on its threads: prlimit is missing"
                                : ", at most " + MAX_THREADS + " threads")
                        + ") with a private scratch folder (mode 700)",
                setpriv,
                prlimit,
                taken);
    }

    private static void markTaken(BitSet taken, String id) {
        try {
            int n = Integer.parseInt(id.trim()) - FIRST_UID;
            if (n >= 0 && n < UIDS) {
                taken.set(n);
            }
        } catch (NumberFormatException e) {
            // not a number: not an id
        }
    }

    /** A util-linux tool, in /usr/bin, /bin or on the PATH; null if missing. */
    static Path find(String tool) {
        List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/bin", tool), Path.of("/bin", tool)));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (!dir.isBlank()) {
                    candidates.add(Path.of(dir, tool));
                }
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
    }

    private static Confinement off(String why) {
        return new Confinement(false, why, null, null, null);
    }

    /** Whether test JVMs run as unprivileged users. */
    public boolean on() {
        return on;
    }

    /** Whether a run's user may have at most {@link #MAX_THREADS} processes and threads. */
    public boolean limitsThreads() {
        return on && prlimit != null;
    }

    /**
     * Makes {@code dir} (a grader's scratch space or reference build, which hold the hidden tests'
     * sources and other students' builds) root's alone, when test JVMs run as other users.
     */
    public void keepPrivate(Path dir) throws IOException {
        if (on && Files.isDirectory(dir)) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /**
     * A warning when a confined test JVM could still read a file under {@code dir} (the hidden
     * tests' sources of the instructor's workspace): every folder from the root down to the file
     * lets others pass, and the file lets others read. Empty when confinement is off (then the test
     * JVM is the grader's user and reads it anyway) or nothing is exposed.
     */
    public Optional<String> readableByOthers(Path dir) throws IOException {
        if (!on || !Files.isDirectory(dir)) {
            return Optional.empty();
        }
        for (Path p = dir.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return Optional.empty();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
                        && Files.getPosixFilePermissions(f).contains(PosixFilePermission.OTHERS_READ)
                        && passable(f.getParent(), dir)) {
                    return Optional.of(
                            f + " is readable by every user, so a test JVM could read the hidden tests through a"
                                    + " path; make the workspace private: chmod -R go-rwx " + dir);
                }
            }
        }
        return Optional.empty();
    }

    private static boolean passable(Path folder, Path top) throws IOException {
        for (Path p = folder; p != null && p.startsWith(top); p = p.getParent()) {
            if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return false;
            }
        }
        return true;
    }

    /** One sentence for the instructor's report: whether and how test JVMs were confined. */
    public String describe() {
        return description;
    }

    /**
     * Opens a confined area for one test run whose JVM needs {@code classpath} (class folders and
     * jars, in order). Only when {@link #on()}.
     */
    public Run open(List<Path> classpath) throws IOException {
        if (!on) {
            throw new IllegalStateException("confinement is off: " + description);
        }
        int uid = leases.lease();
        Run run;
        try {
            // What a grader that died with a run of this id open left: its processes, then their files
            // where anyone may write, which this run's user could otherwise read.
            TestUserSweep.killAll(uid);
            TestUserSweep.removeLeftovers(uid);
            Path base = base();
            TestUserSweep.removeAbandonedFolders(base);
            run = new Run(uid, Files.createTempDirectory(base, "run"));
        } catch (IOException | RuntimeException e) {
            leases.release(uid);
            throw e;
        }
        try {
            run.prepare(classpath);
        } catch (IOException | RuntimeException e) {
            run.close(); // frees the id too
            throw e;
        }
        return run;
    }

    /** The folder every run's folder lives in: root's, passable by anyone, listable by no one else. */
    private synchronized Path base() throws IOException {
        if (base == null || !Files.isDirectory(base)) {
            base = FileTrees.temporaryFolder("storagelab-confined"); // deleted however the grader ends
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x"));
            if (baseLock != null) {
                baseLock.close(); // the folder it held is gone
            }
            baseLock = TestUserSweep.holdFolder(base);
            Path jars = Files.createDirectory(base.resolve("jars"));
            Files.setPosixFilePermissions(jars, PosixFilePermissions.fromString("rwx--x--x"));
            sharedJars.clear();
        }
        return base;
    }

    /**
     * A jar of the local Maven repository, linked (or copied) into the shared jars folder once: these
     * are public libraries, so every run may read them, and hard links keep this cheap.
     */
    private synchronized Path sharedJar(Path jar) throws IOException {
        Path shared = sharedJars.get(jar);
        if (shared == null) {
            shared = base.resolve("jars").resolve(sharedJars.size() + "-" + jar.getFileName());
            try {
                Files.createLink(shared, jar);
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(jar, shared, StandardCopyOption.COPY_ATTRIBUTES);
            }
            if (!Files.getPosixFilePermissions(shared).containsAll(PosixFilePermissions.fromString("r--r--r--"))) {
                Files.deleteIfExists(
                        shared); // a hard link shares its mode: copy instead of changing the repository's file
                Files.copy(jar, shared);
                Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r--r--"));
            }
            sharedJars.put(jar, shared);
        }
        return shared;
    }

    private static boolean inMavenRepository(Path p) {
        String s = p.toAbsolutePath().normalize().toString();
        return s.contains("/.m2/repository/") && s.endsWith(".jar") && Files.isRegularFile(p);
    }

    /** One test run's confined area; closing it kills what is left of the run and deletes its files. */
    public final class Run implements AutoCloseable {
        private final int uid;
        private final Path dir;
        private final Path work;
        private final Path tmp;
        private final Path results;
        private final List<SandboxPolicy.Entry> classpath = new ArrayList<>();

        private Run(int uid, Path dir) throws IOException {
            this.uid = uid;
            this.dir = dir;
            readableByRun(dir, true);
            this.work = ownedByRun(Files.createDirectory(dir.resolve("work")), true);
            this.tmp = ownedByRun(Files.createDirectory(dir.resolve("tmp")), true);
            this.results = ownedByRun(Files.createDirectory(dir.resolve("results")), true);
        }

        /**
         * A folder the run's trusted code (JMH's own process) writes results to: the run's user
         * owns it, but lab code may not touch it ({@link SandboxPolicy} gives lab code only
         * {@link #work()} and {@link #tmp()}).
         */
        public Path results() {
            return results;
        }

        /** The folder of the runner's sockets: the run may pass through it, not list it or write to it. */
        public Path channels() {
            return dir;
        }

        /** Lets this run's user (and no one else) connect to {@code socket}, a socket this grader listens on. */
        public void connectableByRun(Path socket) throws IOException {
            Files.setAttribute(socket, "unix:gid", uid);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        }

        /** The class path with which entries are lab code, for the policy. */
        public List<SandboxPolicy.Entry> sandboxClasspath() {
            return List.copyOf(classpath);
        }

        /** The user id this run leased. */
        public int uid() {
            return uid;
        }

        /** The test JVM's working directory, which only it can use. */
        public Path work() {
            return work;
        }

        /** The test JVM's temp directory ({@code java.io.tmpdir}), which only it can use. */
        public Path tmp() {
            return tmp;
        }

        /** The class path to give the test JVM: copies it can read and not change. */
        public List<String> classpath() {
            return classpath.stream().map(SandboxPolicy.Entry::path).toList();
        }

        private void prepare(List<Path> entries) throws IOException {
            Path cp = readableByRun(Files.createDirectory(dir.resolve("cp")), true);
            int i = 0;
            for (Path entry : entries) {
                if (!Files.exists(entry)) {
                    continue; // a missing entry (no test classes) is missing for the JVM too
                }
                if (inMavenRepository(entry)) {
                    classpath.add(new SandboxPolicy.Entry(sharedJar(entry).toString(), false));
                    continue;
                }
                Path copy = cp.resolve(i++ + "-" + entry.getFileName());
                copyReadable(entry, copy);
                classpath.add(new SandboxPolicy.Entry(copy.toString(), SandboxPolicy.isLabClasses(entry)));
            }
            classpath.add(
                    new SandboxPolicy.Entry(runnerCopy(cp.resolve("runner")).toString(), false));
        }

        /** The runner's classes ({@link RunnerClasses}), readable by this run and not writable. */
        private Path runnerCopy(Path to) throws IOException {
            RunnerClasses.copy(to);
            try (Stream<Path> files = Files.walk(to)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    readableByRun(p, Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS));
                }
            }
            return to;
        }

        /** Copies a class folder or a jar, its regular files and folders only (never what a link points at). */
        private void copyReadable(Path from, Path to) throws IOException {
            if (Files.isRegularFile(from)) {
                Files.createDirectories(to.getParent());
                Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
                readableByRun(to, false);
                return;
            }
            try (Stream<Path> files = Files.walk(from)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectories(target);
                        readableByRun(target, true);
                    } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectories(target.getParent());
                        Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                        readableByRun(target, false);
                    }
                }
            }
        }

        /** Root's, and readable (not writable) by this run's group only. */
        private Path readableByRun(Path p, boolean directory) throws IOException {
            Files.setAttribute(p, "unix:gid", uid);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(directory ? "rwxr-x---" : "rw-r-----"));
            return p;
        }

        /** This run's user's own, and no one else's. */
        private Path ownedByRun(Path p, boolean directory) throws IOException {
            Files.setAttribute(p, "unix:uid", uid);
            Files.setAttribute(p, "unix:gid", uid);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(directory ? "rwx------" : "rw-------"));
            return p;
        }

        /** The list of test ids for round {@code round}: readable by the run, not writable. */
        public Path testsFile(int round, List<String> ids) throws IOException {
            Path p = dir.resolve("tests-" + round + ".txt");
            Files.write(p, ids, StandardCharsets.UTF_8);
            return readableByRun(p, false);
        }

        /** The empty events file of round {@code round}: the runner (as this run's user) appends to it. */
        public Path eventsFile(int round) throws IOException {
            Path p = dir.resolve("events-" + round + ".txt");
            Files.deleteIfExists(p);
            return ownedByRun(Files.createFile(p), false);
        }

        /** {@code command} (a {@code java} command line) run as this run's user, with nothing it could inherit. */
        public List<String> command(List<String> command) {
            return command(command, 4096L << 20);
        }

        /** As {@link #command(List)}, no file it writes larger than {@code maxFileBytes}. */
        public List<String> command(List<String> command, long maxFileBytes) {
            List<String> cmd = new ArrayList<>();
            if (prlimit != null) {
                // RLIMIT_NPROC counts every thread of the user, and the user is this run's alone
                long fsize = maxFileBytes;
                cmd.addAll(List.of(
                        prlimit.toString(),
                        "--nproc=" + MAX_THREADS + ":" + MAX_THREADS,
                        "--fsize=" + fsize + ":" + fsize,
                        "--"));
            }
            cmd.addAll(List.of(
                    setpriv.toString(),
                    "--reuid=" + uid,
                    "--regid=" + uid,
                    "--clear-groups",
                    "--inh-caps=-all",
                    "--bounding-set=-all",
                    "--no-new-privs",
                    "--"));
            cmd.addAll(command);
            return cmd;
        }

        /** The test JVM's whole environment: nothing of the grader's (tokens, paths) but a PATH and a locale. */
        public Map<String, String> environment() {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
            env.put("HOME", work.toString());
            env.put("TMPDIR", tmp.toString());
            String lang = System.getenv("LANG");
            env.put("LANG", lang == null || lang.isBlank() ? "C.UTF-8" : lang);
            return env;
        }

        /** Kills every process left with this run's user id, deletes the run's files, and frees the id. */
        @Override
        public void close() throws IOException {
            try {
                TestUserSweep.killAll(uid);
                FileTrees.deleteRecursively(dir);
                TestUserSweep.removeLeftovers(uid);
            } finally {
                leases.release(uid);
            }
        }
    }
}
