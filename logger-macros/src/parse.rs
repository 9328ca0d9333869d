//! Syntax: `TradeArgs`, `PerfArgs`, `LogPerformanceArgs` and the timed
//! function, each keeping the user's tokens for spans.
//!
//! ```text
//! trade!( [LEVEL ,] [target: "t" ,] [rate: "100/s" ,] key = value, key = value, ... [; "message {}", arg, ...] )
//! perf!(  [LEVEL ,] [target: "t" ,] [rate: "100/s" ,] "name" [, elapsed] [, key = value]* [; "message", arg, ...] )
//! info!(  [target: "t" ,] [rate: "100/s" ,] [key = value, ... ;] "message {}", arg, ... )   (and warn!, error!, debug!, trace!)
//! #[log_performance( name = "..", level = "debug", threshold = "50us", sample = 10, rate = "100/s", args(a, b), cpu, mem )]
//! ```
//!
//! The level, `target:` and `rate:` come in any order. `LEVEL` is
//! `level: warn` (`critical`, `error`, `warn`, `info`, `debug`, `trace`), or
//! a path ending in `Critical`, `Error`, `Warn`, `Info`, `Debug` or `Trace`
//! (`Level::Warn`, `log::Level::Warn`, `logger::Level::Critical`). In
//! `trade!`, a bare `warn,` is still read as the level, with a deprecation
//! warning at the word: a variable of that name (meant as a shorthand
//! field) would be silently taken as the level. In `perf!` a bare word
//! cannot be anything else (the operation, a string literal, comes next)
//! and needs no warning. A `trade!` field without `= value` is shorthand
//! for `key = key`.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::discouraged::Speculative;
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Ident, ItemFn, Lit, LitInt, LitStr, Path, Token};

use crate::message::Message;

/// A level as written.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Level {
    Critical,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl Level {
    /// The level named `s` in lowercase (`"warn"`), case-insensitively.
    pub(crate) fn from_name(s: &str) -> Option<Level> {
        Some(match s.to_ascii_lowercase().as_str() {
            "critical" => Level::Critical,
            "error" => Level::Error,
            "warn" => Level::Warn,
            "info" => Level::Info,
            "debug" => Level::Debug,
            "trace" => Level::Trace,
            _ => return None,
        })
    }

    /// The `log::Level` variant name.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Level::Critical => "Critical",
            Level::Error => "Error",
            Level::Warn => "Warn",
            Level::Info => "Info",
            Level::Debug => "Debug",
            Level::Trace => "Trace",
        }
    }
}

/// A field key: an identifier (raw identifiers and keywords allowed) or a
/// string literal.
pub(crate) enum Key {
    Ident(Ident),
    Str(LitStr),
}

impl Key {
    /// The field name as recorded.
    pub(crate) fn name(&self) -> String {
        match self {
            Key::Ident(i) => i.unraw().to_string(),
            Key::Str(s) => s.value(),
        }
    }

    pub(crate) fn span(&self) -> Span {
        match self {
            Key::Ident(i) => i.span(),
            Key::Str(s) => s.span(),
        }
    }
}

/// `key = value` (or the shorthand `key`).
pub(crate) struct Field {
    pub key: Key,
    pub value: Expr,
}

/// Whether the input starts with a field: `key =` (not `==`).
fn peek_field(input: ParseStream<'_>) -> bool {
    (input.peek(Ident::peek_any) || input.peek(LitStr))
        && input.peek2(Token![=])
        && !input.peek2(Token![==])
        && !input.peek2(Token![=>])
}

impl Parse for Field {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key = if input.peek(LitStr) {
            Key::Str(input.parse()?)
        } else if input.peek(Ident::peek_any) {
            Key::Ident(Ident::parse_any(input)?)
        } else {
            return Err(input.error("expected a field: `key = value`"));
        };
        if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            let value: Expr = input.parse()?;
            return Ok(Field { key, value });
        }
        match &key {
            Key::Ident(ident) => {
                let value: Expr = syn::parse_quote!(#ident);
                Ok(Field { key, value })
            }
            Key::Str(s) => Err(syn::Error::new(
                s.span(),
                "a field with a string key needs a value: `\"key\" = value`",
            )),
        }
    }
}

/// A level given before the fields.
pub(crate) struct LevelArg {
    pub level: Level,
    /// The word, when the level was a bare lowercase word (`info,`): it
    /// could also be meant as a variable, so the expansion warns there.
    pub bare: Option<Ident>,
}

