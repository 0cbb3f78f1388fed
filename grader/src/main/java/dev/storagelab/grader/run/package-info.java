/**
 * Running one lab's hidden tests: the supervisor that starts test JVMs, follows the runner's events
 * with its own clock and survives whatever they do, the test's own time, each task's share of the
 * lab's time, and the grading's time limit.
 */
package dev.storagelab.grader.run;
