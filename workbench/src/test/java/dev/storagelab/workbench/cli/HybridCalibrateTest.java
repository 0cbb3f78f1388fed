package dev.storagelab.workbench.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.storagelab.hybrid.cost.HardwareProfile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hybrid-calibrate}: the verb writes a profile file the cost model can read, and refuses unknown devices. */
class HybridCalibrateTest {

    @TempDir
    Path dir;

    @Test
    void aSimulatedDiskIsCalibratedIntoAProfileFile() throws Exception {
        Path out = dir.resolve("hdd.profile");
        int exit = WorkbenchMain.commandLine()
                .execute(
                        "hybrid-calibrate",
                        "--device",
                        "hdd",
                        "--keys",
                        "200",
                        "--dir",
                        dir.resolve("work").toString(),
                        "--out",
                        out.toString());
        assertThat(exit, equalTo(0));
        HardwareProfile p = HardwareProfile.read(dev.storagelab.io.DiskStorage.open(dir), "hdd.profile");
        assertThat(p.name(), equalTo("hdd-simulated"));
        assertThat("a simulated seek and 4 KiB at 150 MB/s", p.randomReadMicros(), closeTo(8_027.307, 0.001));
        assertThat("the measurements stay in --dir", Files.isDirectory(dir.resolve("work")), equalTo(true));
    }

    @Test
    void anUnknownDeviceIsRefusedByName() {
        CommandLine cl = WorkbenchMain.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(
                "hybrid-calibrate",
                "--device",
                "floppy",
                "--out",
                dir.resolve("x").toString());
        assertThat("a usage error", exit, equalTo(WorkbenchMain.EXIT_COULD_NOT_RUN));
        assertThat(err.toString(), containsString("floppy"));
        assertThat("nothing written", Files.exists(dir.resolve("x")), equalTo(false));
    }
}
