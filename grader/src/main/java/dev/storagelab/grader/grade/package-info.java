/**
 * Grading: a submission against the reference, lab by lab, isolated and integrated ({@code Grader}),
 * and a folder of submissions into a gradebook. The path it is given goes only to {@code
 * submission}; what it grades after is the sealed copy.
 */
package dev.storagelab.grader.grade;
