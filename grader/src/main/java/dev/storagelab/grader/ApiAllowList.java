package dev.storagelab.grader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The APIs lab code may use, read from {@code grader/allowed-apis.txt} (packaged into the grader):
 * named types, named members, whole packages, and exceptions to them. {@link ClassScan} judges every
 * use in a student class against it; whatever the list does not allow is refused, so a power nobody
 * thought of is refused too. The workspace's own lab packages are allowed by {@link ClassScan}, not
 * here.
 */
final class ApiAllowList {

    /** Where the list lives in the workspace, for messages: a student or instructor reads it there. */
    static final String PATH = "grader/allowed-apis.txt";

    /** An entry: an internal type name or a package prefix ending in {@code /}, and a member or null for all. */
    private record Entry(String owner, String member, String why, int line) {}

    /** The verdict on one use: allowed, or refused with the list's reason. */
    record Verdict(boolean allowed, String why) {
        static final Verdict ALLOWED = new Verdict(true, null);
    }

    private final Map<String, Entry> allowedTypes = new HashMap<>();
    private final Map<String, Entry> allowedMembers = new HashMap<>();
    private final Map<String, Entry> allowedPackages = new HashMap<>();
    private final Map<String, Entry> deniedTypes = new HashMap<>();
    private final Map<String, Entry> deniedMembers = new HashMap<>();

    private static ApiAllowList packaged;

    /** The grader's own list. */
    static synchronized ApiAllowList packaged() {
        if (packaged == null) {
            try (InputStream in = ApiAllowList.class.getResourceAsStream("allowed-apis.txt")) {
                if (in == null) {
                    throw new IllegalStateException(
                            "the grader was built without " + PATH + "; rebuild it (./storagelab does)");
                }
                packaged = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), PATH);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return packaged;
    }

    /** Parses {@code text}; a malformed line fails with its file and line number. */
    static ApiAllowList parse(String text, String source) {
        ApiAllowList list = new ApiAllowList();
        int lineNo = 0;
        for (String raw : text.split("\n", -1)) {
            lineNo++;
            String entry = raw.strip();
            String why = "";
            int comment = commentStart(raw);
            if (comment >= 0) {
                entry = raw.substring(0, comment).strip();
                why = raw.substring(comment + 1).strip();
            }
            if (entry.isEmpty()) {
                continue;
            }
            boolean deny = entry.startsWith("-");
            if (deny) {
                entry = entry.substring(1);
            }
            if (!entry.matches("[A-Za-z_$][\\w$]*(\\.[\\w$]+)*(\\.\\*|#(<init>|[\\w$]+))?")) {
                throw new IllegalArgumentException(source + ":" + lineNo
                        + ": not an entry (TYPE, TYPE#member, PACKAGE.* or" + " -TYPE[#member]): " + raw.strip());
            }
            if (why.isEmpty()) {
                throw new IllegalArgumentException(
                        source + ":" + lineNo + ": an entry needs its reason after '#': " + raw.strip());
            }
            String member = null;
            int at = entry.indexOf('#');
            if (at >= 0) {
                member = entry.substring(at + 1);
                entry = entry.substring(0, at);
            }
            if (entry.endsWith(".*")) {
                if (deny || member != null) {
                    throw new IllegalArgumentException(source + ":" + lineNo
                            + ": a package is allowed whole; take types" + " out of it one by one: " + raw.strip());
                }
                String pkg = entry.substring(0, entry.length() - 2).replace('.', '/') + "/";
                list.allowedPackages.put(pkg, new Entry(pkg, null, why, lineNo));
                continue;
            }
            String type = entry.replace('.', '/');
            Entry e = new Entry(type, member, why, lineNo);
            if (deny) {
                (member == null ? list.deniedTypes : list.deniedMembers)
                        .put(member == null ? type : type + "#" + member, e);
            } else {
                (member == null ? list.allowedTypes : list.allowedMembers)
                        .put(member == null ? type : type + "#" + member, e);
            }
        }
        return list;
    }

    /** Where the reason starts: the first '#' that follows whitespace (a member's '#' follows a name). */
    private static int commentStart(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return i;
            }
        }
        return -1;
    }

    /** {@link #judge(String, String, String)} of a member known by its name alone (any method or field of that name). */
    Verdict judge(String owner, String member) {
        return judge(owner, member, JdkTypes.ANY);
    }

    /**
     * Whether a use of {@code owner.member} ({@code owner} an internal name; {@code member} a method,
     * field or {@code <init>}, or null for the type itself, as a supertype; {@code desc} the method's
     * descriptor, null for a field) is allowed. What the list takes out of a type is taken out of
     * its subtypes too ({@code -java.lang.Throwable#getStackTrace} covers {@code
     * IllegalStateException.getStackTrace}). A member is judged as a member of the type that
     * declares it, as the JVM resolves it: one the owner inherits is allowed where the declaring
     * supertype allows it ({@code getClass} through {@code Thread}), and an allowed type opens none
     * of the members it inherits from a type the list does not allow ({@code getAllStackTraces}
     * through {@code ForkJoinWorkerThread}, which inherits it from {@code Thread}). A member
     * declared by a supertype that is no API (a class that is not public, as {@code
     * AbstractStringBuilder}) is the owner's.
     */
    Verdict judge(String owner, String member, String desc) {
        List<String> supertypes = JdkTypes.withSupertypes(owner);
        for (String t : supertypes) {
            Entry denied = member == null ? null : deniedMembers.get(t + "#" + member);
            if (denied == null) {
                denied = deniedTypes.get(t);
            }
            if (denied != null) {
                return new Verdict(false, denied.why());
            }
        }
        String judged = owner;
        if (member != null && !member.equals("<init>")) {
            String declaring = JdkTypes.declaring(owner, member, desc);
            if (declaring != null && !declaring.equals(owner) && JdkTypes.isPublic(declaring)) {
                judged = declaring;
            }
        }
        return allows(judged, member) ? Verdict.ALLOWED : new Verdict(false, null);
    }

    private boolean allows(String owner, String member) {
        if (allowedTypes.containsKey(owner) || (member != null && allowedMembers.containsKey(owner + "#" + member))) {
            return true;
        }
        int slash = owner.lastIndexOf('/');
        if (slash >= 0 && allowedPackages.containsKey(owner.substring(0, slash + 1))) {
            return true;
        }
        // a type some of whose members are allowed may be named, extended or implemented
        return member == null && allowedMembers.keySet().stream().anyMatch(k -> k.startsWith(owner + "#"));
    }

    /** The entries, for a test that every one is well-formed and explained. */
    List<String> entries() {
        List<String> all = new ArrayList<>();
        allowedTypes.keySet().forEach(all::add);
        allowedMembers.keySet().forEach(all::add);
        allowedPackages.keySet().forEach(all::add);
        deniedTypes.keySet().forEach(k -> all.add("-" + k));
        deniedMembers.keySet().forEach(k -> all.add("-" + k));
        return all;
    }
}
