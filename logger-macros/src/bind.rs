//! `bind!(key = value, ...)`: a context frame of key-values (see
//! `logger::bind!`). Parses with the same field syntax as `trade!` and
//! spans each value's `Loggable` bound at the user's expression.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Token};

use crate::expand::bind_values;
use crate::parse::Field;

/// `bind!(...)` as written.
pub(crate) struct BindArgs {
    fields: Punctuated<Field, Token![,]>,
}

impl Parse for BindArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(syn::Error::new(
                Span::call_site(),
                "bind! needs at least one key-value: `bind!(strategy = \"mm1\", account = acct)`",
            ));
        }
        let mut fields = Punctuated::new();
        loop {
            fields.push_value(input.parse::<Field>()?);
            if input.is_empty() {
                break;
            }
            if !input.peek(Token![,]) {
                return Err(input.error(
                    "expected `,` or `=`: bind! takes `key = value` pairs, separated by commas",
                ));
            }
            fields.push_punct(input.parse::<Token![,]>()?);
            if input.is_empty() {
                break;
            }
        }
        Ok(BindArgs { fields })
    }
}

/// Checks the keys (each once) and expands to the guard expression.
pub(crate) fn bind(args: BindArgs) -> syn::Result<TokenStream> {
    let fields: Vec<&Field> = args.fields.iter().collect();
    for (i, f) in fields.iter().enumerate() {
        let name = f.key.name();
        if fields[..i].iter().any(|g| g.key.name() == name) {
            return Err(syn::Error::new(
                f.key.span(),
                format!("`{name}` is bound twice in this bind!"),
            ));
        }
    }
    let exprs: Vec<&Expr> = fields.iter().map(|f| &f.value).collect();
    let (bindings, values) = bind_values(&exprs, "");
    let names = fields.iter().map(|f| f.key.name());
    Ok(quote! {{
        #bindings
        ::logger::__private::enter_context(&[#((#names, #values)),*])
    }})
}
