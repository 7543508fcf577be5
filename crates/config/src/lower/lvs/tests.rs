//! Tests of the LVS section.
