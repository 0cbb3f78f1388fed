package dev.storagelab.hybrid.query;

import java.util.List;

/**
 * What EXPLAIN shows: every plan the planner costed for a query, cheapest first; the first is the
 * one it runs.
 */
public record Explain(Query query, TableStats stats, List<Plan> plans) {

    public Explain {
        plans = List.copyOf(plans);
        if (plans.isEmpty()) {
            throw new IllegalArgumentException("no plan for " + query);
        }
    }

    /** The plan the planner runs: the cheapest. */
    public Plan chosen() {
        return plans.get(0);
    }

    /** The plan of {@code kind} (the first, if several: index scans on two columns), or null. */
    public Plan plan(PlanKind kind) {
        return plans.stream().filter(p -> p.kind() == kind).findFirst().orElse(null);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("query: " + query + "\n");
        s.append("table: ").append(stats).append('\n');
        s.append("chosen: ").append(chosen().describe()).append('\n');
        for (Plan p : plans.subList(1, plans.size())) {
            s.append("  alternative: ").append(p.describe()).append('\n');
        }
        return s.toString();
    }
}
