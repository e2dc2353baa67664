//! Typed mock servers for users' tests: progenitor's httpmock generator over the same document
//! and settings as the client, so each operation's `when` matches its method, path and
//! parameters and its `then` takes only the operation's documented answer types.

use std::panic::{AssertUnwindSafe, catch_unwind};

use progenitor::Generator;
use serde_json::Value;

use crate::Problem;

/// The mock module of `doc`'s client (pretty-printed Rust), for a client module at
/// `crate_path` (for example `crate::galaxy`). `file` only names the document in problems.
pub fn generate_mock(file: &str, doc: &Value, crate_path: &str) -> Result<String, Vec<Problem>> {
    let problem = |message: String| {
        vec![Problem {
            file: file.into(),
            pointer: String::new(),
            operation: None,
            message,
        }]
    };
    let spec: openapiv3::OpenAPI = serde_json::from_value(doc.clone())
        .map_err(|e| problem(format!("not a valid OpenAPI 3.0 document: {e}")))?;
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(|| {
        Generator::new(&crate::generate::settings()).httpmock(&spec, crate_path)
    }));
    std::panic::set_hook(quiet);
    let tokens = match result {
        Ok(Ok(tokens)) => tokens,
        Ok(Err(e)) => return Err(problem(format!("progenitor's mock generator: {e}"))),
        Err(_) => return Err(problem("progenitor's mock generator panicked".into())),
    };
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| problem(format!("the mock module does not parse: {e}")))?;
    let base = base_path(doc);
    let mut fix = Fix {
        base: base.clone(),
        ..Fix::default()
    };
    syn::visit_mut::VisitMut::visit_file_mut(&mut fix, &mut file);
    file.items.extend(support(&base).items);
    Ok(prettyplease::unparse(&file))
}

/// The path of the document's first server URL (`/api/v1` for `/api/v1` or
/// `https://host/api/v1/`), without a trailing slash: where the operations' paths start. Empty
/// when the document names no server or one at the root.
pub fn base_path(doc: &Value) -> String {
    let url = doc["servers"][0]["url"].as_str().unwrap_or("");
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => url,
    };
    path.trim_end_matches('/').to_string()
}

/// What each API's mock module shares, knowing the document's base path.
fn support(base: &str) -> syn::File {
    syn::parse_quote! {
        /// Where the document's paths start on the server (its first `servers` URL's path):
        /// the mock matches `BASE_PATH` + each operation's path.
        pub const BASE_PATH: &str = #base;

        /// The base URL to build the client with against `server`: the mock's address and
        /// [`BASE_PATH`], as the production base URL is the host and that path.
        pub fn base_url(server: &::httpmock::MockServer) -> ::std::string::String {
            format!("{}{}", server.base_url(), BASE_PATH)
        }

        /// A resource that moves through states at `path` (an operation's path, below
        /// [`BASE_PATH`]): each state answered once, in order, then the last for ever.
        pub fn states<'a, T: ::serde::Serialize>(
            server: &'a ::httpmock::MockServer,
            path: &str,
            states: &[T],
        ) -> ::std::vec::Vec<::httpmock::Mock<'a>> {
            crate::core::mock::states(server, &format!("{}{}", BASE_PATH, path), states)
        }
    }
}

/// What progenitor's mock generator gets wrong, put right (progenitor 0.15):
/// - the paths it matches start at the server's root, not at the document's base path;
/// - an array query parameter is matched with `value.to_string()`, which a `Vec` lacks: each
///   element is matched instead (the client sends `name=a&name=b`);
/// - an optional request body is handed to `json_body_obj` as an `Option`: a body is matched
///   only when one is given.
#[derive(Default)]
struct Fix {
    /// The document's base path, put in front of every path the matchers expect.
    base: String,
    /// Inside a method whose signature names a `Vec`.
    vec_param: bool,
    /// Inside a method whose `value` is an `Option<&T>`.
    optional_body: bool,
}

impl syn::visit_mut::VisitMut for Fix {
    fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
        let sig = {
            let s = &f.sig;
            quote::quote!(#s).to_string()
        };
        self.vec_param = sig.contains("Vec <");
        self.optional_body = sig.contains("value : :: std :: option :: Option < &")
            || sig.contains("value : Option < &");
        syn::visit_mut::visit_impl_item_fn_mut(self, f);
        self.vec_param = false;
        self.optional_body = false;
    }

    fn visit_lit_str_mut(&mut self, lit: &mut syn::LitStr) {
        // The path regexes (`^/variables/[^/]*$`) and their per-parameter formats.
        let value = lit.value();
        if let Some(rest) = value.strip_prefix("^/") {
            *lit = syn::LitStr::new(&format!("^{}/{rest}", self.base), lit.span());
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        // `format!("^/variables/{}$", value.to_string())`: a path parameter's regex. The base
        // path goes in front, and the value is matched as text, not as a regex of its own.
        if !mac.path.is_ident("format") {
            return;
        }
        let Ok(args) = mac.parse_body_with(
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
        ) else {
            return;
        };
        let mut args: Vec<syn::Expr> = args.into_iter().collect();
        let Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(lit),
            ..
        })) = args.first_mut()
        else {
            return;
        };
        if !lit.value().starts_with("^/") {
            return;
        }
        self.visit_lit_str_mut(lit);
        for arg in args.iter_mut().skip(1) {
            *arg = syn::parse_quote!(::regex::escape(&#arg));
        }
        mac.tokens = quote::quote!(#(#args),*);
    }

    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        let syn::Expr::MethodCall(call) = e else {
            return;
        };
        let receiver = &call.receiver;
        let args = &call.args;
        if self.vec_param
            && call.method == "query_param"
            && args.len() == 2
            && quote::quote!(#args)
                .to_string()
                .contains("value . to_string ()")
        {
            let name = &call.args[0];
            *e = syn::parse_quote! {
                value.iter().fold(#receiver, |when, v| when.query_param(#name, v.to_string()))
            };
        } else if self.optional_body && call.method == "json_body_obj" {
            *e = syn::parse_quote! {
                match value {
                    ::std::option::Option::Some(value) => #receiver.json_body_obj(value),
                    ::std::option::Option::None => #receiver,
                }
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn base_path_is_the_first_servers_path() {
        for (servers, expected) in [
            (json!([{"url": "/api/v1"}]), "/api/v1"),
            (
                json!([{"url": "https://portal.example.com/api/v3"}]),
                "/api/v3",
            ),
            (json!([{"url": "https://acm.example.com/api/"}]), "/api"),
            (json!([{"url": "https://api.example.com/"}]), ""),
            (json!([{"url": "https://api.example.com"}]), ""),
            (json!([]), ""),
        ] {
            let doc = json!({"servers": servers});
            assert_eq!(super::base_path(&doc), expected, "{servers}");
        }
    }
}
