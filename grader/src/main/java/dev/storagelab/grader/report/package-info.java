/**
 * The grade report and what it is written as: Gradescope's and PrairieLearn's results, {@code
 * grade.json}, {@code report.md}, JUnit XML, the terminal table, and a class's leaderboard.
 */
package dev.storagelab.grader.report;
