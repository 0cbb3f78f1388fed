/**
 * What a student may read of a failure: a message cleaned of library noise, cut where it would
 * quote a hidden test, and bounded by what the course's own words can carry; a task not implemented
 * yet recognised, and text laid out for the terminal.
 */
package dev.storagelab.grader.feedback;
