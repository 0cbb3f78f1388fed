/**
 * A submission read once: {@link dev.storagelab.grader.submission.Submission#open} takes a
 * student's folder or zip into a sealed copy in the grading's scratch space, and every later step
 * asks that copy; nothing downstream sees, or reads again, the original.
 */
package dev.storagelab.grader.submission;
