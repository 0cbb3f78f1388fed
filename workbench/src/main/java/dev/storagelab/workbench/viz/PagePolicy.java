package dev.storagelab.workbench.viz;

import com.sun.net.httpserver.Headers;

/**
 * What a browser may do with what the viewer's server sends: the headers every answer carries.
 * A recording is data from an engine, a student's own among them, and the viewer's page is opened
 * by whoever looks at the run (an instructor at a student's failing test, say) on a server that
 * starts live runs: should a recorded value ever reach the page as markup, the browser runs no
 * script and loads nothing that the server did not send as a file.
 *
 * <p>Scripts, styles and pictures come from this server only, with no inline script, style
 * attribute or {@code <style>} element, no plugin, no {@code <base>}, no form sent anywhere, and no
 * page of another site may frame these (clickjacking). The types are never guessed from content.
 */
final class PagePolicy {

    /** The book's pages and files beside the viewer ({@code ./storagelab book --serve}). */
    static final String FOLDER = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /**
     * The viewer's page, its files and its API: moreover no markup may be made from a string
     * (Trusted Types with no policy: assigning a string to {@code innerHTML} throws), which the
     * page never does; everything it shows is built as elements and text ({@code viz/dom.js}).
     * The book's pages cannot have it: highlight.js writes its markup as a string.
     */
    static final String VIEWER = FOLDER + "; require-trusted-types-for 'script'; trusted-types 'none'";

    private PagePolicy() {}

    /** Sets the headers of an answer that {@code policy} governs. */
    static void set(Headers headers, String policy) {
        headers.set("Content-Security-Policy", policy);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Cache-Control", "no-store");
    }
}
