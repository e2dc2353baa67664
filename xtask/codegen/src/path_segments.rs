//! Formats path parameters straight into the URL, each checked to be one segment.
//!
//! progenitor builds a URL as `format!("{}/x/{}", baseurl, encode_path(&value.to_string()))`:
//! two strings per path parameter on every call, one from `to_string` and one from
//! `encode_path`, both copied again by `format!`. `crate::core::path::Segment(&value)` writes
//! the percent-encoded text into the URL as it is formatted.
//!
//! progenitor also sends an empty value, `.` or `..` as they are, and the URL parser then
//! resolves them: `DELETE /dags/prod_etl/dagRuns/..` deletes the DAG. Before the statement
//! that builds the URL, the pass inserts one `crate::core::path::check("<name>", &value)` per
//! parameter, which fails the call with `Error::InvalidRequest` before anything is sent.
//!
//! `format!` sizes its string from the literal text alone and grows it as the base URL and
//! the parameters come (two or three allocations per call); the URL is formatted by
//! `crate::core::path::url` instead, into one string sized for the base, the path and room
//! for each parameter.

use syn::punctuated::Punctuated;
use syn::visit_mut::VisitMut;

use crate::syntax::{sole_argument, to_string_of};

/// Rewrites every `encode_path(&<value>.to_string())` and checks each value before the
/// statement that uses it; returns how many parameters were rewritten (each one checked).
pub fn rewrite(file: &mut syn::File) -> usize {
    let mut pass = Pass {
        rewritten: 0,
        found: Vec::new(),
    };
    pass.visit_file_mut(file);
    pass.rewritten
}

struct Pass {
    rewritten: usize,
    /// The values rewritten in the statement being visited.
    found: Vec<syn::Expr>,
}

impl VisitMut for Pass {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let mut stmts = Vec::with_capacity(block.stmts.len());
        for mut stmt in std::mem::take(&mut block.stmts) {
            let outer = std::mem::take(&mut self.found);
            self.visit_stmt_mut(&mut stmt);
            for value in std::mem::replace(&mut self.found, outer) {
                let name = name_of(&value);
                stmts.push(syn::parse_quote! {
                    crate::core::path::check(#name, &#value).map_err(Error::InvalidRequest)?;
                });
            }
            stmts.push(stmt);
        }
        block.stmts = stmts;
    }

    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let Some(value) = encoded_value(expr) {
            *expr = syn::parse_quote!(crate::core::path::Segment(&#value));
            self.found.push(value);
            self.rewritten += 1;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
        if let Some(url) = sized_url(expr) {
            *expr = url;
        }
    }

    // The URL is built inside `format!`, whose arguments are tokens to `syn`, not expressions.
    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        let Some(mut args) = format_arguments(mac) else {
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

/// The arguments of a `format!` invocation as expressions, or `None` for any other macro.
fn format_arguments(mac: &syn::Macro) -> Option<Punctuated<syn::Expr, syn::Token![,]>> {
    use syn::parse::Parser;
    if !mac.path.is_ident("format") {
        return None;
    }
    Punctuated::parse_terminated.parse2(mac.tokens.clone()).ok()
}

/// Room for one parameter's encoded text in a URL's string (an id, a UUID, a name).
const PARAMETER_ROOM: usize = 64;

/// `crate::core::path::url(<base>.len() + <room>, format_args!(…))` for progenitor's
/// `format!("{}/path/{}", <…>.baseurl, …)`, or `None` for any other expression.
fn sized_url(expr: &syn::Expr) -> Option<syn::Expr> {
    let syn::Expr::Macro(mac) = expr else {
        return None;
    };
    let args = format_arguments(&mac.mac)?;
    let mut iter = args.iter();
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(template),
        ..
    }) = iter.next()?
    else {
        return None;
    };
    let syn::Expr::Field(base) = iter.next()? else {
        return None;
    };
    let template = template.value();
    let is_base = matches!(&base.member, syn::Member::Named(name) if name == "baseurl");
    if !template.starts_with("{}") || !is_base {
        return None;
    }
    let placeholders = template.matches("{}").count();
    let room = template.len() - 2 * placeholders + PARAMETER_ROOM * (placeholders - 1);
    let tokens = &mac.mac.tokens;
    Some(syn::parse_quote! {
        crate::core::path::url(#base.len() + #room, format_args!(#tokens))
    })
}

/// The parameter's name for messages: the variable it is in (the builder method's name).
fn name_of(value: &syn::Expr) -> String {
    match value {
        syn::Expr::Path(p) => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        syn::Expr::Field(f) => match &f.member {
            syn::Member::Named(ident) => ident.to_string(),
            syn::Member::Unnamed(i) => i.index.to_string(),
        },
        other => quote::quote!(#other).to_string(),
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
        // Each value is checked before the statement that formats it.
        let check = |name: &str, value: &str| {
            format!(
                "crate :: core :: path :: check (\"{name}\" , & {value}) . map_err (Error :: InvalidRequest) ? ;"
            )
        };
        for (name, value) in [
            ("cluster_id", "cluster_id"),
            ("id", "self . id"),
            ("name", "name"),
        ] {
            let at = code
                .find(&check(name, value))
                .unwrap_or_else(|| panic!("{name}: {code}"));
            assert!(
                at < code.find(&format!("Segment (& {value})")).unwrap(),
                "{code}"
            );
        }
        assert!(
            code.contains("crate :: core :: path :: Segment (& cluster_id)")
                && code.contains("crate :: core :: path :: Segment (& self . id)"),
            "{code}"
        );
        assert!(code.contains("encode_path (already)"), "{code}");
        // The URL is formatted into one string sized for the base, the path (6 bytes of text)
        // and room for each of its two parameters.
        assert!(
            code.contains(
                "let url = crate :: core :: path :: url (client . baseurl . len () + 134usize , format_args ! (\"{}/x/{}/y/{}\" , client . baseurl ,"
            ),
            "{code}"
        );
        assert!(
            code.contains("crate :: core :: path :: Segment (& name)"),
            "{code}"
        );
    }
}
