package dev.storagelab.workbench.viz;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./storagelab viz} ends when it is told to (SIGTERM, as Ctrl-C and a closed terminal do)
 * and when the launcher that started it is gone, however that ended: within 5 s its port is free
 * and its temporary folder of live runs is gone.
 */
class VizStopTest {

    @TempDir
    Path tmp;

    @Test
    void sigtermFreesThePortAndLeavesNoFolder() throws Exception {
        try (VizProcess viz = VizProcess.start(List.of("--port", "0"), tmp)) {
            int port = viz.awaitHealthy(Duration.ofSeconds(60));
            assertThat("the live runs' folder is made", leftIn(tmp).size(), is(1));
            long start = System.nanoTime();
            viz.process().destroy(); // SIGTERM
            assertThat(viz.output(), viz.awaitExit(Duration.ofSeconds(5)) >= 0, is(true));
            assertFreed(port, start);
        }
    }

    @Test
    void theServerEndsWithTheLauncherEvenWhenTheLauncherIsKilled() throws Exception {
        try (VizProcess parent = VizProcess.startUnderAParent(List.of("--port", "0"), tmp)) {
            int port = parent.awaitHealthy(Duration.ofSeconds(60));
            List<ProcessHandle> viz = parent.process().descendants().toList();
            assertThat("the parent runs the viz JVM", viz.size(), is(1));
            long start = System.nanoTime();
            parent.process().destroyForcibly(); // SIGKILL: no chance to stop its child
            viz.get(0).onExit().get(5, TimeUnit.SECONDS);
            assertFreed(port, start);
        }
    }

    private void assertFreed(int port, long start) throws IOException {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat("the port is free again", s.getLocalPort(), is(port));
        }
        assertThat("stopped within 5 s", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), lessThan(5_000L));
        assertThat("no temporary folder is left", leftIn(tmp), is(empty()));
    }

    private static List<Path> leftIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("storagelab-viz"))
                    .toList();
        }
    }
}
