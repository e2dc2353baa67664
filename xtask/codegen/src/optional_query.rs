//! An optional query parameter that is not set costs nothing.
//!
//! progenitor adds every query parameter with `.query(&QueryParam::new(name, &value))`, and
//! reqwest's `query` opens the URL's query for writing, serialises, and re-parses the URL to
//! drop an empty query even when the value is `None` (about 1.2k instructions each: a list call
//! with eight unset filters paid ~10k). For a parameter the builder holds as an `Option`, the
//! call goes through `crate::core::query::optional`, which skips it when it is `None`.

use std::collections::{BTreeMap, BTreeSet};

use syn::visit_mut::VisitMut;

/// Rewrites the optional query parameters of every builder; returns how many.
pub fn rewrite(file: &mut syn::File) -> usize {
    let Some(builder) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_mut().map(|(_, i)| i),
        _ => None,
    }) else {
        return 0;
    };
    // Builder name → its fields held as `Result<Option<T>, String>`.
    let mut optional: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in builder.iter() {
        if let syn::Item::Struct(s) = item {
            let entry = optional.entry(s.ident.to_string()).or_default();
            for field in &s.fields {
                if let Some(ident) = &field.ident
                    && quote::quote!(#field)
                        .to_string()
                        .contains("Result < Option <")
                {
                    entry.insert(ident.to_string());
                }
            }
        }
    }
    let mut rewritten = 0;
    for item in builder.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(p) = &*imp.self_ty else {
            continue;
        };
        let Some(name) = p.path.segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        let Some(fields) = optional.get(&name) else {
            continue;
        };
        let mut pass = Pass {
            fields,
            rewritten: 0,
        };
        pass.visit_item_impl_mut(imp);
        rewritten += pass.rewritten;
    }
    rewritten
}

struct Pass<'a> {
    fields: &'a BTreeSet<String>,
    rewritten: usize,
}

impl VisitMut for Pass<'_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        let syn::Expr::MethodCall(call) = e else {
            return;
        };
        if call.method != "query" || call.args.len() != 1 {
            return;
        }
        // `&progenitor_client::QueryParam::new("name", &value)`
        let syn::Expr::Reference(r) = &call.args[0] else {
            return;
        };
        let syn::Expr::Call(new) = &*r.expr else {
            return;
        };
        let callee = &new.func;
        if !quote::quote!(#callee)
            .to_string()
            .ends_with("QueryParam :: new")
            || new.args.len() != 2
        {
            return;
        }
        let name = &new.args[0];
        let syn::Expr::Reference(value) = &new.args[1] else {
            return;
        };
        let syn::Expr::Path(var) = &*value.expr else {
            return;
        };
        if !var
            .path
            .get_ident()
            .is_some_and(|i| self.fields.contains(&i.to_string()))
        {
            return;
        }
        let receiver = &call.receiver;
        *e = syn::parse_quote! {
            crate::core::query::optional(#receiver, #name, &#var)
        };
        self.rewritten += 1;
    }
}
