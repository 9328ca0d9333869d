//! The message after `;`: a string literal whose `{}` and `{name}`
//! placeholders take the arguments that follow it.
//!
//! The template is checked here, at compile time, and rewritten so that
//! every placeholder is `{}`: the flusher fills each `{}` with the next
//! recorded value (see `logger::callsite::render_message`). Format specs
//! (`{:?}`, `{:.2}`) and positional indices (`{0}`) are rejected, because
//! values are rendered by the flusher from their recorded type, not by
//! `format_args!` on the caller's thread.

use syn::parse::{Parse, ParseStream};
use syn::{Expr, Ident, LitStr, Token};

/// One argument after the template: `expr` or `name = expr`.
pub(crate) struct MessageArg {
    pub name: Option<Ident>,
    pub expr: Expr,
}

impl Parse for MessageArg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(Ident) && input.peek2(Token![=]) && !input.peek2(Token![==]) {
            let name: Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            return Ok(MessageArg {
                name: Some(name),
                expr: input.parse()?,
            });
        }
        Ok(MessageArg {
            name: None,
            expr: input.parse()?,
        })
    }
}

/// `"template", args...` as written.
pub(crate) struct Message {
    pub template: LitStr,
    pub args: Vec<MessageArg>,
}

impl Parse for Message {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let template: LitStr = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected the message: a string literal after `;`, e.g. `; \"filled {} at {}\", qty, px`",
            )
        })?;
        let mut args = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            args.push(input.parse()?);
        }
        Ok(Message { template, args })
    }
}

/// A checked message: the `{}`-only template, and for each placeholder in
/// order, the expression it takes.
pub(crate) struct Checked {
    pub template: String,
    /// Distinct argument expressions, each evaluated once, in the order
    /// written (explicit ones first, then captured identifiers).
    pub exprs: Vec<Expr>,
    /// For each `{}` of `template`, an index into `exprs`.
    pub order: Vec<usize>,
}

enum Piece {
    Next,
    Named(String),
}

/// Parses the placeholders of `template` (the literal's value).
fn pieces(lit: &LitStr) -> syn::Result<(String, Vec<Piece>)> {
    let s = lit.value();
    let err = |msg: String| syn::Error::new(lit.span(), msg);
    let mut out = String::with_capacity(s.len());
    let mut pieces = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        match c {
            '{' if chars.peek().is_some_and(|&(_, c)| c == '{') => {
                chars.next();
                out.push_str("{{");
            }
            '}' if chars.peek().is_some_and(|&(_, c)| c == '}') => {
                chars.next();
                out.push_str("}}");
            }
            '{' => {
                let mut inner = String::new();
                loop {
                    match chars.next() {
                        Some((_, '}')) => break,
                        Some((_, c)) => inner.push(c),
                        None => {
                            return Err(err(
                                "invalid message: a `{` is not closed (write `{{` for a literal brace)"
                                    .into(),
                            ));
                        }
                    }
                }
                let name = inner.trim();
                if name.is_empty() {
                    pieces.push(Piece::Next);
                } else if name.contains(':') {
                    return Err(err(format!(
                        "invalid message: `{{{inner}}}`: format specs are not supported, because values are formatted on the flusher thread from their recorded type; write `{{}}` (or record a formatted value with `logger::display(..)`)"
                    )));
                } else if name.chars().all(|c| c.is_ascii_digit()) {
                    return Err(err(format!(
                        "invalid message: `{{{inner}}}`: positional indices are not supported; write `{{}}` and pass the arguments in order"
                    )));
                } else if is_identifier(name) {
                    pieces.push(Piece::Named(name.to_string()));
                } else {
                    return Err(err(format!(
                        "invalid message: `{{{inner}}}` is not a placeholder; write `{{}}` or `{{name}}`"
                    )));
                }
                out.push_str("{}");
            }
            '}' => {
                return Err(err(
                    "invalid message: unmatched `}` (write `}}` for a literal brace)".into(),
                ));
            }
            c => out.push(c),
        }
    }
    Ok((out, pieces))
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
        && s != "_"
}

