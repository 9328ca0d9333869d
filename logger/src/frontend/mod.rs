//! The hot path: code that runs on the application's threads.
//!
//! The contract every function here keeps, after a thread's first record
//! (or [`crate::preallocate`]): no lock, no heap allocation, no syscall, no
//! wake-up of another thread. A record costs a level check, a timestamp, a
//! copy of its bytes into the thread's ring and one release store. The
//! only waits are those the overflow policy asks for (`Block`, `Grow` at
//! its cap) when the ring is full.

pub(crate) mod critical;
pub(crate) mod in_place;
pub(crate) mod log_adapter;
pub(crate) mod thread_ring;
