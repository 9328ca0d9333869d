//! Code generation. Every expansion starts with the level check, names
//! only `::logger::__private::…` and `::core::…` paths, prefixes its
//! locals `__logger_` (with mixed-site hygiene, so the user's code cannot
//! see them), and spans the trait-bound checks at the user's expressions.
//!
//! `trade!(symbol = s, side = d, qty = q, price = p)` becomes, in outline:
//!
//! ```text
//! {
//!     const __LOGGER_LEVEL: Level = Level::Info;
//!     static __LOGGER_INTEREST: Interest = Interest::new(); // this call site's cached level
//!     if enabled(__LOGGER_LEVEL, &__LOGGER_INTEREST, target) { // const compare + one relaxed load
//!         fn __logger_function() -> &'static ::core::primitive::str { function_name(type_name_of_val(&__logger_function)) }
//!         static __LOGGER_CALLSITE: Callsite = Callsite { kind: Trade, level, target, module, file,
//!             line, message: "trade", message_args: 0, fields: &["symbol", "side", "qty", "price"],
//!             function: Some(__logger_function) };
//!         let __logger_r0 = &(s); ...                // evaluated once, in call order
//!         let __logger_v0 = value(__logger_r0); ... // Loggable::log_value, before the ring is touched
//!         push(&__LOGGER_CALLSITE, &[__logger_v0, ...]);
//!     }
//! }
//! ```
//!
//! With `rate: "100/s"` (and only then), the body after the call site's
//! statics is wrapped in a check of the call site's limiter:
//!
//! ```text
//! static __LOGGER_RATE: RateLimit = RateLimit::new(&__LOGGER_CALLSITE, "trade!", 100, 1_000_000_000);
//! if __LOGGER_RATE.admit() { /* the values and the push, as above */ }
//! ```

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Ident, LitStr, Type};

use crate::message::Checked;
use crate::parse::{Field, Level};
use crate::validate::{Event, Perf, Rate, Timed, Trade};

