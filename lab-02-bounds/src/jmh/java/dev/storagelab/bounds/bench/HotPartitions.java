package dev.storagelab.bounds.bench;

import dev.storagelab.bounds.Bounds;
import dev.storagelab.bounds.HashRing;
import dev.storagelab.bounds.RangeScan;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.sampling.distribution.SharedStateDiscreteSampler;
import org.apache.commons.rng.simple.RandomSource;

/**
 * The experiment behind the hot-partition figures of notes/02-bounds.md (not a JMH benchmark: it
 * counts, it does not time anything). A feed of posts keyed {@code user:<author>/<time>/p<post>},
 * whose authors follow a Zipfian distribution (popular authors post more, and are read more), is
 * read by visitors who each open one author's profile and page through it newest first with
 * keyset pagination (20 posts a page; "Load More" clicked with probability 1/2 after each page).
 * The same reads are routed to 16 partitions by four schemes:
 *
 * <ul>
 *   <li>{@code range}: by key range, the boundaries at the 1/16 quantiles of the keys, so every
 *       partition stores the same number of posts (as a range-partitioned store that splits by
 *       size);</li>
 *   <li>{@code ring-author-v1} and {@code ring-author-v100}: lab-02's {@link HashRing} with 1 or 100
 *       virtual nodes per partition, the partition key being the author ({@code user:<author>}),
 *       so an author's feed lives on one partition and a page reads one partition;</li>
 *   <li>{@code ring-post-v100}: the ring with 100 virtual nodes over the whole post key, which
 *       scatters an author's posts over every partition.</li>
 * </ul>
 *
 * <p>For each scheme and Zipf exponent it reports the busiest partition's share of the posts read
 * (the load; the fair share is 1/16 = 6.25%) and of the posts stored, how many partitions a page
 * touches, and, for comparison, the most popular author's share of the reads: a floor that no
 * scheme keeping an author's feed together can go below. Each ring is placed 5 times (its
 * partitions named differently), and the ring rows give the mean and the range over the
 * placements. Everything is seeded: the counts are the same on every run and machine. Run from the
 * workspace root:
 *
 * <pre>
 * java -cp $CP dev.storagelab.bounds.bench.HotPartitions notes/data/hot-partitions.csv
 * </pre>
 *
 * (with {@code CP} as for the benchmarks: see notes/02-bounds.md §2.8). It prints a Markdown table
 * and writes the CSV, if given a path, for {@code ./storagelab figures}.
 */
public final class HotPartitions {

    static final int PARTITIONS = 16;
    static final int PAGE = 20;
    static final int PLACEMENTS = 5;
    static final double[] EXPONENTS = {0.0, 0.5, 0.8, 1.0, 1.2, 1.5};
    static final String[] SCHEMES = {"range", "ring-author-v1", "ring-author-v100", "ring-post-v100"};

    /** The sizes of one run. */
    record Sizes(int authors, int posts, int visits) {}

    static final Sizes FULL = new Sizes(10_000, 200_000, 50_000);

    /**
     * What one scheme did with one feed; shares are fractions of 1, ranges over the placements.
     *
     * @param busiestRead   the busiest partition's share of the posts read: mean, min, max
     * @param busiestData   the busiest partition's share of the posts stored (mean)
     * @param fanOut        the mean number of partitions a page reads
     * @param postsRead     every post read, over every partition (the same for every scheme)
     */
    record Result(
            String scheme,
            double exponent,
            double busiestRead,
            double busiestReadMin,
            double busiestReadMax,
            double busiestData,
            double fanOut,
            long postsRead,
            double topAuthorRead) {}

    /** A feed: its keys in order, the author of each key, and each author's prefix. */
    record Feed(List<Bytes> keys, int[] authorOf, Bytes[] prefixes, double exponent) {}

    /** The pages the visitors read: each page a run of indices into {@link Feed#keys}. */
    record Reads(List<int[]> pages, long[] readsPerAuthor, long postsRead) {}

    private HotPartitions() {}

    private static UniformRandomProvider rng(long seed) {
        return RandomSource.SPLIT_MIX_64.create(seed);
    }

    /** Zipf ranks in {@code [0, n)}; exponent 0 is uniform. */
    private static SharedStateDiscreteSampler zipf(UniformRandomProvider rng, int n, double exponent) {
        return RejectionInversionZipfSampler.of(rng, n, exponent);
    }

    /** Author ids by popularity rank: a seeded shuffle, so popular authors are spread over the key space. */
    private static int[] idsByRank(int authors, long seed) {
        int[] ids = new int[authors];
        for (int i = 0; i < authors; i++) {
            ids[i] = i;
        }
        Random random = new Random(seed);
        for (int i = authors - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = ids[i];
            ids[i] = ids[j];
            ids[j] = t;
        }
        return ids;
    }

    private static Bytes prefix(int author) {
        return Bytes.of(String.format(Locale.ROOT, "user:%05d/", author));
    }

