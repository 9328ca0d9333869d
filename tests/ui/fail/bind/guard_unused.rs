// A guard that is not kept ends the context at once: a warning, denied here.
#![deny(unused_must_use)]

fn main() {
    logger::correlation("trade-1");
}
