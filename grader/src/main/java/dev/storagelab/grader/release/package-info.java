/**
 * The student release: exporting the workspace with every solution region replaced, the proof that
 * it leaks nothing, Classroom's workflow inside it, and carrying a student's work into a newer
 * release ({@code update}).
 */
package dev.storagelab.grader.release;