/// Checks the placeholders against the arguments, like `format_args!`.
pub(crate) fn check(m: Message) -> syn::Result<Checked> {
    let (template, pieces) = pieces(&m.template)?;
    let lit = m.template;
    let mut exprs = Vec::new();
    let mut positional = Vec::new();
    let mut named: Vec<(String, usize, bool)> = Vec::new();
    let mut errors: Option<syn::Error> = None;
    let mut push_err = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    for arg in m.args {
        let index = exprs.len();
        exprs.push(arg.expr);
        match arg.name {
            Some(name) => {
                let key = name.to_string();
                if named.iter().any(|(n, _, _)| *n == key) {
                    push_err(syn::Error::new(
                        name.span(),
                        format!("duplicate message argument `{key}`"),
                    ));
                    continue;
                }
                named.push((key, index, false));
            }
            None => {
                if !named.is_empty() {
                    push_err(syn::Error::new_spanned(
                        &exprs[index],
                        "positional message arguments must come before named ones",
                    ));
                }
                positional.push(index);
            }
        }
    }
    let mut order = Vec::with_capacity(pieces.len());
    let mut next = 0;
    for piece in &pieces {
        match piece {
            Piece::Next => {
                if let Some(&i) = positional.get(next) {
                    order.push(i);
                }
                next += 1;
            }
            Piece::Named(name) => match named.iter_mut().find(|(n, _, _)| n == name) {
                Some((_, i, used)) => {
                    *used = true;
                    order.push(*i);
                }
                None => {
                    // Captured from the scope, like `format_args!`.
                    let ident = Ident::new(name, lit.span());
                    order.push(exprs.len());
                    exprs.push(syn::parse_quote!(#ident));
                    named.push((name.clone(), exprs.len() - 1, true));
                }
            },
        }
    }
    if next != positional.len() {
        let plural = |n: usize, what: &str| {
            if n == 1 {
                format!("1 {what}")
            } else {
                format!("{n} {what}s")
            }
        };
        push_err(syn::Error::new(
            lit.span(),
            format!(
                "{} in the message, but {} given",
                plural(next, "`{}` placeholder"),
                plural(positional.len(), "positional argument"),
            ),
        ));
    }
    for (name, i, used) in &named {
        if !used {
            push_err(syn::Error::new_spanned(
                &exprs[*i],
                format!("message argument `{name}` is never used"),
            ));
        }
    }
    if let Some(e) = errors {
        return Err(e);
    }
    Ok(Checked {
        template,
        exprs,
        order,
    })
}

/// The default (empty) message.
pub(crate) fn none(template: &str) -> Checked {
    Checked {
        template: template.to_string(),
        exprs: Vec::new(),
        order: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(src: &str) -> syn::Result<Checked> {
        check(syn::parse_str::<Message>(src)?)
    }

    #[test]
    fn rewrites_named_placeholders() {
        let c = checked(r#""{} at {px} ({{x}}) {}", a, b"#).unwrap();
        assert_eq!(c.template, "{} at {} ({{x}}) {}");
        assert_eq!(c.exprs.len(), 3);
        assert_eq!(c.order, [0, 2, 1]);
    }

    #[test]
    fn named_arguments_are_evaluated_once() {
        let c = checked(r#""{x} {x}", x = 1"#).unwrap();
        assert_eq!(c.exprs.len(), 1);
        assert_eq!(c.order, [0, 0]);
    }

    #[test]
    fn errors() {
        let e = |src: &str| checked(src).err().map(|e| e.to_string()).unwrap();
        assert!(
            e(r#""{}""#)
                .contains("1 `{}` placeholder in the message, but 0 positional arguments given")
        );
        assert!(e(r#""{:?}", a"#).contains("format specs"));
        assert!(e(r#""{0}", a"#).contains("positional indices"));
        assert!(e(r#""{""#).contains("not closed"));
        assert!(e(r#""}""#).contains("unmatched"));
        assert!(e(r#""x", y = 1"#).contains("never used"));
    }
}