    /** {@code sizes.posts()} posts, the author of each drawn from a Zipf(exponent) over the authors. */
    static Feed feed(Sizes sizes, double exponent, long seed) {
        int[] ids = idsByRank(sizes.authors(), seed);
        SharedStateDiscreteSampler authors = zipf(rng(seed + 1), sizes.authors(), exponent);
        List<Bytes> keys = new ArrayList<>(sizes.posts());
        Map<Bytes, Integer> author = new HashMap<>();
        for (int p = 0; p < sizes.posts(); p++) {
            int a = ids[authors.sample() - 1];
            // post p is the p-th written: time increases with p, and a fixed width sorts as numbers
            Bytes key = Bytes.of(String.format(Locale.ROOT, "user:%05d/%010d/p%d", a, 1_700_000_000L + p, p));
            keys.add(key);
            author.put(key, a);
        }
        keys.sort(Comparator.naturalOrder());
        int[] authorOf = new int[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            authorOf[i] = author.get(keys.get(i));
        }
        Bytes[] prefixes = new Bytes[sizes.authors()];
        for (int a = 0; a < sizes.authors(); a++) {
            prefixes[a] = prefix(a);
        }
        return new Feed(List.copyOf(keys), authorOf, prefixes, exponent);
    }

    /**
     * The visits: each picks an author by popularity (the same Zipf ranking as the posts) and pages
     * through the author's feed newest first, keyset style: a page is the up to 20 keys of the
     * author's prefix below the cursor (the last key of the page before), found with two lower
     * bounds in the sorted keys; after each page, "Load More" with probability 1/2.
     */
    static Reads reads(Feed feed, Sizes sizes, long seed) {
        int[] ids = idsByRank(sizes.authors(), seed);
        UniformRandomProvider rng = rng(seed + 2);
        SharedStateDiscreteSampler popularity = zipf(rng, sizes.authors(), feed.exponent());
        Comparator<Bytes> order = Comparator.naturalOrder();
        List<int[]> pages = new ArrayList<>();
        long[] perAuthor = new long[sizes.authors()];
        long posts = 0;
        for (int v = 0; v < sizes.visits(); v++) {
            int a = ids[popularity.sample() - 1];
            int first = Bounds.lowerBound(feed.keys(), feed.prefixes()[a], order);
            int end = Bounds.lowerBound(feed.keys(), RangeScan.prefixEnd(feed.prefixes()[a]), order);
            Bytes cursor = null;
            while (true) {
                int below = cursor == null ? end : Bounds.lowerBound(feed.keys(), cursor, order); // keys < cursor
                int from = Math.max(first, below - PAGE);
                if (from == below) {
                    break; // an empty page: the feed is exhausted (or the author never posted)
                }
                int[] page = new int[below - from];
                for (int i = 0; i < page.length; i++) {
                    page[i] = below - 1 - i; // newest first
                }
                pages.add(page);
                posts += page.length;
                perAuthor[a] += page.length;
                cursor = feed.keys().get(page[page.length - 1]);
                if (from == first || rng.nextDouble() >= 0.5) {
                    break; // the last page, or the visitor stops reading
                }
            }
        }
        return new Reads(pages, perAuthor, posts);
    }

