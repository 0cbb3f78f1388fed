package dev.storagelab.grader.runner;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticates the runner's event lines: {@code seq body mac}, where {@code seq} counts the
 * lines from 0 and {@code mac} is the HMAC-SHA256, under a secret only the grader and the runner
 * know, of {@code seq + " " + body} (body holds the event type, the test id and the verdict). A
 * line that student code appends cannot carry a valid MAC; a replayed or reordered runner line
 * carries the wrong sequence number.
 */
public final class EventSigner {

    private final Mac mac;

    public EventSigner(byte[] secret) {
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** The MAC of line {@code seq} with {@code body}, Base64. */
    public synchronized String mac(long seq, String body) {
        byte[] m = mac.doFinal((seq + " " + body).getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().withoutPadding().encodeToString(m);
    }

    /**
     * The body of {@code line} if it is line {@code expectedSeq} with a valid MAC; otherwise
     * throws, saying what was wrong.
     */
    public String verify(String line, long expectedSeq) {
        int first = line.indexOf(' ');
        int last = line.lastIndexOf(' ');
        if (first <= 0 || last <= first) {
            throw new IllegalArgumentException("an event line without a sequence number and a MAC: " + excerpt(line));
        }
        String body = line.substring(first + 1, last);
        long seq;
        try {
            seq = Long.parseLong(line.substring(0, first));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("an event line without a sequence number: " + excerpt(line));
        }
        byte[] expected = mac(seq, body).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, line.substring(last + 1).getBytes(StandardCharsets.US_ASCII))) {
            throw new IllegalArgumentException("an event line with a forged MAC: " + excerpt(line));
        }
        if (seq != expectedSeq) {
            throw new IllegalArgumentException("a replayed or reordered event line (sequence " + seq + ", expected "
                    + expectedSeq + "): " + excerpt(body));
        }
        return body;
    }

    private static String excerpt(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }

    /** Writes authenticated lines, numbered from 0, flushed at once. */
    public static final class Writer {
        private final EventSigner signer;
        private final PrintStream out;
        private long seq;

        public Writer(EventSigner signer, PrintStream out) {
            this.signer = signer;
            this.out = out;
        }

        public synchronized void println(String body) {
            long n = seq++;
            out.println(n + " " + body + " " + signer.mac(n, body));
            out.flush();
        }
    }
}
