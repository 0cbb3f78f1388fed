package dev.storagelab.workbench.cli;

import dev.storagelab.hybrid.cost.Calibrator;
import dev.storagelab.hybrid.cost.HardwareProfile;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.commons.io.file.PathUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hybrid-calibrate}: measures this machine's {@link HardwareProfile} (lab-07's cost model
 * weighs every access by it) with lab-07's {@link Calibrator}, prints it and writes the profile file.
 */
@Command(
        name = "hybrid-calibrate",
        mixinStandardHelpOptions = true,
        description = "Measure the storage and the lab-04 and lab-05 engines on this machine"
                + " (or on a simulated hdd or object store) and write the hardware profile lab-07's cost model reads.")
final class HybridCalibrate implements Callable<Integer> {

    @Option(
            names = "--dir",
            description = "Where the measurements' files go (default: a temporary directory, deleted after).")
    Path dir;

    @Option(
            names = "--out",
            defaultValue = HardwareProfile.DEFAULT_FILE,
            description = "The profile file to write (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--device",
            defaultValue = "nvme",
            description =
                    "nvme: this machine's storage, measured; hdd or"
                            + " object-store: simulated by a latency-injecting storage on a simulated clock (default ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--keys", defaultValue = "10000", description = "Keys per engine (default ${DEFAULT-VALUE}).")
    int keys;

    @Override
    public Integer call() throws Exception {
        if (!device.equals("nvme") && !device.equals("hdd") && !device.equals("object-store")) {
            throw new IllegalArgumentException("--device must be nvme, hdd or object-store: " + device);
        }
        if (keys < 100 || keys > 1_000_000) {
            throw new IllegalArgumentException("--keys must be within [100, 1000000]: " + keys);
        }
        PrintStream o =
                new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        boolean temporary = dir == null;
        Path work = temporary
                ? Files.createTempDirectory("storagelab-calibrate-")
                : dir.resolve("calibrate-" + System.nanoTime());
        long start = System.nanoTime();
        HardwareProfile profile;
        try {
            profile = Calibrator.calibrate(dev.storagelab.io.DiskStorage.open(work), device, keys);
        } finally {
            if (temporary) {
                PathUtils.deleteDirectory(work);
            }
        }
        Path file = out.toAbsolutePath();
        profile.write(
                dev.storagelab.io.DiskStorage.open(file.getParent()),
                file.getFileName().toString());
        o.print(profile.describe());
        o.printf(
                java.util.Locale.ROOT,
                "measured in %.1f s; written to %s%n",
                (System.nanoTime() - start) / 1e9,
                out.toAbsolutePath());
        return 0;
    }
}
