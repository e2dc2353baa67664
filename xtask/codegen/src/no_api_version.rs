//! Takes progenitor's `api-version` header out of every generated request.
//!
//! progenitor 0.15 sends `api-version: <info.version>` with every request. No vendor here
//! defines that header, and some proxies reject unknown ones. Removing it from the generated
//! code, rather than from each request at run time, also spares every call the header map
//! progenitor allocates for it (`HeaderMap::with_capacity(n)` counts it).

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
        }
        syn::visit_mut::visit_block_mut(self, block);
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
    fn a_map_left_empty_is_no_longer_mutable() {
        let mut file: syn::File = syn::parse_quote! {
            async fn send() {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                );
                request.headers(header_map);
            }
        };
        assert_eq!(super::remove(&mut file), 1);
        let code = quote::quote!(#file).to_string();
        assert!(
            code.contains(
                "let header_map = :: reqwest :: header :: HeaderMap :: with_capacity (0usize)"
            ),
            "{code}"
        );
    }
}