fn level_path(level: Level) -> TokenStream {
    let variant = Ident::new(level.variant(), Span::call_site());
    quote!(::logger::__private::Level::#variant)
}

/// For a level written as a bare word (`trade!(info, ..)`): a use of a
/// deprecated constant spanned at that word, so that rustc warns there
/// (a proc macro has no other stable way to warn). The word could be meant
/// as a variable, and a variable of that name would silently be taken as
/// the level; `level: info` and `Level::Info` say which.
fn bare_level_warning(bare: Option<&Ident>) -> TokenStream {
    let Some(word) = bare else {
        return TokenStream::new();
    };
    let note = format!(
        "`{word}` here is read as the level, even where a variable `{word}` exists: write \
         `level: {word}` or `Level::{}` for the level, or `{word} = {word}` for a field",
        crate::parse::Level::from_name(&word.to_string()).map_or("Info", |l| l.variant())
    );
    let constant = quote_spanned!(word.span()=> __LOGGER_BARE_LEVEL_WORD);
    quote! {
        {
            #[deprecated(note = #note)]
            #[allow(dead_code)]
            const __LOGGER_BARE_LEVEL_WORD: () = ();
            let () = #constant;
        }
    }
}

/// A local identifier invisible to the user's tokens.
fn local(name: &str, i: usize) -> Ident {
    format_ident!("__logger_{}{}", name, i, span = Span::mixed_site())
}

/// `&(*ident)` (or `&(ident)`: `ident` a hygienic local) as an expression
/// whose tokens are all spanned at `span`, so that an unsatisfied trait
/// bound on it is reported at the user's expression rather than at the
/// whole macro call (rustc keeps an argument's span only when it shares
/// the call's hygiene context).
fn at(ident: &Ident, span: Span, deref: bool) -> TokenStream {
    let inner = if deref {
        quote_spanned!(span=> *#ident)
    } else {
        quote!(#ident)
    };
    let mut group = proc_macro2::Group::new(proc_macro2::Delimiter::Parenthesis, inner);
    group.set_span(span);
    quote_spanned!(span=> &#group)
}

fn local1(name: &str) -> Ident {
    Ident::new(&format!("__logger_{name}"), Span::mixed_site())
}

/// `fn __logger_function()`: the enclosing function's path, computed on
/// the flusher from the `type_name` of this nested item.
fn function_fn() -> TokenStream {
    quote! {
        fn __logger_function() -> &'static ::core::primitive::str {
            ::logger::__private::function_name(::core::any::type_name_of_val(&__logger_function))
        }
    }
}

struct CallsiteSpec<'a> {
    name: Ident,
    kind: &'static str,
    level: TokenStream,
    target: Option<&'a LitStr>,
    message: &'a str,
    message_args: usize,
    fields: Vec<String>,
    /// Where `line!()` and `file!()` point.
    span: Span,
}

/// The call site's cached interest (see `logger::__private::Interest`) and
/// its level check: `STATIC_MAX_LEVEL` first (a constant), then one
/// relaxed load.
fn interest(level: &TokenStream, target: Option<&LitStr>) -> (TokenStream, TokenStream) {
    let target = match target {
        Some(t) => quote!(#t),
        None => quote!(::core::module_path!()),
    };
    (
        quote! {
            static __LOGGER_INTEREST: ::logger::__private::Interest = ::logger::__private::Interest::new();
        },
        quote!(::logger::__private::enabled(#level, &__LOGGER_INTEREST, #target)),
    )
}

fn callsite(c: CallsiteSpec<'_>) -> TokenStream {
    let CallsiteSpec {
        name,
        kind,
        level,
        target,
        message,
        message_args,
        fields,
        span,
    } = c;
    let kind = Ident::new(kind, Span::call_site());
    let target = match target {
        Some(t) => quote!(#t),
        None => quote!(::core::module_path!()),
    };
    let file = quote_spanned!(span=> ::core::file!());
    let line = quote_spanned!(span=> ::core::line!());
    quote! {
        static #name: ::logger::__private::Callsite = ::logger::__private::Callsite {
            kind: ::logger::__private::Kind::#kind,
            level: #level,
            target: #target,
            module: ::core::module_path!(),
            file: #file,
            line: #line,
            message: #message,
            message_args: #message_args,
            fields: &[#(#fields),*],
            function: ::core::option::Option::Some(__logger_function),
        };
    }
}

/// `static __LOGGER_RATE` limiting `callsite` (`source` names the macro
/// in the warning record).
fn rate_static(rate: Rate, callsite: &str, source: &str) -> TokenStream {
    let Rate { count, period_ns } = rate;
    let callsite = Ident::new(callsite, Span::call_site());
    quote! {
        static __LOGGER_RATE: ::logger::__private::RateLimit =
            ::logger::__private::RateLimit::new(&#callsite, #source, #count, #period_ns);
    }
}

/// `body`, run only when the call site's rate limit admits one more
/// record; `body` itself without a rate (nothing added).
fn limited(rate: Option<Rate>, source: &str, body: TokenStream) -> TokenStream {
    match rate {
        None => body,
        Some(rate) => {
            let item = rate_static(rate, "__LOGGER_CALLSITE", source);
            quote! {
                #item
                if __LOGGER_RATE.admit() {
                    #body
                }
            }
        }
    }
}

/// `let r = &(expr);` for each expression, and `let v = value(r);`
/// spanned at the expression (a type that is not `Loggable` is reported
/// there).
pub(crate) fn bind_values(exprs: &[&Expr], prefix: &str) -> (TokenStream, Vec<Ident>) {
    let mut refs = TokenStream::new();
    let mut values = TokenStream::new();
    let mut idents = Vec::new();
    for (i, e) in exprs.iter().enumerate() {
        let r = local(&format!("{prefix}r"), i);
        let v = local(&format!("{prefix}v"), i);
        refs.extend(quote!(let #r = &(#e);));
        let r_at_value = at(&r, e.span(), true);
        values.extend(quote_spanned!(e.span()=> let #v = ::logger::__private::value(#r_at_value);));
        idents.push(v);
    }
    refs.extend(values);
    (refs, idents)
}

/// Encodes `values` (each a `LogValue` expression, evaluated before) and
/// pushes the record: on the stack in straight-line code when it fits a
/// `Stage`, else through the slice path (strings cut to fit the ring).
fn emit_push(values: &[TokenStream]) -> TokenStream {
    let stage = local1("stage");
    let buf = local1("buf");
    quote! {
        if 8 #(+ ::logger::__private::value_len(&#values))* <= ::logger::__private::STAGE_BYTES {
            let mut #buf = ::logger::__private::StageBuf::uninit();
            let mut #stage = ::logger::__private::Stage::new(&__LOGGER_CALLSITE, &mut #buf);
            #(#stage.put(#values);)*
            #stage.push();
        } else {
            ::logger::__private::push_slow(&__LOGGER_CALLSITE, &[#(#values),*]);
        }
    }
}

/// A record of fields and a message, as `trade!` and `info!` write it.
struct FieldsSite<'a> {
    kind: &'static str,
    level: Level,
    target: Option<&'a LitStr>,
    rate: Option<Rate>,
    /// The macro, in a rate limit's report (`"trade!"`).
    source: &'a str,
    fields: &'a [Field],
    /// Indices into `fields` in recorded order.
    order: Vec<usize>,
    message: &'a Checked,
    /// Items before the level check (a warning).
    before: TokenStream,
}

/// The expansion of a [`FieldsSite`]: the level check, the call site's
/// descriptor, the values evaluated once in call order (fields, then the
/// message's arguments), encoded in recorded order (fields, then the
/// arguments in the template's order), and the push.
fn fields_site(f: FieldsSite<'_>) -> TokenStream {
    let level = level_path(f.level);
    let mut exprs: Vec<&Expr> = f.fields.iter().map(|f| &f.value).collect();
    let n_fields = exprs.len();
    exprs.extend(f.message.exprs.iter());
    let (bindings, v) = bind_values(&exprs, "");
    let values: Vec<TokenStream> = f
        .order
        .iter()
        .map(|&i| &v[i])
        .chain(f.message.order.iter().map(|&j| &v[n_fields + j]))
        .map(|v| quote!(#v))
        .collect();
    let push = emit_push(&values);
    let cs = callsite(CallsiteSpec {
        name: Ident::new("__LOGGER_CALLSITE", Span::call_site()),
        kind: f.kind,
        level: quote!(__LOGGER_LEVEL),
        target: f.target,
        message: &f.message.template,
        message_args: f.message.order.len(),
        fields: f.order.iter().map(|&i| f.fields[i].key.name()).collect(),
        span: Span::call_site(),
    });
    let function = function_fn();
    let (interest, check) = interest(&quote!(__LOGGER_LEVEL), f.target);
    let body = limited(f.rate, f.source, quote!(#bindings #push));
    let before = f.before;
    quote! {{
        #before
        const __LOGGER_LEVEL: ::logger::__private::Level = #level;
        #interest
        if #check {
            #function
            #cs
            #body
        }
    }}
}

pub(crate) fn trade(t: &Trade) -> TokenStream {
    fields_site(FieldsSite {
        kind: "Trade",
        level: t.level,
        target: t.target.as_ref(),
        rate: t.rate,
        source: "trade!",
        fields: &t.fields,
        order: t.order.clone(),
        message: &t.message,
        before: bare_level_warning(t.bare_level.as_ref()),
    })
}

/// `info!` and its siblings: as `trade!`, with kind `Log` and the fields
/// recorded in call order. `who` (`"logger::info!"`) names the macro in a
/// rate limit's report.
pub(crate) fn event(e: &Event, who: &str) -> TokenStream {
    fields_site(FieldsSite {
        kind: "Log",
        level: e.level,
        target: e.target.as_ref(),
        rate: e.rate,
        source: who,
        fields: &e.fields,
        order: (0..e.fields.len()).collect(),
        message: &e.message,
        before: TokenStream::new(),
    })
}

pub(crate) fn perf(p: &Perf) -> TokenStream {
    let level = level_path(p.level);
    let name = &p.name;
    let mut fields = vec!["operation".to_string(), "elapsed_ns".to_string()];
    fields.extend(p.fields.iter().map(|f| f.key.name()));
    let cs = callsite(CallsiteSpec {
        name: Ident::new("__LOGGER_CALLSITE", Span::call_site()),
        kind: "Perf",
        level: quote!(__LOGGER_LEVEL),
        target: p.target.as_ref(),
        message: &p.message.template,
        message_args: p.message.order.len(),
        fields,
        span: Span::call_site(),
    });
    let function = function_fn();
    let (interest, check) = interest(&quote!(__LOGGER_LEVEL), p.target.as_ref());
    let mut exprs: Vec<&Expr> = p.fields.iter().map(|f| &f.value).collect();
    let n_fields = exprs.len();
    exprs.extend(p.message.exprs.iter());
    let ns = local1("ns");
    let head = [
        quote!(::logger::__private::LogValue::StaticStr(#name)),
        quote!(::logger::__private::LogValue::U64(#ns)),
    ];
    match &p.elapsed {
        Some(elapsed) => {
            let e = local1("e");
            let (bindings, v) = bind_values(&exprs, "");
            let values = perf_values(head, &v, n_fields, &p.message.order);
            let push = emit_push(&values);
            let e_at_value = at(&e, elapsed.span(), true);
            let ns_of = quote_spanned!(elapsed.span()=>
                let #ns = ::logger::__private::elapsed_of(#e_at_value);
            );
            let body = limited(
                p.rate,
                "perf!",
                quote! {
                    let #e = &(#elapsed);
                    #bindings
                    #ns_of
                    #push
                },
            );
            quote! {{
                const __LOGGER_LEVEL: ::logger::__private::Level = #level;
                #interest
                if #check {
                    #function
                    #cs
                    #body
                }
            }}
        }
        None => {
            // A scope timer: the values are evaluated now and moved into
            // the timer, which records on drop.
            let on = local1("on");
            let vals = local1("vals");
            let xs: Vec<Ident> = (0..exprs.len()).map(|i| local("x", i)).collect();
            let vs: Vec<Ident> = (0..exprs.len()).map(|i| local("v", i)).collect();
            let value_lets = exprs.iter().zip(&xs).zip(&vs).map(|((e, x), v)| {
                let x = at(x, e.span(), false);
                quote_spanned!(e.span()=> let #v = ::logger::__private::value(#x);)
            });
            let values = perf_values(head, &vs, n_fields, &p.message.order);
            let push = emit_push(&values);
            // With a rate, the record (not the timer) is limited: checked
            // when the timer records.
            let record = limited(p.rate, "perf!", quote!(#(#value_lets)* #push));
            quote! {{
                const __LOGGER_LEVEL: ::logger::__private::Level = #level;
                #function
                #cs
                #interest
                let #on = #check;
                let #vals = if #on {
                    ::core::option::Option::Some((#(#exprs,)*))
                } else {
                    ::core::option::Option::None
                };
                ::logger::__private::PerfTimer::__start(#on, move |#ns: ::core::primitive::u64| {
                    if let ::core::option::Option::Some((#(#xs,)*)) = #vals {
                        #record
                    }
                })
            }}
        }
    }
}

/// Replaces every `impl Trait` in a return type with `_`, so that the
/// type can be written in expression position (a turbofish).
struct InferImplTrait;

impl VisitMut for InferImplTrait {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::ImplTrait(t) = ty {
            *ty = Type::Infer(syn::TypeInfer {
                underscore_token: syn::Token![_](t.span()),
            });
            return;
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}

pub(crate) fn log_performance(t: Timed) -> TokenStream {
    let Timed {
        f,
        operation,
        level,
        threshold_ns,
        sample,
        rate,
        args,
        cpu,
        mem,
    } = t;
    let is_async = f.sig.asyncness.is_some();
    let (outer_attrs, inner_attrs): (Vec<_>, Vec<_>) = f
        .attrs
        .iter()
        .partition(|a| matches!(a.style, syn::AttrStyle::Outer));
    let vis = &f.vis;
    let sig = &f.sig;
    let block = &f.block;
    let span = sig.ident.span();

    let mut fixed = vec!["operation", "elapsed_ns"];
    if is_async {
        fixed.extend(["busy_ns", "polls"]);
    }
    if cpu {
        fixed.push("cpu_ns");
    }
    if mem {
        fixed.extend(["alloc_bytes", "allocs"]);
    }
    fixed.push("outcome");
    let arg_names: Vec<String> = args
        .iter()
        .map(|a| syn::ext::IdentExt::unraw(a).to_string())
        .collect();
    let ok_fields: Vec<String> = fixed
        .iter()
        .map(|s| s.to_string())
        .chain(arg_names.iter().cloned())
        .collect();
    let err_fields: Vec<String> = fixed
        .iter()
        .map(|s| s.to_string())
        .chain(["error".to_string()])
        .chain(arg_names.iter().cloned())
        .collect();
    let level = level_path(level);
    let template = crate::validate::escape_braces(&operation);
    let cs_ok = callsite(CallsiteSpec {
        name: Ident::new("__LOGGER_OK", Span::call_site()),
        kind: "Perf",
        level: level.clone(),
        target: None,
        message: &template,
        message_args: 0,
        fields: ok_fields,
        span,
    });
    let cs_err = callsite(CallsiteSpec {
        name: Ident::new("__LOGGER_ERR", Span::call_site()),
        kind: "Perf",
        level: level.clone(),
        target: None,
        message: &template,
        message_args: 0,
        fields: err_fields,
        span,
    });
    let function = function_fn();
    let (interest, check) = interest(&level, None);
    // With a rate, the record is limited (checked after the threshold),
    // not the timing of the call.
    let (rate_item, rate_ref) = match rate {
        None => (TokenStream::new(), quote!(::core::option::Option::None)),
        Some(rate) => (
            rate_static(rate, "__LOGGER_OK", "#[log_performance]"),
            quote!(::core::option::Option::Some(&__LOGGER_RATE)),
        ),
    };
    let on = local1("on");
    let call = local1("call");
    let ret = local1("ret");
    let (sample_item, sample_check) = match sample {
        Some(n) if n > 1 => (
            quote! {
                ::logger::__private::thread_local! {
                    static __LOGGER_SAMPLE: ::core::cell::Cell<::core::primitive::u32> = const { ::core::cell::Cell::new(0) };
                }
            },
            quote!(&& ::logger::__private::sample(&__LOGGER_SAMPLE, #n)),
        ),
        _ => (TokenStream::new(), TokenStream::new()),
    };
    // `mem` is a type of `Call`, so that without it no flag is tested.
    let mem_option = if mem {
        quote!(::logger::__private::Mem)
    } else {
        quote!(::logger::__private::NoMem)
    };
    let n_args = proc_macro2::Literal::usize_unsuffixed(args.len());
    let captures = args
        .iter()
        .map(|a| quote_spanned!(a.span()=> ::logger::__private::Captured::capture(#on, &#a)));
    let mut ret_ty: Type = match &sig.output {
        syn::ReturnType::Default => syn::parse_quote!(()),
        syn::ReturnType::Type(_, ty) => (**ty).clone(),
    };
    InferImplTrait.visit_type_mut(&mut ret_ty);
    let run = if is_async {
        quote! {
            let (#ret, #call) = ::logger::__private::Timed::new(
                #call,
                ::logger::__private::output::<#ret_ty, _>(async move #block),
            ).await;
        }
    } else {
        let once = local1("once");
        // The token moved into the closure makes it `FnOnce`, so that the
        // body may return borrows of captured `&mut` parameters. The
        // body's statements go in the closure's block, not the body's own
        // block as its tail: a one-line body of one expression would be
        // "unnecessary braces" there, braces the user did not add.
        let stmts = &block.stmts;
        quote! {
            let #once = ::logger::__private::FnOnceToken;
            let #ret = ::logger::__private::returns::<#ret_ty, _>(move || {
                #once.consume();
                #(#stmts)*
            });
        }
    };
    quote! {
        #(#outer_attrs)*
        #vis #sig {
            #(#inner_attrs)*
            #function
            #cs_ok
            #cs_err
            static __LOGGER_SPEC: ::logger::__private::CallSpec = ::logger::__private::CallSpec {
                ok: &__LOGGER_OK,
                err: &__LOGGER_ERR,
                operation: #operation,
                threshold_ns: #threshold_ns,
                cpu: #cpu,
                is_async: #is_async,
                rate: #rate_ref,
            };
            #rate_item
            #sample_item
            #interest
            let #on = #check #sample_check;
            let #call = ::logger::__private::Call::<#n_args, #mem_option>::start(#on, &__LOGGER_SPEC, [#(#captures),*]);
            #run
            {
                #[allow(unused_imports)]
                use ::logger::__private::outcome::{
                    NotResult as _, ResultBoxError as _, ResultDisplay as _, ResultError as _,
                    ResultOther as _,
                };
                #call.finish((&&&&&::logger::__private::outcome::Ret(&#ret)).__logger_outcome());
            }
            #ret
        }
    }
}

/// The values of a `perf!` record in encoding order: `operation` and
/// `elapsed_ns` (`head`), the fields, then the message arguments in the
/// order the template uses them.
fn perf_values<V: ToTokens>(
    head: [TokenStream; 2],
    v: &[V],
    n_fields: usize,
    order: &[usize],
) -> Vec<TokenStream> {
    head.into_iter()
        .chain(
            v[..n_fields]
                .iter()
                .chain(order.iter().map(|&j| &v[n_fields + j]))
                .map(|v| quote!(#v)),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    fn trade(args: &str) -> String {
        let parsed = syn::parse_str::<crate::parse::TradeArgs>(args).unwrap();
        let checked = crate::validate::trade(parsed).unwrap_or_else(|e| panic!("{e}"));
        super::trade(&checked).to_string()
    }

    fn perf(args: &str) -> String {
        let parsed = syn::parse_str::<crate::parse::PerfArgs>(args).unwrap();
        let checked = crate::validate::perf(parsed).unwrap_or_else(|e| panic!("{e}"));
        super::perf(&checked).to_string()
    }

    fn event(args: &str) -> String {
        let parsed = syn::parse_str::<crate::parse::EventArgs>(args).unwrap();
        let checked = crate::validate::event(parsed, crate::parse::Level::Warn, "logger::warn!")
            .unwrap_or_else(|e| panic!("{e}"));
        super::event(&checked, "logger::warn!").to_string()
    }

    /// An event's call site is a `Log` one at the macro's level; its fields
    /// are recorded in call order, then the message arguments in the
    /// template's order; a limiter only with `rate:`.
    #[test]
    fn an_event_is_a_log_call_site_with_its_values_in_order() {
        let e = event(r#"b = 2, a = 1; "{y} {}", x, y = 3"#);
        assert!(e.contains("Kind :: Log"), "{e}");
        assert!(e.contains("Level :: Warn"), "{e}");
        assert!(e.contains(r#"fields : & ["b" , "a"]"#), "{e}");
        assert!(e.contains(r#"message : "{} {}""#), "{e}");
        assert!(e.contains("message_args : 2usize"), "{e}");
        // Values: b, a, then y (named, third written) before x.
        let puts: Vec<&str> = e
            .match_indices(". put (")
            .map(|(i, _)| &e[i + 7..i + 20])
            .collect();
        assert_eq!(puts.len(), 4, "{e}");
        assert!(
            puts[0].starts_with("__logger_v0") && puts[1].starts_with("__logger_v1"),
            "{puts:?}"
        );
        assert!(
            puts[2].starts_with("__logger_v3") && puts[3].starts_with("__logger_v2"),
            "{puts:?}"
        );
        assert!(!e.contains("RateLimit"), "{e}");
        let limited = event(r#"rate: "5/ms", "tick""#);
        assert!(
            limited.contains(r#""logger::warn!" , 5u32 , 1000000u64"#),
            "{limited}"
        );
    }

    /// Only call sites with `rate` get a limiter; the others expand as
    /// they did before rate limits existed.
    #[test]
    fn only_limited_call_sites_pay_for_a_limit() {
        let fields = "symbol = s, side = d, qty = q, price = p";
        let plain = trade(fields);
        let limited = trade(&format!("rate: \"100/s\", {fields}"));
        assert!(!plain.contains("RateLimit") && !plain.contains("admit"));
        assert!(
            limited.contains(
                "RateLimit :: new (& __LOGGER_CALLSITE , \"trade!\" , 100u32 , 1000000000u64)"
            ),
            "{limited}"
        );
        assert!(limited.contains("if __LOGGER_RATE . admit ()"), "{limited}");
        // The rest is the plain expansion, in the same order: take the
        // limiter and its `if` out, and one of the closing braces.
        let head = "static __LOGGER_RATE : :: logger :: __private :: RateLimit = :: logger :: __private :: RateLimit :: new (& __LOGGER_CALLSITE , \"trade!\" , 100u32 , 1000000000u64) ; if __LOGGER_RATE . admit () { ";
        let without = limited.replacen(head, "", 1);
        let without = without.trim_end().strip_suffix('}').unwrap().trim_end();
        assert_eq!(without, plain.trim_end());
        for form in ["\"op\", e", "\"op\""] {
            let plain = perf(form);
            let limited = perf(&format!("rate: \"5/ms\", {form}"));
            assert!(!plain.contains("RateLimit") && !plain.contains("admit"));
            assert!(
                limited.contains("\"perf!\" , 5u32 , 1000000u64"),
                "{limited}"
            );
            assert!(limited.contains("if __LOGGER_RATE . admit ()"), "{limited}");
        }
    }
}
