//! `#[derive(Loggable)]`: a fieldless enum records its variant's name as
//! a `&'static str` (no copy on the hot path); a struct with exactly one
//! field (a newtype) records that field.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, LitStr};

/// Spelling rules of `#[loggable(rename_all = "..")]`.
const RENAME_ALL: [&str; 5] = [
    "lowercase",
    "UPPERCASE",
    "snake_case",
    "SCREAMING_SNAKE_CASE",
    "kebab-case",
];

pub(crate) fn loggable(input: DeriveInput) -> syn::Result<TokenStream> {
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    match &input.data {
        Data::Enum(e) => {
            let rename_all = rename_attr(&input.attrs, "rename_all")?;
            if let Some(r) = &rename_all {
                if !RENAME_ALL.contains(&r.value().as_str()) {
                    return Err(syn::Error::new(
                        r.span(),
                        format!(
                            "unknown `rename_all` rule {:?}: expected one of {}",
                            r.value(),
                            RENAME_ALL.join(", ")
                        ),
                    ));
                }
            }
            let mut arms = Vec::new();
            for v in &e.variants {
                if !matches!(v.fields, Fields::Unit) {
                    return Err(syn::Error::new_spanned(
                        v,
                        format!(
                            "#[derive(Loggable)] records an enum as its variant's name, so every variant must be without fields; `{}` has fields: implement `logger::Loggable` by hand",
                            v.ident
                        ),
                    ));
                }
                let spelled = match rename_attr(&v.attrs, "rename")? {
                    Some(s) => s.value(),
                    None => apply_rule(&v.ident.to_string(), rename_all.as_ref()),
                };
                let ident = &v.ident;
                arms.push(quote!(Self::#ident => #spelled));
            }
            Ok(quote! {
                impl #impl_generics ::logger::Loggable for #name #ty_generics #where_clause {
                    #[inline]
                    fn log_value(&self) -> ::logger::LogValue<'_> {
                        ::logger::LogValue::StaticStr(match *self {
                            #(#arms,)*
                        })
                    }
                }
            })
        }
        Data::Struct(s) if s.fields.len() == 1 => {
            let field = s.fields.iter().next().expect("one field");
            let ty = &field.ty;
            let access = match &field.ident {
                Some(ident) => quote!(#ident),
                None => quote!(0),
            };
            let mut where_clause = where_clause.cloned().unwrap_or_else(|| syn::WhereClause {
                where_token: Default::default(),
                predicates: Default::default(),
            });
            if !input.generics.params.is_empty() {
                where_clause
                    .predicates
                    .push(syn::parse_quote!(#ty: ::logger::Loggable));
            }
            Ok(quote! {
                impl #impl_generics ::logger::Loggable for #name #ty_generics #where_clause {
                    #[inline(always)]
                    fn log_value(&self) -> ::logger::LogValue<'_> {
                        ::logger::Loggable::log_value(&self.#access)
                    }
                }
            })
        }
        Data::Struct(_) => Err(syn::Error::new_spanned(
            &input.ident,
            "#[derive(Loggable)] on a struct needs exactly one field (a newtype such as `struct Px(f64)`); for other structs implement `logger::Loggable` by hand or record them with `logger::display(..)`",
        )),
        Data::Union(u) => Err(syn::Error::new(
            u.union_token.span,
            "#[derive(Loggable)] does not support unions",
        )),
    }
}

/// The string of `#[loggable(<key> = "...")]`, if any.
fn rename_attr(attrs: &[syn::Attribute], key: &str) -> syn::Result<Option<LitStr>> {
    let mut found = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("loggable")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(key) {
                if found.is_some() {
                    return Err(meta.error(format!("duplicate `{key}`")));
                }
                found = Some(meta.value()?.parse::<LitStr>()?);
                Ok(())
            } else {
                let expected = if key == "rename" {
                    "`rename = \"..\"` on a variant"
                } else {
                    "`rename_all = \"..\"` on the enum"
                };
                Err(meta.error(format!("unknown or misplaced option: expected {expected}")))
            }
        })?;
    }
    Ok(found)
}

/// Spells a `CamelCase` variant name with a `rename_all` rule.
fn apply_rule(name: &str, rule: Option<&LitStr>) -> String {
    let Some(rule) = rule else {
        return name.to_string();
    };
    let words = || {
        let mut out = String::new();
        for (i, c) in name.char_indices() {
            if c.is_uppercase() && i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        }
        out
    };
    match rule.value().as_str() {
        "lowercase" => name.to_lowercase(),
        "UPPERCASE" => name.to_uppercase(),
        "snake_case" => words(),
        "SCREAMING_SNAKE_CASE" => words().to_uppercase(),
        "kebab-case" => words().replace('_', "-"),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::apply_rule;

    #[test]
    fn rules() {
        let r = |s: &str| syn::LitStr::new(s, proc_macro2::Span::call_site());
        assert_eq!(
            apply_rule("SellShort", Some(&r("snake_case"))),
            "sell_short"
        );
        assert_eq!(
            apply_rule("SellShort", Some(&r("SCREAMING_SNAKE_CASE"))),
            "SELL_SHORT"
        );
        assert_eq!(
            apply_rule("SellShort", Some(&r("kebab-case"))),
            "sell-short"
        );
        assert_eq!(apply_rule("SellShort", Some(&r("lowercase"))), "sellshort");
        assert_eq!(apply_rule("SellShort", Some(&r("UPPERCASE"))), "SELLSHORT");
        assert_eq!(apply_rule("SellShort", None), "SellShort");
    }
}
