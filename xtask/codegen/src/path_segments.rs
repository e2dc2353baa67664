//! Formats path parameters straight into the URL.
//!
//! progenitor builds a URL as `format!("{}/x/{}", baseurl, encode_path(&value.to_string()))`:
//! two strings per path parameter on every call, one from `to_string` and one from
//! `encode_path`, both copied again by `format!`. `crate::core::path::Segment(&value)` writes
//! the same percent-encoded text into the URL as it is formatted.

use syn::visit_mut::VisitMut;

use crate::syntax::{sole_argument, to_string_of};

/// Rewrites every `encode_path(&<value>.to_string())`; returns how many.
pub fn rewrite(file: &mut syn::File) -> usize {
    let mut pass = Pass { rewritten: 0 };
    pass.visit_file_mut(file);
    pass.rewritten
}

struct Pass {
    rewritten: usize,
}

impl VisitMut for Pass {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let Some(value) = encoded_value(expr) {
            *expr = syn::parse_quote!(crate::core::path::Segment(&#value));
            self.rewritten += 1;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }

    // The URL is built inside `format!`, whose arguments are tokens to `syn`, not expressions.
    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        use syn::parse::Parser;
        use syn::punctuated::Punctuated;
        if !mac.path.is_ident("format") {
            return;
        }
        let parser = Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        let Ok(mut args) = parser.parse2(mac.tokens.clone()) else {
            return;
        };
        let before = self.rewritten;
        for arg in args.iter_mut() {
            self.visit_expr_mut(arg);
        }
        if self.rewritten > before {
            mac.tokens = quote::quote!(#args);
        }
    }
}

/// `<value>` of `encode_path(&<value>.to_string())`.
fn encoded_value(expr: &syn::Expr) -> Option<syn::Expr> {
    let syn::Expr::Reference(reference) = sole_argument(expr, "encode_path")? else {
        return None;
    };
    to_string_of(&reference.expr).cloned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn encoded_parameters_become_segments() {
        let mut file: syn::File = syn::parse_quote! {
            fn url() {
                let url = format!(
                    "{}/x/{}/y/{}",
                    client.baseurl,
                    encode_path(&cluster_id.to_string()),
                    encode_path(&self.id.to_string()),
                );
                let other = encode_path(already);
                let direct = encode_path(&name.to_string());
            }
        };
        assert_eq!(super::rewrite(&mut file), 3);
        let code = quote::quote!(#file).to_string();
        assert!(
            code.contains("crate :: core :: path :: Segment (& cluster_id)")
                && code.contains("crate :: core :: path :: Segment (& self . id)"),
            "{code}"
        );
        assert!(code.contains("encode_path (already)"), "{code}");
        assert!(
            code.contains("crate :: core :: path :: Segment (& name)"),
            "{code}"
        );
    }
}
