//! Procedural macros of the `logger` crate.
//!
//! Do not depend on this crate directly: use `logger`, which re-exports
//! `trade!`, `perf!`, `info!`, `warn!`, `error!`, `debug!`, `trace!`,
//! `#[log_performance]` and `#[derive(Loggable)]`, and documents them. The expansions name only `::logger::__private::…`,
//! `::core::…` and `::std::…` paths.
//!
//! Each entry point is parse, then validate, then expand; errors become
//! `compile_error!` spanned at the user's tokens (and `#[log_performance]`
//! then emits the function unchanged, so the rest of the crate still
//! type-checks).

mod bind;
mod derive;
mod expand;
mod fallback;
mod message;
mod parse;
mod validate;

use proc_macro::TokenStream;

/// The procedural macro behind `logger::trade!`.
#[proc_macro]
pub fn trade(input: TokenStream) -> TokenStream {
    syn::parse::<parse::TradeArgs>(input)
        .and_then(validate::trade)
        .map(|v| expand::trade(&v))
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// An event macro's expansion at `level`; `who` names it in errors.
fn event(input: TokenStream, level: parse::Level, who: &str) -> TokenStream {
    syn::parse::<parse::EventArgs>(input)
        .and_then(|a| validate::event(a, level, who))
        .map(|v| expand::event(&v, who))
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// The procedural macro behind `logger::error!`.
#[proc_macro]
pub fn error(input: TokenStream) -> TokenStream {
    event(input, parse::Level::Error, "logger::error!")
}

/// The procedural macro behind `logger::warn!`.
#[proc_macro]
pub fn warn(input: TokenStream) -> TokenStream {
    event(input, parse::Level::Warn, "logger::warn!")
}

/// The procedural macro behind `logger::info!`.
#[proc_macro]
pub fn info(input: TokenStream) -> TokenStream {
    event(input, parse::Level::Info, "logger::info!")
}

/// The procedural macro behind `logger::debug!`.
#[proc_macro]
pub fn debug(input: TokenStream) -> TokenStream {
    event(input, parse::Level::Debug, "logger::debug!")
}

/// The procedural macro behind `logger::trace!`.
#[proc_macro]
pub fn trace(input: TokenStream) -> TokenStream {
    event(input, parse::Level::Trace, "logger::trace!")
}

/// The procedural macro behind `logger::perf!`.
#[proc_macro]
pub fn perf(input: TokenStream) -> TokenStream {
    syn::parse::<parse::PerfArgs>(input)
        .and_then(validate::perf)
        .map(|v| expand::perf(&v))
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// The procedural macro behind `#[logger::log_performance]`.
#[proc_macro_attribute]
pub fn log_performance(args: TokenStream, item: TokenStream) -> TokenStream {
    let item2: proc_macro2::TokenStream = item.clone().into();
    let parsed = syn::parse::<parse::LogPerformanceArgs>(args)
        .and_then(|args| Ok((args, parse::timed_fn(item2.clone())?)))
        .and_then(|(args, f)| validate::log_performance(args, f));
    match parsed {
        Ok(v) => expand::log_performance(v).into(),
        Err(e) => fallback::with_item(e, item2).into(),
    }
}

/// The procedural macro behind `#[derive(logger::Loggable)]`.
#[proc_macro_derive(Loggable, attributes(loggable))]
pub fn derive_loggable(input: TokenStream) -> TokenStream {
    syn::parse::<syn::DeriveInput>(input)
        .and_then(derive::loggable)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// The procedural macro behind `logger::bind!`.
#[proc_macro]
pub fn bind(input: TokenStream) -> TokenStream {
    syn::parse::<bind::BindArgs>(input)
        .and_then(bind::bind)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
