//! Sinks: memory-mapped rotating files and their housekeeping.
