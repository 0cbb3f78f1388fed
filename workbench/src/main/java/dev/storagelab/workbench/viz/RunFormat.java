package dev.storagelab.workbench.viz;

/**
 * The format of a recorded run ({@code ./storagelab workload ... --events RUN.jsonl}): JSON lines,
 * one object per line, UTF-8, each line ended by {@code \n}.
 *
 * <pre>
 *   line 1      header  {"format":"storagelab-events","version":1,"engine":"lsm","workload":"fillrandom",
 *                        "keys":100000,"ops":100000,"seed":42,"startedAt":"2026-11-25T10:00:00Z"}
 *   line 2..n+1 event   {"i":0,"t":1234567,"type":"flush.end", ...the event's fields}
 *                        i: the event's number from 0; t: nanoseconds since the header was written
 *                        (never decreasing); type: an EventType id, or run.phase (the workbench's
 *                        marks: load, run, sync, done)
 *   last line   end     {"end":true,"events":n,"crc32c":"89abcdef"}
 *                        crc32c: CRC32C of every byte before this line (header and events), in hex
 * </pre>
 *
 * A file without its end line was cut short (the run was killed, or is still running): the viewer
 * opens its complete lines and says so. A checksum that does not match, a line that is not JSON
 * before the last, or a newer version are refused with a message naming what was wrong.
 */
public final class RunFormat {

    /** The header's {@code format}. */
    public static final String FORMAT = "storagelab-events";
    /** The version this workbench writes and reads; a newer one is refused. */
    public static final int VERSION = 1;
    /** The largest recording the viewer opens: 1 GiB, about five million events. */
    public static final long MAX_BYTES = 1L << 30;
    /** The type of the workbench's own marks (a phase of the run begins). */
    public static final String PHASE = "run.phase";

    private RunFormat() {}
}
