package dev.storagelab.kv;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** {@link CorruptionException}: an operator must be able to find the bad bytes from the message alone. */
class CorruptionExceptionTest {

    @Test
    void theMessageIsFileAtOffsetColonWhatFailed() {
        CorruptionException e = new CorruptionException("000007.seg", 12288, "block checksum mismatch");
        assertThat(
                "the shape the class Javadoc promises",
                e.getMessage(),
                is("000007.seg @ 12288: block checksum mismatch"));
    }

    @Test
    void fileAndOffsetAreAvailableToCode() {
        CorruptionException e = new CorruptionException("/data/store.log", 4096L * 1024 * 1024, "bad length");
        assertThat(e.file(), is("/data/store.log"));
        assertThat("offsets past 2 GiB survive", e.offset(), is(4096L * 1024 * 1024));
    }

    @Test
    void corruptionIsAnIOException() {
        assertThat(
                "callers that handle I/O errors also see corruption",
                new CorruptionException("f", 0, "x"),
                instanceOf(IOException.class));
    }
}
