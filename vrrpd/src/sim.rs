//! Deterministic network simulator over the pure state machine (filled in below).
