/**
 * Recorded runs: what an engine reports, written as a run file ({@code EventTaps}, {@code
 * EventRecorder}), and the viewer that replays them in a browser ({@code ./storagelab viz}).
 */
package dev.storagelab.workbench.viz;
