package dev.storagelab.grader.runner;

import java.io.File;
import java.lang.management.LockInfo;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a hang's verdict says ({@link HangWatch}): who waits on what, in the lab's own code. Each
 * thread is told by the call it waits in (the JDK's: {@code StampedLock.readLock},
 * {@code Condition.await}, {@code ReentrantLock.lock}, a {@code synchronized} block) and by the
 * frames of lab code under it, innermost first, never by its name or a frame of a test: what the
 * threads of a test wait in is counted, not shown. Threads that wait the same way at the same
 * places are one line. Lab code is the classes of the labs' class folders the grader names
 * ({@value #LAB_CODE}).
 */
final class HangReport {

    /** The system property that lists the class folders of lab code, separated as a class path is. */
    static final String LAB_CODE = HiddenTestRunner.LAB_CODE;

    /** The frames of lab code shown per thread. */
    static final int FRAMES = 3;
    /** The lines shown of threads that wait in lab code; the rest are counted. */
    static final int LINES = 3;

    private final List<Path> labFolders;
    private final Map<String, Boolean> labClasses = new ConcurrentHashMap<>();

    HangReport(List<Path> labFolders) {
        this.labFolders = List.copyOf(labFolders);
    }

    /** The report for this JVM: lab code is what {@value #LAB_CODE} lists. */
    static HangReport fromProperty() {
        List<Path> folders = new ArrayList<>();
        String value = System.getProperty(LAB_CODE, "");
        for (String f : value.split(File.pathSeparator)) {
            if (!f.isBlank()) {
                folders.add(Path.of(f));
            }
        }
        return new HangReport(folders);
    }

    /** Whether {@code className} (a binary name) is a class of lab code. */
    boolean isLab(String className) {
        return labClasses.computeIfAbsent(className, c -> {
            String file = c.replace('.', '/') + ".class";
            return labFolders.stream().anyMatch(f -> Files.isRegularFile(f.resolve(file)));
        });
    }

    /** The JDK's thread that waits for each child process to end: a wait for a child, counted by the child's CPU. */
    static boolean isProcessReaper(ThreadInfo info) {
        return info.isDaemon() && info.getThreadName().startsWith("process reaper");
    }

    /** The verdict on a JVM-visible deadlock of {@code cycle}'s threads, which lasted {@code seconds}. */
    String deadlock(Map<Long, ThreadInfo> threads, Set<Long> cycle, long seconds) {
        Map<Long, String> labels = new LinkedHashMap<>();
        for (Long id : cycle) {
            labels.put(id, String.valueOf((char) ('A' + labels.size() % 26)));
        }
        StringBuilder sb = new StringBuilder(
                "hangs: a deadlock, for " + seconds + " s: each thread waits for a lock the next one holds");
        for (Map.Entry<Long, String> e : labels.entrySet()) {
            ThreadInfo t = threads.get(e.getKey());
            if (t == null) {
                continue;
            }
            String owner = labels.get(t.getLockOwnerId());
            sb.append('\n')
                    .append(e.getValue())
                    .append(" waits in ")
                    .append(waitsIn(t))
                    .append(owner == null ? "" : ", held by " + owner)
                    .append(where(t));
        }
        return sb.append("\nTake the locks in one order everywhere.").toString();
    }

    /**
     * The verdict on threads that did not run for {@code seconds}: each wait in lab code, once per
     * place, with how many threads wait there. The waits the others queue behind come first: a
     * thread whose lock a thread waiting in lab code holds (the JDK knows the holder of an exclusive
     * lock, a write lock, a monitor) follows that holder, and says "held by a thread above"; so the
     * first line is where the hang starts, not whichever thread the JVM lists first. Threads of
     * {@code older}, alive before the test started (one an earlier test left waiting, a pool of the
     * test class), follow the test's own, and say so.
     */
    String still(Map<Long, ThreadInfo> threads, Set<Long> older, long seconds, boolean children) {
        Map<Long, ThreadInfo> inLab = new LinkedHashMap<>();
        Map<Long, String> whereOf = new HashMap<>();
        for (ThreadInfo t : threads.values()) {
            String where = where(t);
            if (!isProcessReaper(t) && !where.isEmpty()) { // not the test's own threads, nor idle threads of pools
                inLab.put(t.getThreadId(), t);
                whereOf.put(t.getThreadId(), where);
            }
        }
        Map<Long, Integer> depth = new HashMap<>();
        inLab.values().forEach(t -> depth.put(t.getThreadId(), behind(inLab, t)));
        List<ThreadInfo> ordered = new ArrayList<>(inLab.values());
        ordered.sort(Comparator.comparing((ThreadInfo t) -> older.contains(t.getThreadId()))
                .thenComparingInt(t -> depth.get(t.getThreadId())));
        Map<String, Integer> lines = new LinkedHashMap<>();
        for (ThreadInfo t : ordered) {
            long id = t.getThreadId();
            String held = depth.get(id) > 0 ? ", held by a thread above," : "";
            String before = older.contains(id) ? " (started before this test)" : "";
            lines.merge(waitsIn(t) + held + whereOf.get(id) + before, 1, Integer::sum);
        }
        StringBuilder sb = new StringBuilder(
                "hangs: for " + seconds + " s no thread ran, and none could: each waits with no progress");
        int shown = 0;
        for (Map.Entry<String, Integer> e : lines.entrySet()) {
            if (shown++ == LINES) {
                sb.append("\n... and ").append(lines.size() - LINES).append(" more places");
                break;
            }
            sb.append('\n')
                    .append(e.getValue())
                    .append(e.getValue() == 1 ? " thread waits in " : " threads wait in ")
                    .append(e.getKey());
        }
        if (children) {
            sb.append("\nthe test waits for its child JVM, which ran no code either: the lab's code hangs in it");
        } else if (lines.isEmpty()) {
            sb.append(
                    "\nno thread is in lab code: the test waits for a call that never returned, or a callback never made");
        } else {
            sb.append("\nA latch or lock never let go, or a wake-up never sent, keeps them waiting.");
        }
        return sb.toString();
    }

    /**
     * How many threads of {@code waiting} stand between {@code t} and the first of its chain that waits
     * for no thread of {@code waiting}: 0 for that one (a latch never let go, a wake-up never sent).
     */
    private static int behind(Map<Long, ThreadInfo> waiting, ThreadInfo t) {
        Set<Long> seen = new HashSet<>();
        int n = 0;
        for (ThreadInfo at = t; seen.add(at.getThreadId()); n++) {
            ThreadInfo holder = waiting.get(at.getLockOwnerId());
            if (holder == null) {
                return n;
            }
            at = holder;
        }
        return n; // a cycle (a deadlock the JVM did not see): as it came
    }

    /**
     * The call {@code t} waits in: the outermost JDK frame of the JDK's frames at the top of its
     * stack ({@code StampedLock.readLock}, {@code Condition.await}), or {@code synchronized} for a
     * thread blocked on a monitor, with the lock's kind where the JDK's names say it.
     */
    static String waitsIn(ThreadInfo t) {
        StackTraceElement[] stack = t.getStackTrace();
        String lock = lockKind(t.getLockInfo());
        if (t.getThreadState() == Thread.State.BLOCKED || stack.length == 0) {
            return "synchronized" + (lock.isEmpty() ? "" : " (" + lock + ")");
        }
        String call = null;
        for (StackTraceElement f : stack) {
            if (!isJdk(f.getClassName())) {
                break;
            }
            call = jdkName(f.getClassName()) + "." + f.getMethodName();
        }
        if (call == null) {
            return lock.isEmpty() ? "a wait" : lock;
        }
        return call.startsWith(lock + ".") || lock.isEmpty() || call.startsWith("Object.")
                ? call
                : call + " (" + lock + ")";
    }

    /** The lock's kind as a student names it: {@code ReentrantLock}, {@code Condition}; empty where not the JDK's. */
    private static String lockKind(LockInfo lock) {
        if (lock == null) {
            return "";
        }
        String name = lock.getClassName();
        if (!isJdk(name)) {
            return ""; // a monitor of an object of lab or test code: named by where it is taken
        }
        String simple = jdkName(name);
        int inner = simple.indexOf('.');
        return inner < 0 ? simple : simple.substring(0, inner); // ReentrantLock$NonfairSync: the ReentrantLock
    }

    /** A JDK class as a student names it: {@code ReentrantReadWriteLock.ReadLock}, a queued synchronizer's condition {@code Condition}. */
    private static String jdkName(String className) {
        String simple = simpleName(className);
        return simple.startsWith("AbstractQueued") && simple.endsWith(".ConditionObject") ? "Condition" : simple;
    }

    /**
     * Where {@code t} waits in lab code: its frames of lab code, innermost first, at most {@link
     * #FRAMES}: " at BufferPool.guard:416 < LatchCrabbing.pathToExclusive:160". The innermost run of
     * frames of one class (nested classes with their outer one) is its outermost frame, the call into
     * that class: a page latch's helpers in the given code take one place, and the calls into them
     * show.
     */
    String where(ThreadInfo t) {
        List<String> frames = new ArrayList<>();
        String innermost = null;
        boolean inRun = true;
        for (StackTraceElement f : t.getStackTrace()) {
            if (!isLab(f.getClassName())) {
                inRun = frames.isEmpty();
                continue;
            }
            String cls = f.getClassName();
            String outer = cls.contains("$") ? cls.substring(0, cls.indexOf('$')) : cls;
            String frame =
                    simpleName(cls) + "." + f.getMethodName() + (f.getLineNumber() > 0 ? ":" + f.getLineNumber() : "");
            if (innermost == null) {
                innermost = outer;
            } else if (inRun && outer.equals(innermost)) {
                frames.set(0, frame); // the innermost class, further out: its call into it
                continue;
            } else {
                inRun = false;
            }
            if (frames.size() == FRAMES) {
                break;
            }
            frames.add(frame);
        }
        return frames.isEmpty() ? "" : " at " + String.join(" < ", frames);
    }

    private static boolean isJdk(String className) {
        return className.startsWith("java.")
                || className.startsWith("javax.")
                || className.startsWith("jdk.")
                || className.startsWith("sun.")
                || className.startsWith("com.sun.");
    }

    /** {@code a.b.Outer$Inner} as {@code Outer.Inner}. */
    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1).replace('$', '.');
    }
}
