package dev.storagelab.bounds.bench;

import dev.storagelab.bounds.Rollout;
import java.util.Arrays;
import java.util.Locale;

/**
 * The experiment behind the rollout paragraph of notes/02-bounds.md §2.7 (not a JMH benchmark: it
 * counts). For many pairs of flags at the same percentage, it counts the users that both flags
 * reach, once with {@link Rollout}'s positions (the user's hash read from the flag's offset, then
 * mixed) and once with the rotation alone ({@code userHash - offset}, no mixer), and prints how the
 * overlap is distributed over the pairs: its mean, its quartiles and maximum, and the share of
 * pairs that share more than half of their users. Independent flags share p² of the users; arcs
 * share p² only on average. Run from the workspace root:
 *
 * <pre>
 * java -cp $CP dev.storagelab.bounds.bench.RolloutOverlap 1000 20000
 * </pre>
 *
 * (arguments: the number of flag pairs and of users; flags {@code flag-0}, {@code flag-1}, ...
 * paired as 0-1, 2-3, ...; users {@code user:0} to {@code user:<n-1>}).
 */
public final class RolloutOverlap {

    static final double[] PERCENTS = {1, 10};

    private RolloutOverlap() {}

    /** The overlaps of {@code pairs} pairs of flags at {@code percent}, as shares of the users. */
    static double[] overlaps(int pairs, int users, double percent, boolean mixed) {
        long[] hashes = new long[users];
        for (int u = 0; u < users; u++) {
            hashes[u] = Rollout.userHash("user:" + u);
        }
        double[] overlap = new double[pairs];
        for (int p = 0; p < pairs; p++) {
            long a = Rollout.offset("flag-" + 2 * p);
            long b = Rollout.offset("flag-" + (2 * p + 1));
            int both = 0;
            for (long h : hashes) {
                long x = mixed ? Rollout.mix(h - a) : h - a;
                long y = mixed ? Rollout.mix(h - b) : h - b;
                if (Rollout.covers(x, percent) && Rollout.covers(y, percent)) {
                    both++;
                }
            }
            overlap[p] = (double) both / users;
        }
        Arrays.sort(overlap);
        return overlap;
    }

    public static void main(String[] args) {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int users = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        System.out.printf(
                Locale.ROOT,
                "Users reached by both flags of a pair, as a share of %,d users, over %,d pairs of "
                        + "flags at the same percentage p (independent flags: p²)%n%n",
                users,
                pairs);
        System.out.println("| p | positions | mean | quartiles | max | pairs sharing over half of a flag's users |");
        System.out.println("| ---: | --- | ---: | ---: | ---: | ---: |");
        for (double percent : PERCENTS) {
            for (boolean mixed : new boolean[] {true, false}) {
                double[] o = overlaps(pairs, users, percent, mixed);
                double mean = Arrays.stream(o).average().orElse(0);
                long overHalf =
                        Arrays.stream(o).filter(x -> x > percent / 100 / 2).count();
                System.out.printf(
                        Locale.ROOT,
                        "| %.0f%% | %s | %.3f%% | %.3f%%, %.3f%%, %.3f%% | %.3f%% | %.1f%% |%n",
                        percent,
                        mixed ? "rotated, then mixed" : "rotated only (arcs)",
                        100 * mean,
                        100 * o[o.length / 4],
                        100 * o[o.length / 2],
                        100 * o[3 * o.length / 4],
                        100 * o[o.length - 1],
                        100.0 * overHalf / pairs);
            }
        }
    }
}
