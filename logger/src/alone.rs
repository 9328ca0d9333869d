//! A value on cache lines of its own.

/// `T` alone on 128 bytes (two cache lines: the adjacent-line prefetcher
/// pulls them in pairs), for a static that the logging threads read on
/// every record or that the flusher writes often: a frequently written
/// neighbour would turn each read into a miss, taking the line back from
/// another core.
#[repr(align(128))]
pub(crate) struct Alone<T>(pub T);
