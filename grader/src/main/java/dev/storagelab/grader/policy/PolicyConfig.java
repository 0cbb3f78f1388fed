package dev.storagelab.grader.policy;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;

/**
 * What the policy was started with ({@link LabPolicy#configure}): the labs' class folders, the
 * folders lab code may use, the working directory; and the arithmetic of paths by which the rules
 * judge them. Started once, as the agent puts the policy in place, and never changed.
 */
final class PolicyConfig {

    /** The policy in force in this JVM; null until its agent starts it. */
    private static volatile PolicyConfig current;

    private final List<String> labCode;
    private final List<String> folders;
    private final String userDir;

    private PolicyConfig(List<String> labCode, List<String> folders, String userDir) {
        this.labCode = labCode;
        this.folders = folders;
        this.userDir = userDir;
    }

    /** The policy in force, or null when there is none (yet). */
    static PolicyConfig current() {
        return current;
    }

    /** Puts the policy in force with the lists its JVM was given ({@link LabPolicy#configure} calls it once). */
    static void start(String labCode, String folders, String userDir) {
        String dir = normalize(userDir, "/");
        current = new PolicyConfig(paths(labCode, dir), paths(folders, dir), dir);
    }

    private static List<String> paths(String list, String userDir) {
        List<String> out = new ArrayList<>();
        if (list != null) {
            for (String p : list.split(File.pathSeparator)) {
                if (!p.isBlank()) {
                    out.add(normalize(p, userDir));
                }
            }
        }
        return List.copyOf(out);
    }

    /** Whether {@code type} was loaded from one of the labs' class folders. */
    boolean isLabCode(Class<?> type) {
        ProtectionDomain domain = type.getProtectionDomain();
        CodeSource source = domain == null ? null : domain.getCodeSource();
        URL location = source == null ? null : source.getLocation();
        if (location == null || !"file".equals(location.getProtocol())) {
            return false;
        }
        String path;
        try {
            path = new File(location.toURI()).getPath();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return false;
        }
        String p = normalize(path, "/");
        return labCode.contains(p) || under(p, labCode);
    }

    /** {@code path} made absolute against the working directory, and normalised ({@link #normalize}). */
    String absolute(String path) {
        return normalize(path, userDir);
    }

    /**
     * Whether lab code may use {@code path} (absolute and normalised): anything inside the run's
     * folders, and a folder itself to read (list it, sync it).
     */
    boolean mayUse(String path, boolean write) {
        return under(path, folders) || (!write && folders.contains(path));
    }

    /** Whether {@code path} is strictly inside one of {@code folders}. */
    private static boolean under(String path, List<String> folders) {
        for (String f : folders) {
            if (path.length() > f.length()
                    && path.startsWith(f)
                    && (f.endsWith("/") || path.charAt(f.length()) == '/')) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code path} made absolute against {@code dir} and normalised as the kernel would walk it
     * without links: no {@code .}, {@code ..}, repeated or trailing separators.
     */
    static String normalize(String path, String dir) {
        String p = path.startsWith("/") ? path : dir + "/" + path;
        List<String> names = new ArrayList<>();
        for (String name : p.split("/")) {
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (!names.isEmpty()) {
                    names.remove(names.size() - 1);
                }
            } else {
                names.add(name);
            }
        }
        return "/" + String.join("/", names);
    }
}
