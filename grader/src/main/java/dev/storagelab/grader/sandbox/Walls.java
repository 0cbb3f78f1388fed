package dev.storagelab.grader.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which of the grader's three walls stood for a grade: the allow-list of what lab code may call
 * ({@link ClassScan}), the policy inside every JVM that runs lab code ({@link SandboxPolicy}), and
 * each test JVM's user of its own ({@link Confinement}, only where the grader is root). Every
 * output says which; a grade without one says so loudly, and {@code --require-walls} refuses it.
 *
 * @param allowList  whether the submission's classes were checked against the allow-list
 * @param policy     whether its test JVMs ran under the in-JVM policy
 * @param perRunUser whether each test JVM ran as an unprivileged user of its own
 */
public record Walls(boolean allowList, boolean policy, boolean perRunUser) {

    /** The walls' names, as every output gives them. */
    public static final String ALLOW_LIST = "allow-list";

    public static final String POLICY = "in-JVM policy";
    public static final String PER_RUN_USER = "per-run user";

    /** The walls this grader puts up now, with the allow-list {@code scanned} or not. */
    public static Walls current(boolean scanned) {
        return new Walls(
                scanned, SandboxPolicy.available(), Confinement.current().on());
    }

    /** Whether all three stood. */
    public boolean all() {
        return allowList && policy && perRunUser;
    }

    /** The walls that stood, in order. */
    public List<String> standing() {
        return names(true);
    }

    /** The walls that did not stand, in order. */
    public List<String> missing() {
        return names(false);
    }

    private List<String> names(boolean stood) {
        List<String> out = new ArrayList<>();
        if (allowList == stood) {
            out.add(ALLOW_LIST);
        }
        if (policy == stood) {
            out.add(POLICY);
        }
        if (perRunUser == stood) {
            out.add(PER_RUN_USER);
        }
        return out;
    }

    /** One line: {@code walls: allow-list, in-JVM policy; missing: per-run user}. */
    public String line() {
        String stood = standing().isEmpty() ? "none" : String.join(", ", standing());
        return "walls: " + stood + (all() ? "" : "; missing: " + String.join(", ", missing()));
    }

    /** Why each missing wall is missing, one sentence each, for the instructor. */
    public List<String> reasons() {
        List<String> out = new ArrayList<>();
        if (!allowList) {
            out.add(ALLOW_LIST + ": the submission's classes were not checked against the list of allowed APIs");
        }
        if (!policy) {
            out.add(POLICY + ": " + SandboxPolicy.describe());
        }
        if (!perRunUser) {
            out.add(PER_RUN_USER + ": " + Confinement.current().describe());
        }
        return out;
    }

    /** The terminal's warning lines, one a missing wall; empty when all three stood. */
    public List<String> warnings() {
        return reasons().stream().map(r -> "warning: graded without the " + r).toList();
    }

    /** The walls as {@code grade.json} gives them. */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("allow_list", allowList);
        m.put("in_jvm_policy", policy);
        m.put("per_run_user", perRunUser);
        m.put("missing", missing());
        m.put("why_missing", reasons());
        return m;
    }
}
