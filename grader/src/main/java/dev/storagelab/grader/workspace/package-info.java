/**
 * The instructor's workspace as the grader reads it: its labs, handouts, rubric and hidden tests'
 * list, its builds, and scratch copies of it. The ground floor: it imports no other package of the
 * grader, and the workspace itself is only ever read.
 */
package dev.storagelab.grader.workspace;
