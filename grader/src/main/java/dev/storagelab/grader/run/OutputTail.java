package dev.storagelab.grader.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Drains a stream on its own thread, keeping only the last {@code cap} bytes. */
final class OutputTail extends Thread {
    private final InputStream in;
    private final int cap;
    private final StringBuilder text = new StringBuilder();

    OutputTail(InputStream in, int cap) {
        super("test-output-drain");
        setDaemon(true);
        this.in = in;
        this.cap = cap;
    }

    @Override
    public void run() {
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (text) {
                    text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    if (text.length() > 2 * cap) {
                        text.delete(0, text.length() - cap);
                    }
                }
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    void finish() {
        try {
            join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String text() {
        synchronized (text) {
            return text.length() > cap ? text.substring(text.length() - cap) : text.toString();
        }
    }
}