/// Parses `level: LEVEL ,` when the input starts with `level:`.
fn parse_keyed_level(input: ParseStream<'_>) -> syn::Result<Option<LevelArg>> {
    if !(input.peek(Ident) && input.peek2(Token![:]) && !input.peek2(Token![::])) {
        return Ok(None);
    }
    let fork = input.fork();
    let ident: Ident = fork.parse()?;
    if ident != "level" {
        return Ok(None);
    }
    input.advance_to(&fork);
    input.parse::<Token![:]>()?;
    let Some(mut arg) = parse_level(input)? else {
        return Err(input.error(LEVEL_EXPECTED));
    };
    arg.bare = None; // `level: info` says what it is
    Ok(Some(arg))
}

const LEVEL_EXPECTED: &str = "expected a level: `Level::Critical`, `Level::Error`, `Level::Warn`, `Level::Info`, `Level::Debug`, `Level::Trace` (or `level: critical`, `level: error`, `level: warn`, `level: info`, `level: debug`, `level: trace`)";

/// Parses `LEVEL ,` when the input starts with one.
fn parse_level(input: ParseStream<'_>) -> syn::Result<Option<LevelArg>> {
    if !(input.peek(Ident) || input.peek(Token![::])) || peek_field(input) {
        return Ok(None);
    }
    let fork = input.fork();
    let Ok(path) = fork.call(Path::parse_mod_style) else {
        return Ok(None);
    };
    if !(fork.is_empty() || fork.peek(Token![,]) || fork.peek(Token![;])) {
        return Ok(None);
    }
    let last = path.segments.last().map(|s| s.ident.to_string());
    let last = last.as_deref().unwrap_or("");
    let single = path.segments.len() == 1 && path.leading_colon.is_none();
    let level = match last {
        "Critical" | "Error" | "Warn" | "Info" | "Debug" | "Trace" => Level::from_name(last),
        "critical" | "error" | "warn" | "info" | "debug" | "trace" if single => {
            Level::from_name(last)
        }
        _ if single => return Ok(None), // a field shorthand such as `symbol`
        _ => None,
    };
    let Some(level) = level else {
        return Err(syn::Error::new_spanned(&path, LEVEL_EXPECTED));
    };
    let bare = (single && last.starts_with(|c: char| c.is_ascii_lowercase()))
        .then(|| path.segments[0].ident.clone());
    input.advance_to(&fork);
    if !input.is_empty() && !input.peek(Token![;]) {
        input.parse::<Token![,]>()?;
    }
    Ok(Some(LevelArg { level, bare }))
}

/// Parses `NAME: "value" ,` (`target: "name"`, `rate: "100/s"`) when the
/// input starts with `NAME:`; `expected` says what the value must be.
fn parse_keyed(
    input: ParseStream<'_>,
    name: &str,
    expected: &str,
) -> syn::Result<Option<(Ident, LitStr)>> {
    if !(input.peek(Ident) && input.peek2(Token![:]) && !input.peek2(Token![::])) {
        return Ok(None);
    }
    let fork = input.fork();
    let ident: Ident = fork.parse()?;
    if ident != name {
        return Ok(None);
    }
    input.advance_to(&fork);
    input.parse::<Token![:]>()?;
    let value: LitStr = input
        .parse()
        .map_err(|e| syn::Error::new(e.span(), expected))?;
    if !input.is_empty() && !input.peek(Token![;]) {
        input.parse::<Token![,]>()?;
    }
    Ok(Some((ident, value)))
}

/// What comes before the fields: the level, `target:` and `rate:`, each
/// optional, in any order.
#[derive(Default)]
struct Prefix {
    level: Option<LevelArg>,
    target: Option<LitStr>,
    rate: Option<LitStr>,
}

/// The level where the macro's name gives it (`info!`, ...).
const LEVEL_IN_NAME: &str = "the level is given by the macro's name: write `logger::warn!(..)`, `logger::error!(..)`, `logger::debug!(..)`, ... (a field named like a level is written `warn = warn`)";

