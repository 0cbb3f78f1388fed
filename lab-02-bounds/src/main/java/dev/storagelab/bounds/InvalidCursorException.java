package dev.storagelab.bounds;

/**
 * A pagination token that cannot be used: not base64url, cut short, of an unknown version, or
 * with a signature that does not match (tampered with, or issued by another store). The message
 * says which; a web service maps it to HTTP 400 and never to a page of someone else's data.
 */
public final class InvalidCursorException extends IllegalArgumentException {

    public InvalidCursorException(String message) {
        super(message);
    }

    public InvalidCursorException(String message, Throwable cause) {
        super(message, cause);
    }
}
