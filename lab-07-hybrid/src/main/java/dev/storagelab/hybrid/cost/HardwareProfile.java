package dev.storagelab.hybrid.cost;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import dev.storagelab.kv.CorruptionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * What one machine's storage and engines cost, measured ({@code ./storagelab hybrid-calibrate})
 * or taken from a preset: the device's figures, the lab-04 and lab-05 engines' time per operation
 * when their working set is cached, and the money weights that turn bytes held into the same unit
 * as time. The {@link CostModel} weighs every access by these figures, so the same access pattern
 * can be placed differently on an NVMe drive and on a disk.
 *
 * <p>A profile is stored in a small binary file (see {@link #encode()} and the handout's
 * "Formats" section): magic, version, name, a fixed count of big-endian doubles, CRC32C.
 *
 * @param name                    what reports call the profile ({@code nvme}, {@code measured}, ...)
 * @param randomReadMicros        one random 4 KiB read that goes to the device
 * @param seqReadMBps             sequential read rate, MB (10^6 bytes) per second
 * @param randomWriteMicros       one random 4 KiB write that reaches the device
 * @param seqWriteMBps            sequential write rate, MB per second
 * @param forceMicros             one force (fsync) of a small append
 * @param btreeGetMicros          a lab-04 B+tree get whose pages are in the buffer pool
 * @param btreePutMicros          a lab-04 B+tree put whose pages are in the buffer pool (its checkpoint share included)
 * @param lsmGetMicros            a lab-05 LSM get whose blocks are cached
 * @param lsmPutMicros            a lab-05 LSM put, its share of flushes and compactions included
 * @param ramPerGBMonth           money per GB (10^9 bytes) of RAM held for a month
 * @param storagePerGBMonth       money per GB of the device held for a month
 * @param archivePerGBMonth       money per GB held in the archive tier for a month
 * @param archivePerMillionRequests money per million archive requests (GET or PUT)
 * @param machinePerHour          money per hour of the machine: the exchange rate between a
 *                                microsecond of device time and money
 */
public record HardwareProfile(
        String name,
        double randomReadMicros,
        double seqReadMBps,
        double randomWriteMicros,
        double seqWriteMBps,
        double forceMicros,
        double btreeGetMicros,
        double btreePutMicros,
        double lsmGetMicros,
        double lsmPutMicros,
        double ramPerGBMonth,
        double storagePerGBMonth,
        double archivePerGBMonth,
        double archivePerMillionRequests,
        double machinePerHour) {

    /** The file's first 8 bytes. */
    public static final byte[] MAGIC = "SLHWPROF".getBytes(StandardCharsets.US_ASCII);
    /** The format's version (bytes 8-9). */
    public static final int VERSION = 1;
    /** Doubles after the name: every figure but the name, in the order of the record's components. */
    public static final int FIGURES = 14;
    /** The longest name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 64;

    private static final int HEADER_BYTES = 8 + 2 + 2; // magic, version, name length
    private static final int TRAILER_BYTES = 2 + FIGURES * 8 + 4; // figure count, figures, CRC32C
    /** The conventional file name ({@code ./storagelab hybrid-calibrate}'s default output). */
    public static final String DEFAULT_FILE = "hardware.profile";

    public HardwareProfile {
        checkArgument(name != null && !name.isBlank(), "profile name must be non-empty");
        checkArgument(
                name.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES,
                "profile name is longer than %s bytes: %s",
                MAX_NAME_BYTES,
                name);
        double[] f = {
            randomReadMicros,
            seqReadMBps,
            randomWriteMicros,
            seqWriteMBps,
            forceMicros,
            btreeGetMicros,
            btreePutMicros,
            lsmGetMicros,
            lsmPutMicros,
            ramPerGBMonth,
            storagePerGBMonth,
            archivePerGBMonth,
            archivePerMillionRequests,
            machinePerHour
        };
        for (int i = 0; i < f.length; i++) {
            checkArgument(
                    Double.isFinite(f[i]) && f[i] >= 0,
                    "profile %s: %s must be finite and non-negative: %s",
                    name,
                    FIGURE_NAMES[i],
                    f[i]);
        }
        checkArgument(seqReadMBps > 0 && seqWriteMBps > 0, "profile %s: transfer rates must be positive", name);
        checkArgument(
                machinePerHour > 0, "profile %s: machinePerHour must be positive (it converts money to time)", name);
    }

    /** The figures' names, in the file's order (what error messages and {@link #describe()} print). */
    static final String[] FIGURE_NAMES = {
        "randomReadMicros",
        "seqReadMBps",
        "randomWriteMicros",
        "seqWriteMBps",
        "forceMicros",
        "btreeGetMicros",
        "btreePutMicros",
        "lsmGetMicros",
        "lsmPutMicros",
        "ramPerGBMonth",
        "storagePerGBMonth",
        "archivePerGBMonth",
        "archivePerMillionRequests",
        "machinePerHour"
    };

    // Money weights shared by the presets: cloud list prices of 2024-2025, rounded (RAM from
    // memory-optimised instances, a machine of 2 vCPU; archive = S3 standard storage and GET/PUT).
    private static final double RAM_PER_GB_MONTH = 3.50;
    private static final double ARCHIVE_PER_GB_MONTH = 0.023;
    private static final double ARCHIVE_PER_MILLION_REQUESTS = 2.50;
    private static final double MACHINE_PER_HOUR = 0.10;

    /**
     * A datacenter NVMe SSD ({@code DeviceModel.nvme()}'s figures) and engine times of the order
     * this workspace's engines show with cached data.
     */
    public static HardwareProfile nvme() {
        return new HardwareProfile(
                "nvme",
                80,
                2_000,
                20,
                1_500,
                500,
                2,
                4,
                6,
                3,
                RAM_PER_GB_MONTH,
                0.10,
                ARCHIVE_PER_GB_MONTH,
                ARCHIVE_PER_MILLION_REQUESTS,
                MACHINE_PER_HOUR);
    }

    /** A SATA SSD: slower than NVMe on every figure, the same shape (no seek, cheap random I/O). */
    public static HardwareProfile ssd() {
        return new HardwareProfile(
                "ssd",
                120,
                500,
                60,
                450,
                1_000,
                2,
                4,
                6,
                3,
                RAM_PER_GB_MONTH,
                0.08,
                ARCHIVE_PER_GB_MONTH,
                ARCHIVE_PER_MILLION_REQUESTS,
                MACHINE_PER_HOUR);
    }

    /** A spinning disk ({@code DeviceModel.hdd()}): every random access is an 8 ms seek; sequential is fine. */
    public static HardwareProfile hdd() {
        return new HardwareProfile(
                "hdd",
                8_000,
                150,
                8_000,
                150,
                12_000,
                2,
                4,
                6,
                3,
                RAM_PER_GB_MONTH,
                0.045,
                ARCHIVE_PER_GB_MONTH,
                ARCHIVE_PER_MILLION_REQUESTS,
                MACHINE_PER_HOUR);
    }

    /** An object store ({@code DeviceModel.objectStore()}) as the device: 30 ms per GET, 60 ms per PUT. */
    public static HardwareProfile objectStore() {
        return new HardwareProfile(
                "object-store",
                30_000,
                80,
                60_000,
                80,
                0,
                2,
                4,
                6,
                3,
                RAM_PER_GB_MONTH,
                ARCHIVE_PER_GB_MONTH,
                ARCHIVE_PER_GB_MONTH,
                ARCHIVE_PER_MILLION_REQUESTS,
                MACHINE_PER_HOUR);
    }

    /** The preset named {@code nvme}, {@code ssd}, {@code hdd} or {@code object-store}. */
    public static HardwareProfile preset(String name) {
        return switch (name) {
            case "nvme" -> nvme();
            case "ssd" -> ssd();
            case "hdd" -> hdd();
            case "object-store" -> objectStore();
            default ->
                throw new IllegalArgumentException(
                        "unknown hardware profile '" + name + "': nvme, ssd, hdd or object-store");
        };
    }

    /** This profile under another name. */
    public HardwareProfile withName(String newName) {
        double[] f = figures();
        return fromFigures(newName, f);
    }

    /** This profile with the money weights of {@code other} (a measured device, a preset's prices). */
    public HardwareProfile withMoneyOf(HardwareProfile other) {
        double[] f = figures();
        double[] o = other.figures();
        System.arraycopy(o, 9, f, 9, 5);
        return fromFigures(name, f);
    }

    /** The figures in the file's order. */
    double[] figures() {
        return new double[] {
            randomReadMicros,
            seqReadMBps,
            randomWriteMicros,
            seqWriteMBps,
            forceMicros,
            btreeGetMicros,
            btreePutMicros,
            lsmGetMicros,
            lsmPutMicros,
            ramPerGBMonth,
            storagePerGBMonth,
            archivePerGBMonth,
            archivePerMillionRequests,
            machinePerHour
        };
    }

    static HardwareProfile fromFigures(String name, double[] f) {
        return new HardwareProfile(
                name, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13]);
    }

    /** The microseconds of device time that cost as much as {@code money} (at {@link #machinePerHour()}). */
    public double moneyToMicros(double money) {
        return money / machinePerHour * 3_600e6;
    }

    /**
     * The file's bytes, every integer and double big-endian:
     * <pre>
     * +------------+---------+---------+-----------+---------+-------------------+---------+
     * | "SLHWPROF" | version | name len| name      | figures | 14 doubles        | CRC32C  |
     * | 8          | u16 = 1 | u16     | UTF-8     | u16 =14 | IEEE 754, 8 each  | u32     |
     * +------------+---------+---------+-----------+---------+-------------------+---------+
     * </pre>
     * The CRC32C covers every byte before it.
     */
    public byte[] encode() {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + n.length + TRAILER_BYTES);
        b.put(MAGIC).putShort((short) VERSION).putShort((short) n.length).put(n).putShort((short) FIGURES);
        for (double v : figures()) {
            b.putDouble(v);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /**
     * Decodes a profile file's bytes; {@code file} names it in errors. Every check names the offset
     * and what failed: the length, the magic, the version, the name's length and encoding, the
     * figure count, the checksum, and each figure's range.
     */
    public static HardwareProfile decode(byte[] bytes, String file) throws CorruptionException {
        if (bytes.length < HEADER_BYTES + TRAILER_BYTES) {
            throw new CorruptionException(
                    file,
                    0,
                    "hardware profile is " + bytes.length + " bytes, shorter than the " + (HEADER_BYTES + TRAILER_BYTES)
                            + " bytes of its frame");
        }
        if (!Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new CorruptionException(file, 0, "wrong magic: not a hardware profile (expected \"SLHWPROF\")");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.position(MAGIC.length);
        int version = Short.toUnsignedInt(b.getShort());
        if (version != VERSION) {
            throw new CorruptionException(file, 8, "hardware profile version " + version + ", expected " + VERSION);
        }
        int nameLength = Short.toUnsignedInt(b.getShort());
        if (nameLength == 0
                || nameLength > MAX_NAME_BYTES
                || HEADER_BYTES + nameLength + TRAILER_BYTES != bytes.length) {
            throw new CorruptionException(
                    file,
                    10,
                    "name length " + nameLength + " does not fit the " + bytes.length + "-byte file (1 to "
                            + MAX_NAME_BYTES + " bytes, then " + TRAILER_BYTES + " bytes of figures and checksum)");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
        if (stored != (int) crc.getValue()) {
            throw new CorruptionException(
                    file,
                    bytes.length - 4,
                    String.format(
                            Locale.ROOT, "hardware profile checksum mismatch: stored %08x, computed %08x", stored, (int)
                                    crc.getValue()));
        }
        String name = new String(bytes, HEADER_BYTES, nameLength, StandardCharsets.UTF_8);
        b.position(HEADER_BYTES + nameLength);
        int figures = Short.toUnsignedInt(b.getShort());
        if (figures != FIGURES) {
            throw new CorruptionException(
                    file,
                    HEADER_BYTES + nameLength,
                    "hardware profile holds " + figures + " figures, expected " + FIGURES);
        }
        double[] f = new double[FIGURES];
        for (int i = 0; i < FIGURES; i++) {
            f[i] = b.getDouble();
        }
        try {
            return fromFigures(name, f);
        } catch (IllegalArgumentException e) {
            throw new CorruptionException(
                    file, HEADER_BYTES + nameLength + 2, "hardware profile out of range: " + e.getMessage());
        }
    }

    /** Reads the profile file {@code name} of {@code storage}. */
    public static HardwareProfile read(Storage storage, String name) throws IOException {
        long size = storage.size(name);
        long max = HEADER_BYTES + MAX_NAME_BYTES + TRAILER_BYTES;
        if (size > max) {
            throw new CorruptionException(
                    storage.describe(name),
                    0,
                    "hardware profile is " + size + " bytes, more than a profile can be (" + max + ")");
        }
        byte[] bytes = new byte[(int) size];
        try (ReadableFile f = storage.openRead(name)) {
            f.readFully(0, ByteBuffer.wrap(bytes));
        }
        return decode(bytes, storage.describe(name));
    }

    /** Writes this profile as {@code name} in {@code storage}: a temp file, forced, renamed over it, the directory synced. */
    public void write(Storage storage, String name) throws IOException {
        String temp = name + ".tmp";
        if (storage.exists(temp)) {
            storage.delete(temp);
        }
        try (WritableFile f = storage.create(temp)) {
            f.append(ByteBuffer.wrap(encode()));
            f.force();
        }
        storage.rename(temp, name);
        storage.syncDirectory();
    }

    /** One line per figure, for people (the CLI prints this). */
    public String describe() {
        StringBuilder s = new StringBuilder("hardware profile '" + name + "'\n");
        String[] units = {
            "us",
            "MB/s",
            "us",
            "MB/s",
            "us",
            "us",
            "us",
            "us",
            "us",
            "$/GB-month",
            "$/GB-month",
            "$/GB-month",
            "$/1M requests",
            "$/hour"
        };
        double[] f = figures();
        for (int i = 0; i < f.length; i++) {
            s.append(String.format(Locale.ROOT, "  %-26s %12.3f %s%n", FIGURE_NAMES[i], f[i], units[i]));
        }
        return s.toString();
    }
}
