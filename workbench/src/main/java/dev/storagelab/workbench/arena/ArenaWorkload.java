package dev.storagelab.workbench.arena;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.kv.Bytes;
import dev.storagelab.workbench.workloads.KeyChooser;
import dev.storagelab.workbench.workloads.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;

/**
 * A workload of the arena: the e-commerce store ({@link Workload#ECOMMERCE}), or a mix of gets and
 * updates over {@link Workload#key scattered keys}: a share of reads, a Zipf constant (0 for
 * uniform) and a hot set, the fraction of the keys the requests go to. A request picks a rank from
 * the hot set's distribution and a key from the rank by YCSB's hash, so the hot keys are spread
 * over the whole key space, one here and one there in every page and block (2-Tree's setting,
 * CIDR 2023), whatever the size of the hot set.
 *
 * @param name      as given on the command line
 * @param readShare the share of gets (the rest update existing keys); unused for ecommerce
 * @param theta     the Zipf constant, 0 for uniform; unused for ecommerce
 * @param hotShare  the fraction of the keys that get the requests; unused for ecommerce
 */
record ArenaWorkload(String name, double readShare, double theta, double hotShare) {

    ArenaWorkload {
        checkArgument(readShare >= 0 && readShare <= 1, "the read share must be between 0 and 1: %s", readShare);
        checkArgument(theta >= 0 && theta < 10, "theta must be between 0 (uniform) and 10: %s", theta);
        checkArgument(hotShare > 0 && hotShare <= 1, "the hot share must be above 0 and at most 1: %s", hotShare);
    }

    /** The named workloads, beside {@code mix:read=R,theta=T,hot=H}. */
    static final List<String> NAMES = List.of("ecommerce", "ycsb-a", "ycsb-b", "ycsb-c", "uniform");

    /** {@code ecommerce}, {@code ycsb-a|b|c}, {@code uniform} (95% gets, uniform), or {@code mix:read=0.95,theta=0.99,hot=0.1}. */
    static ArenaWorkload parse(String spec) {
        return switch (spec) {
            case "ecommerce" -> new ArenaWorkload(spec, 0, 0, 1);
            case "ycsb-a" -> new ArenaWorkload(spec, 0.5, Workload.THETA, 1);
            case "ycsb-b" -> new ArenaWorkload(spec, 0.95, Workload.THETA, 1);
            case "ycsb-c" -> new ArenaWorkload(spec, 1.0, Workload.THETA, 1);
            case "uniform" -> new ArenaWorkload(spec, 0.95, 0, 1);
            default -> {
                if (!spec.startsWith("mix:")) {
                    throw new IllegalArgumentException("no arena workload named '" + spec + "'; use one of " + NAMES
                            + " or mix:read=0.95,theta=0.99,hot=0.1");
                }
                double read = 0.95;
                double theta = Workload.THETA;
                double hot = 1;
                for (String part : spec.substring(4).split(",")) {
                    String[] kv = part.split("=", 2);
                    try {
                        double v = Double.parseDouble(kv.length == 2 ? kv[1] : "");
                        switch (kv[0]) {
                            case "read" -> read = v;
                            case "theta" -> theta = v;
                            case "hot" -> hot = v;
                            default -> throw new NumberFormatException();
                        }
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(
                                "'" + part + "' in --workload " + spec
                                        + " is not read=SHARE, theta=ZIPF or hot=SHARE (for example mix:read=0.95,theta=0.99,hot=0.1)");
                    }
                }
                yield new ArenaWorkload(mixName(read, theta, hot), read, theta, hot);
            }
        };
    }

    /** The canonical name of a mix. */
    static String mixName(double read, double theta, double hot) {
        return String.format(Locale.ROOT, "mix:read=%s,theta=%s,hot=%s", trim(read), trim(theta), trim(hot));
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    boolean ecommerce() {
        return name.equals("ecommerce");
    }

    /** The mean bytes of a key of this workload (the order keys dominate the e-commerce store). */
    int keyBytes() {
        return ecommerce() ? Workload.orderKey(0, 1).length() : Workload.key(0).length();
    }

    /** The {@code i}-th of the {@code keys} keys loaded before the run. */
    Bytes preloadKey(long i, long keys) {
        return ecommerce() ? Workload.ECOMMERCE.preloadKey(i, keys) : Workload.key(i);
    }

    /** The operations, after {@code keys} keys were loaded. */
    Workload.Generator generator(long keys, UniformRandomProvider rng) {
        if (ecommerce()) {
            return Workload.ECOMMERCE.generator(keys, rng);
        }
        long hot = Math.max(1, Math.round(keys * hotShare));
        org.apache.commons.rng.sampling.distribution.SharedStateDiscreteSampler zipf =
                theta > 0 ? RejectionInversionZipfSampler.of(rng, Math.toIntExact(hot), theta) : null;
        return n -> {
            long rank = zipf != null ? zipf.sample() : rng.nextLong(hot);
            Bytes key = Workload.key(
                    hot == keys && zipf == null ? rank : Long.remainderUnsigned(KeyChooser.fnv1a64(rank), keys));
            return new Workload.Op(rng.nextDouble() < readShare ? Workload.Kind.GET : Workload.Kind.PUT, key, 0);
        };
    }

    /** Whether every get must find its key: every key of a mix is loaded; e-commerce reads only keys that exist too. */
    boolean getsFind() {
        return true;
    }

    /** The key ranges the hybrid's adaptive compaction keeps apart: the e-commerce store's prefixes. */
    List<Bytes> ranges() {
        List<Bytes> r = new ArrayList<>();
        if (ecommerce()) {
            r.add(Bytes.of("price/"));
            r.add(Bytes.of("stock/"));
        }
        return r;
    }
}