/// Parses the prefix; `allow_level: false` (the event macros, whose name
/// is the level) makes a level an error at it.
fn parse_prefix(input: ParseStream<'_>, allow_level: bool) -> syn::Result<Prefix> {
    let mut p = Prefix::default();
    loop {
        if p.level.is_none() {
            let at = input.span();
            let level = match parse_keyed_level(input)? {
                Some(l) => Some(l),
                None => parse_level(input)?,
            };
            if let Some(l) = level {
                if !allow_level {
                    return Err(syn::Error::new(at, LEVEL_IN_NAME));
                }
                p.level = Some(l);
                continue;
            }
        }
        let keyed = [
            (
                "target",
                "expected the target as a string literal: `target: \"name\"`",
                &mut p.target,
            ),
            (
                "rate",
                "expected the rate as a string literal: `rate: \"100/s\"` (a count of records per s, ms or min)",
                &mut p.rate,
            ),
        ];
        let mut found = false;
        for (name, expected, slot) in keyed {
            if let Some((key, value)) = parse_keyed(input, name, expected)? {
                if slot.is_some() {
                    return Err(syn::Error::new(
                        key.span(),
                        format!("`{name}:` is given twice"),
                    ));
                }
                *slot = Some(value);
                found = true;
                break;
            }
        }
        if !found {
            return Ok(p);
        }
    }
}

/// `; "message", args` when present.
fn parse_message(input: ParseStream<'_>) -> syn::Result<Option<Message>> {
    if input.is_empty() {
        return Ok(None);
    }
    input.parse::<Token![;]>()?;
    Ok(Some(input.parse()?))
}

/// `trade!(...)` as written.
pub(crate) struct TradeArgs {
    pub level: Option<LevelArg>,
    pub target: Option<LitStr>,
    pub rate: Option<LitStr>,
    pub fields: Vec<Field>,
    pub message: Option<Message>,
}

impl Parse for TradeArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let Prefix {
            level,
            target,
            rate,
        } = parse_prefix(input, true)?;
        let mut fields = Vec::new();
        while !input.is_empty() && !input.peek(Token![;]) {
            fields.push(input.parse::<Field>()?);
            if input.is_empty() || input.peek(Token![;]) {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(TradeArgs {
            level,
            target,
            rate,
            fields,
            message: parse_message(input)?,
        })
    }
}

/// `info!(...)` (and `warn!`, `error!`, `debug!`, `trace!`) as written:
/// `[target: "t" ,] [rate: "100/s" ,] [key = value, ... ;] "message {}", arg, ...`.
pub(crate) struct EventArgs {
    pub target: Option<LitStr>,
    pub rate: Option<LitStr>,
    pub fields: Vec<Field>,
    pub message: Message,
}

/// What an event macro says when its message is missing.
const EVENT_MESSAGE_EXPECTED: &str = "expected the message, a string literal: `info!(\"connected\")`, `info!(\"order {} at {}\", id, px)`, or after the fields and a `;`: `info!(order_id = id; \"sent\")`";

impl Parse for EventArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let Prefix { target, rate, .. } = parse_prefix(input, false)?;
        let mut fields = Vec::new();
        // A string literal not followed by `=` is the message (a key is
        // `"key" = value`).
        let message_first = input.peek(LitStr) && !peek_field(input);
        if !message_first {
            while !input.is_empty() && !input.peek(Token![;]) {
                if input.peek(LitStr) && !peek_field(input) {
                    return Err(input.error(
                        "the message comes after the fields and a `;`: `info!(key = value; \"message\")`",
                    ));
                }
                fields.push(input.parse::<Field>()?);
                if input.is_empty() || input.peek(Token![;]) {
                    break;
                }
                if !input.peek(Token![,]) {
                    return Err(input.error(
                        "expected `,` or `;`: fields are `key = value` pairs separated by commas, then `;` and the message",
                    ));
                }
                input.parse::<Token![,]>()?;
            }
            if input.is_empty() {
                return Err(syn::Error::new(Span::call_site(), EVENT_MESSAGE_EXPECTED));
            }
            input.parse::<Token![;]>()?;
        }
        if !input.peek(LitStr) {
            return Err(input.error(EVENT_MESSAGE_EXPECTED));
        }
        Ok(EventArgs {
            target,
            rate,
            fields,
            message: input.parse()?,
        })
    }
}

/// `perf!(...)` as written.
pub(crate) struct PerfArgs {
    pub level: Option<LevelArg>,
    pub target: Option<LitStr>,
    pub rate: Option<LitStr>,
    pub name: LitStr,
    pub elapsed: Option<Expr>,
    pub fields: Vec<Field>,
    pub message: Option<Message>,
}

