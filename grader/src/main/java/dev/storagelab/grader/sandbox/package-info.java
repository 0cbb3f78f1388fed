/**
 * The trust boundary, in one place: everything a submission's code can reach is decided here, and
 * each wall holds alone. It guarantees that a class compiled from a student's file calls only what
 * the allow-list names ({@code ClassScan}, {@code ApiAllowList}); that every JVM running lab code
 * carries the in-JVM policy ({@code SandboxPolicy}) and gets only the runner's classes of the grader
 * ({@code RunnerClasses}); that, where the grader is root, each run has a user of its own, a private
 * folder, OS limits and a disk quota ({@code Confinement}, {@code TestJvmLimits}, {@code DiskQuota}),
 * and leaves nothing behind ({@code TestUserSweep}); and every output says which walls stood ({@code
 * Walls}). It imports only the workspace, the policy and the runner: no step that runs student code.
 */
package dev.storagelab.grader.sandbox;
