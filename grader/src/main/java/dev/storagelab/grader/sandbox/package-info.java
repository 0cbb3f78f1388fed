/**
 * The trust boundary, in one place: everything a submission's code can reach is decided here. It
 * guarantees that student code calls only what the allow-list names ({@code ClassScan}), that every
 * JVM running it carries the policy ({@code SandboxPolicy}) and only the runner's classes, and that
 * as root each run has a user, a folder, limits and a disk quota of its own, swept when it ends.
 */
package dev.storagelab.grader.sandbox;