impl Parse for PerfArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let Prefix {
            level,
            target,
            rate,
        } = parse_prefix(input, true)?;
        let name: LitStr = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected the operation name as a string literal: `perf!(\"risk_check\", elapsed)` or `let _t = perf!(\"risk_check\");`",
            )
        })?;
        let mut elapsed = None;
        let mut fields = Vec::new();
        while !input.is_empty() && !input.peek(Token![;]) {
            input.parse::<Token![,]>()?;
            if input.is_empty() || input.peek(Token![;]) {
                break;
            }
            if peek_field(input) {
                fields.push(input.parse::<Field>()?);
            } else if elapsed.is_none() && fields.is_empty() {
                elapsed = Some(input.parse::<Expr>()?);
            } else {
                return Err(input.error(
                    "expected a field `key = value` (the elapsed time, when given, comes right after the name)",
                ));
            }
        }
        Ok(PerfArgs {
            level,
            target,
            rate,
            name,
            elapsed,
            fields,
            message: parse_message(input)?,
        })
    }
}

/// An option of `#[log_performance(...)]` with the tokens it came from.
pub(crate) struct Opt<T> {
    pub value: T,
}

/// `#[log_performance(...)]` options as written (values checked later).
#[derive(Default)]
pub(crate) struct LogPerformanceArgs {
    pub name: Option<Opt<LitStr>>,
    pub level: Option<Opt<(String, Span)>>,
    pub threshold: Option<Opt<LitStr>>,
    pub sample: Option<Opt<LitInt>>,
    pub rate: Option<Opt<LitStr>>,
    pub args: Option<Opt<Vec<Ident>>>,
    pub cpu: Option<Opt<()>>,
    pub mem: Option<Opt<()>>,
}

const OPTIONS: &str = "`name = \"..\"`, `level = \"debug\"`, `threshold = \"50us\"`, `sample = N`, `rate = \"100/s\"`, `args(a, b)`, `cpu`, `mem`";

