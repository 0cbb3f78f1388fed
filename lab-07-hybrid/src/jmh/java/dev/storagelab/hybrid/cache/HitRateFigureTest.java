package dev.storagelab.hybrid.cache;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hit rates that notes §7.6 and the handout's T3 quote from {@link HitRateSimulation}, run
 * again: the row of 400 entries of both tables (three workloads, three policies, at the figure's
 * full million references; a few seconds), which must match the quoted figures to their rounding.
 * The simulation is seeded, so a change to a policy that moves a hit rate must move the tables too.
 */
class HitRateFigureTest {

    /** The tables quote three decimals: a re-run may differ by the rounding alone. */
    private static final double ROUNDING = 0.0005 + 1e-9;

    private static final int ENTRIES = 400;
    private static final String COMMAND = "java -cp $CP dev.storagelab.hybrid.cache.HitRateSimulation";

    private static String read(String relative) throws IOException {
        Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        return Files.readString(module.getParent().resolve(relative), StandardCharsets.UTF_8);
    }

    /** The nine hit rates of the 400-entry row: per workload (Zipfian, scan-polluted, shifting), ARC, LRU, LFU. */
    private static List<Double> row(String document, String rowPattern) {
        Matcher m = Pattern.compile(rowPattern).matcher(document.replace("**", ""));
        assertThat("the document quotes the row of " + ENTRIES + " entries: " + rowPattern, m.find(), is(true));
        List<Double> rates = new ArrayList<>();
        for (int g = 1; g <= m.groupCount(); g++) {
            rates.add(Double.parseDouble(m.group(g)));
        }
        return rates;
    }

    private static List<Double> simulated() {
        List<Double> rates = new ArrayList<>();
        for (String workload : HitRateSimulation.WORKLOADS) {
            int[] trace = HitRateSimulation.trace(workload);
            for (String policy : List.of("arc", "lru", "lfu")) {
                rates.add(
                        HitRateSimulation.hits(ReplacementPolicies.of(policy, ENTRIES), trace) / (double) trace.length);
            }
        }
        return rates;
    }

    private static void assertMatches(String where, List<Double> quoted, List<Double> simulated) {
        String[] names = {
            "Zipfian ARC",
            "Zipfian LRU",
            "Zipfian LFU",
            "scan-polluted ARC",
            "scan-polluted LRU",
            "scan-polluted LFU",
            "shifting ARC",
            "shifting LRU",
            "shifting LFU"
        };
        for (int i = 0; i < names.length; i++) {
            assertThat(
                    where + ", " + ENTRIES + " entries, " + names[i],
                    simulated.get(i),
                    closeTo(quoted.get(i), ROUNDING));
        }
    }

    @Test
    void theNotesAndTheHandoutQuoteTheSimulationsHitRates() throws IOException {
        String rate = "(0?\\.\\d{3})";
        String three = rate + " / " + rate + " / " + rate;
        String notes = read("notes/07-hybrid.md");
        String handout = read("lab-07-hybrid/README.md");
        assertThat(notes, containsString(COMMAND));
        assertThat(handout, containsString(COMMAND));
        List<Double> simulated = simulated();
        assertMatches(
                "notes §7.6",
                row(notes, "\\| 400 \\| " + three + " \\| " + three + " \\| " + three + " \\|"),
                simulated);
        assertMatches(
                "the handout's T3",
                row(
                        handout,
                        "\\| 400 \\| " + three + " \\| [-+]\\d\\.\\d{3} \\| " + three + " \\| [-+]\\d\\.\\d{3} \\| "
                                + three + " \\|"),
                simulated);
    }
}
