/**
 * A lab's performance points: each rubric line run in JMH on the reference and the submission,
 * scored by counted work or by CPU time with an interval whose doubt goes to the student.
 */
package dev.storagelab.grader.perf;
