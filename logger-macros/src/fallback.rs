//! On error: the `compile_error!`s and the user's item unchanged, so that
//! one mistake in an attribute gives one error, not a cascade of errors
//! about a function that went missing.

use proc_macro2::TokenStream;
use quote::quote;

/// `compile_error!` for every error in `e`, then `item` as it was written.
pub(crate) fn with_item(e: syn::Error, item: TokenStream) -> TokenStream {
    let errors = e.into_compile_error();
    quote!(#errors #item)
}
