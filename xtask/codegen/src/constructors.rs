//! Makes the generated client's constructor take its HTTP client from the context.
//!
//! progenitor generates two public constructors:
//! - `Client::new(baseurl, inner)`, which builds a plain `reqwest::Client` of its own: one that
//!   follows redirects itself (keeping `X-Auth-Token` and `x-access-key` across origins) and,
//!   with rustls, panics when no crypto provider was installed first;
//! - `Client::new_with_client(baseurl, client, inner)`, which takes any `reqwest::Client`.
//!
//! Either would let a client skip the request path's redirect and credential handling. `new`
//! becomes a constructor that takes the context's HTTP client (`crate::core::HttpClient`,
//! which only dataplat builds, redirects off), and `new_with_client` is removed: a custom
//! client goes in through `Context::with_http_client`.

/// Rewrites `new` and removes `new_with_client`; the error says what was not found.
pub fn rewrite(file: &mut syn::File) -> Result<usize, String> {
    let mut rewritten = 0;
    let mut removed = 0;
    for item in &mut file.items {
        let syn::Item::Impl(imp) = item else {
            continue;
        };
        let syn::Type::Path(ty) = imp.self_ty.as_ref() else {
            continue;
        };
        if imp.trait_.is_some() || !ty.path.is_ident("Client") {
            continue;
        }
        let before = imp.items.len();
        imp.items
            .retain(|i| !matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "new_with_client"));
        removed += before - imp.items.len();
        for i in &mut imp.items {
            if let syn::ImplItem::Fn(f) = i
                && f.sig.ident == "new"
            {
                *f = syn::parse_quote! {
                    /// A client for `baseurl` (scheme, host, port and path stem) over `inner`:
                    /// every request goes through the context's HTTP client and the shared
                    /// request path.
                    pub fn new(baseurl: &str, inner: crate::core::Context) -> Self {
                        Self {
                            baseurl: baseurl.to_string(),
                            client: inner.http_client().reqwest().clone(),
                            inner,
                        }
                    }
                };
                rewritten += 1;
            }
        }
    }
    if (rewritten, removed) != (1, 1) {
        return Err(format!(
            "the constructors pass expected one `Client::new` and one `Client::new_with_client`, found {rewritten} and {removed} (has progenitor changed its constructors?)"
        ));
    }
    Ok(rewritten + removed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn new_takes_the_context_client_and_new_with_client_goes() {
        let mut file: syn::File = syn::parse_quote! {
            pub struct Client { pub(crate) baseurl: String, pub(crate) client: reqwest::Client, pub(crate) inner: crate::core::Context }
            impl Client {
                pub fn new(baseurl: &str, inner: crate::core::Context) -> Self {
                    let client = reqwest::ClientBuilder::new();
                    Self::new_with_client(baseurl, client.build().unwrap(), inner)
                }
                pub fn new_with_client(baseurl: &str, client: reqwest::Client, inner: crate::core::Context) -> Self {
                    Self { baseurl: baseurl.to_string(), client, inner }
                }
            }
        };
        assert_eq!(super::rewrite(&mut file), Ok(2));
        let code = quote::quote!(#file).to_string();
        assert!(!code.contains("new_with_client"), "{code}");
        assert!(!code.contains("ClientBuilder"), "{code}");
        assert!(
            code.contains("inner . http_client () . reqwest () . clone ()"),
            "{code}"
        );
    }

    #[test]
    fn a_missing_constructor_fails_generation() {
        let mut file: syn::File = syn::parse_quote! {
            impl Client { pub fn create(baseurl: &str) -> Self { todo!() } }
        };
        assert!(
            super::rewrite(&mut file)
                .unwrap_err()
                .contains("constructors pass")
        );
    }
}
