package dev.storagelab.workbench.viz;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.storagelab.testkit.FailureRecorder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** Runs a test class as {@code ./storagelab test} runs a lab's public tests: recording what fails. */
final class FailingTests {

    private FailingTests() {}

    /** Runs {@code tests}, which must fail once, and returns the recording it left in {@code dir}. */
    static Path recordingOf(Class<?> tests, Path dir) throws IOException {
        System.setProperty(FailureRecorder.PROPERTY, dir.toString());
        try {
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(tests))
                    .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                    .build();
            LauncherFactory.create().execute(request);
        } finally {
            System.clearProperty(FailureRecorder.PROPERTY);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.toList();
        }
        if (files.size() != 1) {
            throw new IllegalStateException(tests.getSimpleName() + " left " + files + " in " + dir
                    + "; one recording of its failing test was expected");
        }
        return files.get(0);
    }
}
