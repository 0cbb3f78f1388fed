package dev.storagelab.hybrid;

/** PLACEHOLDER: the lead is writing the hardened hybrid engine (T5, T6) here. */
public final class HybridStore {
}
