// The guard returned by `install()` that is not kept stops the logger at
// once: a warning (denied here) that says to bind it to a named variable.
#![deny(unused_must_use)]

fn main() -> Result<(), logger::InitError> {
    logger::builder().install()?;
    Ok(())
}