    /** The partition of every key of {@code feed} under {@code scheme}, the ring placed by {@code placement}. */
    static int[] partitions(Feed feed, String scheme, int placement) {
        int n = feed.keys().size();
        int[] partition = new int[n];
        if (scheme.equals("range")) {
            List<Bytes> boundaries = new ArrayList<>();
            for (int i = 1; i < PARTITIONS; i++) {
                boundaries.add(feed.keys().get((int) ((long) i * n / PARTITIONS)));
            }
            for (int k = 0; k < n; k++) {
                partition[k] = Bounds.upperBound(boundaries, feed.keys().get(k), Comparator.naturalOrder());
            }
            return partition;
        }
        int virtualNodes = scheme.endsWith("-v1") ? 1 : 100;
        HashRing ring = new HashRing(virtualNodes);
        Map<String, Integer> index = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            String name = "placement-" + placement + "/partition-" + p;
            ring.addNode(name);
            index.put(name, p);
        }
        boolean byAuthor = scheme.startsWith("ring-author");
        Map<Integer, Integer> authorPartition = new HashMap<>();
        for (int k = 0; k < n; k++) {
            int a = feed.authorOf()[k];
            partition[k] = byAuthor
                    ? authorPartition.computeIfAbsent(a, x -> index.get(ring.owner(Bytes.of("user:" + x))))
                    : index.get(ring.owner(feed.keys().get(k)));
        }
        return partition;
    }

    /** Runs one scheme over one feed and its reads. */
    static Result measure(Feed feed, Reads reads, String scheme) {
        int placements = scheme.equals("range") ? 1 : PLACEMENTS;
        double sum = 0;
        double min = 1;
        double max = 0;
        double dataSum = 0;
        double fanOutSum = 0;
        for (int placement = 0; placement < placements; placement++) {
            int[] partition = partitions(feed, scheme, placement);
            long[] stored = new long[PARTITIONS];
            for (int p : partition) {
                stored[p]++;
            }
            long[] read = new long[PARTITIONS];
            long touched = 0;
            boolean[] seen = new boolean[PARTITIONS];
            for (int[] page : reads.pages()) {
                Arrays.fill(seen, false);
                for (int k : page) {
                    read[partition[k]]++;
                    if (!seen[partition[k]]) {
                        seen[partition[k]] = true;
                        touched++;
                    }
                }
            }
            long total = Arrays.stream(read).sum();
            if (total != reads.postsRead()) {
                throw new IllegalStateException(
                        scheme + ": the partitions served " + total + " posts, the visitors read " + reads.postsRead());
            }
            double busiest = (double) Arrays.stream(read).max().orElse(0) / total;
            sum += busiest;
            min = Math.min(min, busiest);
            max = Math.max(max, busiest);
            dataSum +=
                    (double) Arrays.stream(stored).max().orElse(0) / feed.keys().size();
            fanOutSum += (double) touched / reads.pages().size();
        }
        double top = (double) Arrays.stream(reads.readsPerAuthor()).max().orElse(0) / reads.postsRead();
        return new Result(
                scheme,
                feed.exponent(),
                sum / placements,
                min,
                max,
                dataSum / placements,
                fanOutSum / placements,
                reads.postsRead(),
                top);
    }

    /** Every scheme at every exponent, with {@code sizes}. */
    static List<Result> run(Sizes sizes, double[] exponents, long seed) {
        List<Result> results = new ArrayList<>();
        for (double s : exponents) {
            Feed feed = feed(sizes, s, seed);
            Reads reads = reads(feed, sizes, seed);
            for (String scheme : SCHEMES) {
                results.add(measure(feed, reads, scheme));
            }
        }
        return results;
    }

    static void printTable(List<Result> results, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "Busiest of %d partitions: its share of the posts read (fair share %.2f%%); ring rows: mean "
                        + "[min, max] over %d placements%n%n",
                PARTITIONS,
                100.0 / PARTITIONS,
                PLACEMENTS);
        out.println(
                "| Zipf s | most read author | range | ring by author, v = 1 | ring by author, v = 100 | ring by post, v = 100 |");
        out.println("| ---: | ---: | ---: | ---: | ---: | ---: |");
        Map<Double, List<Result>> byExponent = new java.util.TreeMap<>();
        results.forEach(r ->
                byExponent.computeIfAbsent(r.exponent(), x -> new ArrayList<>()).add(r));
        for (Map.Entry<Double, List<Result>> e : byExponent.entrySet()) {
            StringBuilder row = new StringBuilder(String.format(
                    Locale.ROOT,
                    "| %.1f | %.2f%% |",
                    e.getKey(),
                    100 * e.getValue().get(0).topAuthorRead()));
            for (Result r : e.getValue()) {
                row.append(
                        r.scheme().equals("range")
                                ? String.format(Locale.ROOT, " %.1f%% |", 100 * r.busiestRead())
                                : String.format(
                                        Locale.ROOT,
                                        " %.1f%% [%.1f, %.1f] |",
                                        100 * r.busiestRead(),
                                        100 * r.busiestReadMin(),
                                        100 * r.busiestReadMax()));
            }
            out.println(row);
        }
        out.printf(
                Locale.ROOT,
                "%nThe busiest partition's share of the posts stored, and the partitions a page reads (mean)%n%n");
        out.println("| Zipf s | range | ring by author, v = 1 | ring by author, v = 100 | ring by post, v = 100 |");
        out.println("| ---: | ---: | ---: | ---: | ---: |");
        for (Map.Entry<Double, List<Result>> e : byExponent.entrySet()) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %.1f |", e.getKey()));
            for (Result r : e.getValue()) {
                row.append(String.format(Locale.ROOT, " %.1f%%, %.2f |", 100 * r.busiestData(), r.fanOut()));
            }
            out.println(row);
        }
    }

    static String csv(List<Result> results) {
        StringBuilder s = new StringBuilder("scheme,zipf_exponent,partitions,busiest_read_share,busiest_read_share_min,"
                + "busiest_read_share_max,busiest_data_share,partitions_per_page,posts_read,top_author_read_share\n");
        for (Result r : results) {
            s.append(String.format(
                    Locale.ROOT,
                    "%s,%.1f,%d,%.5f,%.5f,%.5f,%.5f,%.3f,%d,%.5f%n",
                    r.scheme(),
                    r.exponent(),
                    PARTITIONS,
                    r.busiestRead(),
                    r.busiestReadMin(),
                    r.busiestReadMax(),
                    r.busiestData(),
                    r.fanOut(),
                    r.postsRead(),
                    r.topAuthorRead()));
        }
        return s.toString();
    }

    public static void main(String[] args) throws IOException {
        System.out.printf(
                Locale.ROOT,
                "%,d authors, %,d posts, %,d visits, pages of %d, %d partitions, seed %d%n%n",
                FULL.authors(),
                FULL.posts(),
                FULL.visits(),
                PAGE,
                PARTITIONS,
                42);
        List<Result> results = run(FULL, EXPONENTS, 42);
        printTable(results, System.out);
        if (args.length > 0) {
            Files.writeString(Path.of(args[0]), csv(results), StandardCharsets.UTF_8);
            System.out.println();
            System.out.println("wrote " + args[0]);
        }
    }
}
