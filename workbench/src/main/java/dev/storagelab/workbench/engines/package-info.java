/**
 * Every engine the workbench opens, by name ({@code Engine}, and the peers registered as {@code
 * EngineFactory} services), as handles that say what the engine did ({@code Counters}). The ground
 * floor: it imports no other package of the workbench.
 */
package dev.storagelab.workbench.engines;
