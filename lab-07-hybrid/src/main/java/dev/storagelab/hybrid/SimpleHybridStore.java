package dev.storagelab.hybrid;

/** PLACEHOLDER: the scenarios helper writes the episode's simple engine here (given code). */
public final class SimpleHybridStore {
}
