//! What `stats`, `plot` and `report` compute: one collecting pass
//! ([`collect`]), bounded time series ([`timeline`]) and the result as
//! tables or JSON ([`summary`]).

pub mod collect;
pub mod summary;
pub mod timeline;
