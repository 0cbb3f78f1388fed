package dev.storagelab.hybrid.tier;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * What keeping bytes in each tier costs, priced the way cloud providers publish it: dollars per
 * GB-month of storage, per 1,000 requests, and per GB retrieved from an infrequent-access class.
 * A GB is 2^30 bytes, as the providers bill it.
 *
 * <p>The figures of {@link #gp3AndS3InfrequentAccess()} and {@link #gp3AndS3Standard()} are the
 * public list prices of AWS us-east-1 (EBS gp3 volumes; S3 Standard and S3 Standard-Infrequent
 * Access) as published in 2024: they show the shape of the trade-off (the archive's bytes several
 * times cheaper, each of its requests billed where a read of the local SSD costs nothing per call),
 * not a quote. Check the providers' current pages before you use them for a decision.
 *
 * @param name                   what reports call this price list
 * @param fastPerGbMonth         the fast tier's storage, per GB-month (a provisioned SSD volume)
 * @param archivePerGbMonth      the archive's storage, per GB-month
 * @param archivePerThousandGets read requests to the archive, per 1,000
 * @param archivePerThousandPuts write requests to the archive, per 1,000
 * @param archivePerGbRetrieved  bytes read back from the archive, per GB (0 for a standard class)
 */
public record TierCosts(
        String name,
        double fastPerGbMonth,
        double archivePerGbMonth,
        double archivePerThousandGets,
        double archivePerThousandPuts,
        double archivePerGbRetrieved) {

    /** Bytes per GB, as providers bill (a GiB). */
    public static final double GB = 1L << 30;

    public TierCosts {
        checkArgument(name != null && !name.isBlank(), "a price list needs a name");
        checkArgument(
                fastPerGbMonth >= 0
                        && archivePerGbMonth >= 0
                        && archivePerThousandGets >= 0
                        && archivePerThousandPuts >= 0
                        && archivePerGbRetrieved >= 0,
                "prices must not be negative: %s",
                name);
    }

    /**
     * EBS gp3 ($0.08 per GB-month) for the fast tier, S3 Standard-IA for the archive: $0.0125 per
     * GB-month, $0.001 per 1,000 GETs, $0.01 per 1,000 PUTs, $0.01 per GB retrieved. The archive
     * class for data read rarely: its storage is 6.4 times cheaper than the SSD's.
     */
    public static TierCosts gp3AndS3InfrequentAccess() {
        return new TierCosts("gp3 + S3 Standard-IA", 0.08, 0.0125, 0.001, 0.01, 0.01);
    }

    /**
     * EBS gp3 ($0.08 per GB-month) for the fast tier, S3 Standard for the archive: $0.023 per
     * GB-month, $0.0004 per 1,000 GETs, $0.005 per 1,000 PUTs, nothing per GB retrieved.
     */
    public static TierCosts gp3AndS3Standard() {
        return new TierCosts("gp3 + S3 Standard", 0.08, 0.023, 0.0004, 0.005, 0);
    }

    /** What a month of {@code report}'s bytes costs, with its archive requests counted once. */
    public Bill monthly(TierReport report) {
        double fastStorage = report.fastBytes() / GB * fastPerGbMonth;
        double archiveStorage = report.archiveBytes() / GB * archivePerGbMonth;
        double requests = report.archiveReadCalls() / 1000.0 * archivePerThousandGets
                + report.archiveWriteCalls() / 1000.0 * archivePerThousandPuts
                + report.archiveBytesRead() / GB * archivePerGbRetrieved;
        return new Bill(fastStorage, archiveStorage, requests);
    }

    /** What everything would cost on the fast tier alone, for comparison: no archive, no requests. */
    public double allFastMonthly(TierReport report) {
        return report.totalBytes() / GB * fastPerGbMonth;
    }

    /**
     * One month's bill, in dollars.
     *
     * @param fastStorage    the fast tier's bytes
     * @param archiveStorage the archive's bytes
     * @param requests       the archive's requests and retrieval
     */
    public record Bill(double fastStorage, double archiveStorage, double requests) {
        public double total() {
            return fastStorage + archiveStorage + requests;
        }

        @Override
        public String toString() {
            return String.format(
                    "$%.4f (fast $%.4f, archive $%.4f, requests $%.4f)",
                    total(), fastStorage, archiveStorage, requests);
        }
    }
}
