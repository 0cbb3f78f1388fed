package dev.storagelab.hybrid.cost.calibration;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.storagelab.hybrid.cost.Calibrator;
import dev.storagelab.hybrid.cost.HardwareProfile;
import dev.storagelab.hybrid.tier.DeviceModel;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The calibrator (given code) on a simulated disk: the device's figures come out as the device
 * model says, and the whole profile is the same on every run (no wall-clock time is read). Small
 * sizes; the real run is {@code ./storagelab hybrid-calibrate}.
 */
class CalibratorTest {

    @TempDir
    Path dir;

    private HardwareProfile simulatedHdd(String sub) throws IOException {
        return new Calibrator(dev.storagelab.io.DiskStorage.open(dir.resolve(sub)), DeviceModel.hdd(), 300, 1 << 20)
                .measure(HardwareProfile.hdd());
    }

    @Test
    void aSimulatedDiskMeasuresAsItsModel() throws IOException {
        HardwareProfile p = simulatedHdd("a");
        DeviceModel hdd = DeviceModel.hdd();
        assertThat(p.name(), equalTo("hdd-simulated"));
        assertThat(
                "a random 4 KiB read: the seek and the transfer",
                p.randomReadMicros(),
                closeTo(hdd.readNanos(4096) / 1e3, 0.01));
        assertThat("a random 4 KiB write", p.randomWriteMicros(), closeTo(hdd.writeNanos(4096) / 1e3, 0.01));
        assertThat("the marginal sequential rates are the model's", p.seqReadMBps(), closeTo(hdd.readMBps(), 0.01));
        assertThat(p.seqWriteMBps(), closeTo(hdd.writeMBps(), 0.01));
        assertThat(p.forceMicros(), closeTo(hdd.forceMicros(), 0.01));
        assertThat("the LSM's puts pay for flushes on the slow device", p.lsmPutMicros(), greaterThan(0.0));
        assertThat(
                "the money weights are the preset's",
                p.ramPerGBMonth(),
                equalTo(HardwareProfile.hdd().ramPerGBMonth()));
    }

    @Test
    void aSimulatedProfileIsTheSameOnEveryRun() throws IOException {
        assertThat(simulatedHdd("b"), equalTo(simulatedHdd("c")));
    }
}
