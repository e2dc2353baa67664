//! Takes progenitor's `api-version` header out of every generated request.
//!
//! progenitor 0.15 sends `api-version: <info.version>` with every request. No vendor here
//! defines that header, and some proxies reject unknown ones. Removing it from the generated
//! code, rather than from each request at run time, also spares every call the header map
//! progenitor allocates for it (`HeaderMap::with_capacity(n)` counts it); a map left with no
//! header is not made at all, nor merged into the request.

use syn::visit_mut::VisitMut;

/// Removes the header from every operation; returns how many operations had it.
pub fn remove(file: &mut syn::File) -> usize {
    let mut pass = Pass { removed: 0 };
    pass.visit_file_mut(file);
    pass.removed
}

struct Pass {
    removed: usize,
}

impl VisitMut for Pass {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let before = block.stmts.len();
        block.stmts.retain(|stmt| !appends_api_version(stmt));
        let removed = before - block.stmts.len();
        if removed > 0 {
            self.removed += removed;
            for stmt in &mut block.stmts {
                shrink_capacity(stmt, removed);
            }
            // A map left empty is not made at all: `.headers(empty)` would still walk it and
            // move the request builder once more on every call.
            let before = block.stmts.len();
            block.stmts.retain(|stmt| !makes_empty_map(stmt));
            if block.stmts.len() < before {
                for stmt in &mut block.stmts {
                    WithoutEmptyMap.visit_stmt_mut(stmt);
                }
            }
        }
        syn::visit_mut::visit_block_mut(self, block);
    }
}

/// `let header_map = HeaderMap::with_capacity(0usize);`, as [`shrink_capacity`] leaves it.
fn makes_empty_map(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Local(local) = stmt else {
        return false;
    };
    let syn::Pat::Ident(binding) = &local.pat else {
        return false;
    };
    binding.ident == "header_map"
        && local.init.as_ref().is_some_and(|init| {
            let init = &init.expr;
            quote::quote!(#init)
                .to_string()
                .ends_with("HeaderMap :: with_capacity (0usize)")
        })
}

/// `<builder>.headers(header_map)` → `<builder>`.
struct WithoutEmptyMap;

impl VisitMut for WithoutEmptyMap {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        if let syn::Expr::MethodCall(call) = expr
            && call.method == "headers"
            && call.args.len() == 1
            && matches!(&call.args[0], syn::Expr::Path(p) if p.path.is_ident("header_map"))
        {
            *expr = (*call.receiver).clone();
        }
    }
}

/// `header_map.append(HeaderName::from_static("api-version"), …);`
fn appends_api_version(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt else {
        return false;
    };
    call.method == "append"
        && call
            .args
            .first()
            .is_some_and(|name| quote::quote!(#name).to_string().contains("\"api-version\""))
}

/// `let mut header_map = HeaderMap::with_capacity(Nusize);` → `N - removed`.
fn shrink_capacity(stmt: &mut syn::Stmt, removed: usize) {
    let syn::Stmt::Local(local) = stmt else {
        return;
    };
    let Some(init) = &mut local.init else {
        return;
    };
    let syn::Expr::Call(call) = init.expr.as_mut() else {
        return;
    };
    let syn::Expr::Path(function) = call.func.as_ref() else {
        return;
    };
    if function.path.segments.last().map(|s| s.ident.to_string()) != Some("with_capacity".into()) {
        return;
    }
    if let Some(syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Int(n),
        ..
    })) = call.args.first_mut()
        && let Ok(count) = n.base10_parse::<usize>()
    {
        let left = count.saturating_sub(removed);
        *n = syn::LitInt::new(&format!("{left}usize"), n.span());
        // progenitor sizes the map for exactly the headers it appends: none left, nothing
        // mutates it (and rustc would warn about the `mut`).
        if left == 0
            && let syn::Pat::Ident(binding) = &mut local.pat
        {
            binding.mutability = None;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_header_and_its_slot_are_removed() {
        let mut file: syn::File = syn::parse_quote! {
            async fn send() {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                );
                header_map.append("x-trace", value);
            }
        };
        assert_eq!(super::remove(&mut file), 1);
        let code = quote::quote!(#file).to_string();
        assert!(!code.contains("api-version"), "{code}");
        assert!(code.contains("let mut header_map"), "{code}");
        assert!(code.contains("with_capacity (1usize)"), "{code}");
        assert!(code.contains("x-trace"), "{code}");
    }

    #[test]
    fn a_map_left_empty_is_not_made() {
        let mut file: syn::File = syn::parse_quote! {
            async fn send() {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                );
                let mut request = client.client.get(url).header(ACCEPT, json).headers(header_map).build()?;
            }
        };
        assert_eq!(super::remove(&mut file), 1);
        let code = quote::quote!(#file).to_string();
        assert!(!code.contains("header_map"), "{code}");
        assert!(
            code.contains("client . client . get (url) . header (ACCEPT , json) . build () ?"),
            "{code}"
        );
    }
}