impl Parse for LogPerformanceArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut out = LogPerformanceArgs::default();
        let mut errors: Option<syn::Error> = None;
        while !input.is_empty() {
            let key = Ident::parse_any(input)?;
            if let Err(e) = out.option(&key, input) {
                match &mut errors {
                    Some(all) => all.combine(e),
                    None => errors = Some(e),
                }
                // Skip to the next option.
                while !input.is_empty() && !input.peek(Token![,]) {
                    input.parse::<proc_macro2::TokenTree>()?;
                }
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        match errors {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }
}

impl LogPerformanceArgs {
    fn option(&mut self, key: &Ident, input: ParseStream<'_>) -> syn::Result<()> {
        fn set<T>(slot: &mut Option<Opt<T>>, key: &Ident, value: T) -> syn::Result<()> {
            if slot.is_some() {
                return Err(syn::Error::new(
                    key.span(),
                    format!("duplicate option `{key}`"),
                ));
            }
            *slot = Some(Opt { value });
            Ok(())
        }
        fn eq_lit(key: &Ident, input: ParseStream<'_>, what: &str) -> syn::Result<Lit> {
            if !input.peek(Token![=]) {
                return Err(syn::Error::new(
                    key.span(),
                    format!("option `{key}` needs a value: `{key} = {what}`"),
                ));
            }
            input.parse::<Token![=]>()?;
            input.parse::<Lit>()
        }
        match key.to_string().as_str() {
            "name" => match eq_lit(key, input, "\"operation\"")? {
                Lit::Str(s) => set(&mut self.name, key, s),
                other => Err(syn::Error::new(
                    other.span(),
                    "`name` takes a string literal: `name = \"operation\"`",
                )),
            },
            "level" => {
                if !input.peek(Token![=]) {
                    return Err(syn::Error::new(
                        key.span(),
                        "option `level` needs a value: `level = \"debug\"`",
                    ));
                }
                input.parse::<Token![=]>()?;
                let value = if input.peek(LitStr) {
                    let s: LitStr = input.parse()?;
                    (s.value(), s.span())
                } else if input.peek(Ident) {
                    let i: Ident = input.parse()?;
                    (i.to_string(), i.span())
                } else {
                    return Err(input.error(
                        "`level` takes one of \"critical\", \"error\", \"warn\", \"info\", \"debug\", \"trace\"",
                    ));
                };
                set(&mut self.level, key, value)
            }
            "threshold" => match eq_lit(key, input, "\"50us\"")? {
                Lit::Str(s) => set(&mut self.threshold, key, s),
                other => Err(syn::Error::new(
                    other.span(),
                    "`threshold` takes a string with a unit: `threshold = \"50us\"` (ns, us, ms or s)",
                )),
            },
            "sample" => match eq_lit(key, input, "10")? {
                Lit::Int(n) => set(&mut self.sample, key, n),
                other => Err(syn::Error::new(
                    other.span(),
                    "`sample` takes an integer: `sample = 10` records one call in 10",
                )),
            },
            "rate" => match eq_lit(key, input, "\"100/s\"")? {
                Lit::Str(s) => set(&mut self.rate, key, s),
                other => Err(syn::Error::new(
                    other.span(),
                    "`rate` takes a string: `rate = \"100/s\"` (a count of records per s, ms or min)",
                )),
            },
            "args" => {
                if !input.peek(syn::token::Paren) {
                    return Err(syn::Error::new(
                        key.span(),
                        "option `args` lists parameters in parentheses: `args(a, b)`",
                    ));
                }
                let content;
                syn::parenthesized!(content in input);
                let idents = content.parse_terminated(Ident::parse_any, Token![,])?;
                set(&mut self.args, key, idents.into_iter().collect())
            }
            "cpu" => {
                if input.peek(Token![=]) || input.peek(syn::token::Paren) {
                    return Err(syn::Error::new(
                        key.span(),
                        "option `cpu` is a flag: write `cpu` alone",
                    ));
                }
                set(&mut self.cpu, key, ())
            }
            "mem" => {
                if input.peek(Token![=]) || input.peek(syn::token::Paren) {
                    return Err(syn::Error::new(
                        key.span(),
                        "option `mem` is a flag: write `mem` alone (it needs `logger::CountingAlloc` as the global allocator)",
                    ));
                }
                set(&mut self.mem, key, ())
            }
            other => Err(syn::Error::new(
                key.span(),
                format!("unknown option `{other}`: expected one of {OPTIONS}"),
            )),
        }
    }
}

/// The item under `#[log_performance]`: a function with a body, or an
/// error saying why it is not one.
pub(crate) fn timed_fn(item: TokenStream) -> syn::Result<ItemFn> {
    let fn_err = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(f) => return Ok(f),
        Err(e) => e,
    };
    if let Ok(f) = syn::parse2::<syn::TraitItemFn>(item.clone()) {
        if f.default.is_none() {
            return Err(syn::Error::new_spanned(
                &f.sig,
                "#[log_performance] needs a function body to time: put it on the implementations of this trait method, or give the method a default body",
            ));
        }
    }
    if let Ok(other) = syn::parse2::<syn::Item>(item) {
        let what = match &other {
            syn::Item::Struct(_) => "a struct",
            syn::Item::Enum(_) => "an enum",
            syn::Item::Impl(_) => "an impl block (put it on each method to time)",
            syn::Item::Trait(_) => "a trait",
            syn::Item::Mod(_) => "a module",
            syn::Item::Const(_) => "a const",
            syn::Item::Static(_) => "a static",
            syn::Item::Type(_) => "a type alias",
            syn::Item::Use(_) => "a use declaration",
            syn::Item::Union(_) => "a union",
            syn::Item::Macro(_) => "a macro invocation",
            _ => "this item",
        };
        return Err(syn::Error::new_spanned(
            item_head(&other),
            format!("#[log_performance] applies to functions and methods only, not to {what}"),
        ));
    }
    Err(fn_err)
}

/// The tokens naming an item (keyword and name), for error spans.
fn item_head(item: &syn::Item) -> TokenStream {
    use quote::ToTokens;
    let mut t = TokenStream::new();
    match item {
        syn::Item::Struct(s) => {
            s.struct_token.to_tokens(&mut t);
            s.ident.to_tokens(&mut t);
        }
        syn::Item::Enum(e) => {
            e.enum_token.to_tokens(&mut t);
            e.ident.to_tokens(&mut t);
        }
        syn::Item::Trait(tr) => {
            tr.trait_token.to_tokens(&mut t);
            tr.ident.to_tokens(&mut t);
        }
        syn::Item::Impl(i) => i.impl_token.to_tokens(&mut t),
        syn::Item::Mod(m) => {
            m.mod_token.to_tokens(&mut t);
            m.ident.to_tokens(&mut t);
        }
        syn::Item::Const(c) => {
            c.const_token.to_tokens(&mut t);
            c.ident.to_tokens(&mut t);
        }
        syn::Item::Static(s) => {
            s.static_token.to_tokens(&mut t);
            s.ident.to_tokens(&mut t);
        }
        syn::Item::Type(ty) => {
            ty.type_token.to_tokens(&mut t);
            ty.ident.to_tokens(&mut t);
        }
        other => other.to_tokens(&mut t),
    }
    t
}
