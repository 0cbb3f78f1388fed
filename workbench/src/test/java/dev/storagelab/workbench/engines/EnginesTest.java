package dev.storagelab.workbench.engines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnginesTest {

    @TempDir
    Path dir;

    @Test
    void aRegisteredPeerWhoseClassIsMissingIsLeftOutNotFatal() throws IOException {
        // What a default build finds after a -Ppeers build: the peers' registration, not their classes.
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(
                services.resolve(EngineFactory.class.getName()), "dev.storagelab.workbench.peers.NoSuchEngine\n");
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader stale = new URLClassLoader(new URL[] {dir.toUri().toURL()}, before)) {
            Thread.currentThread().setContextClassLoader(stale);
            List<String> ids = Engines.ids();
            assertThat(
                    ids.subList(0, Engine.values().length),
                    equalTo(Arrays.stream(Engine.values()).map(Engine::id).toList()));
            assertThat("the missing peer is not listed", ids.contains("NoSuchEngine"), equalTo(false));
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }
}
