/**
 * The course platforms: Gradescope's autograder zip, PrairieLearn's questions, and what their
 * scripts write when the grader was stopped from outside.
 */
package dev.storagelab.grader.platform;
