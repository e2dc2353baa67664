//! Points the generated code at the body the request path already read.
//!
//! dataplat's request path reads every body whole before the generated code sees the answer
//! (to bound it, retry it when cut short, inspect ACM's envelope) and keeps it with the
//! response (`crate::core::decode`). progenitor's own `ResponseValue::from_response`, `empty`
//! and `stream` would clone the headers and read the body a second time; every call to them
//! becomes a call to the `crate::core::decode` function of the same name, and a response handed
//! out as `Error::UnexpectedResponse` gets its body back first. The body is in hand, so
//! decoding is not awaited.

use syn::visit_mut::VisitMut;

use crate::syntax::last_two;

/// `ResponseValue::<name>` calls that have a `crate::core::decode` twin.
const DECODERS: [&str; 3] = ["from_response", "empty", "stream"];

/// `<name>` of `ResponseValue::<name>(…)`, one of [`DECODERS`].
fn decoder(call: &syn::ExprCall) -> Option<syn::Ident> {
    let (ty, name) = last_two(call)?;
    (ty == "ResponseValue" && DECODERS.iter().any(|d| name == d)).then(|| name.clone())
}

/// Rewrites every such call; returns how many.
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
        if let syn::Expr::Await(awaited) = expr
            && let syn::Expr::Call(call) = awaited.base.as_ref()
            && decoder(call).is_some()
        {
            *expr = syn::Expr::Call(call.clone());
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }

    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        syn::visit_mut::visit_expr_call_mut(self, call);
        if let Some(name) = decoder(call) {
            *call.func = syn::parse_quote!(crate::core::decode::#name);
            self.rewritten += 1;
        } else if last_two(call)
            .is_some_and(|(ty, name)| ty == "Error" && name == "UnexpectedResponse")
            && let Some(response) = call.args.first_mut()
        {
            *response = syn::parse_quote!(crate::core::decode::with_body(#response));
            self.rewritten += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn progenitor_decoders_become_dataplat_ones() {
        let mut file: syn::File = syn::parse_quote! {
            async fn send() {
                match response.status().as_u16() {
                    200u16 => ResponseValue::from_response(response).await,
                    204u16 => Ok(ResponseValue::empty(response)),
                    206u16 => Ok(ResponseValue::stream(response)),
                    400u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                    _ => Err(Error::UnexpectedResponse(response)),
                }
            }
        };
        assert_eq!(super::rewrite(&mut file), 5);
        let code = quote::quote!(#file).to_string();
        assert!(!code.contains("ResponseValue ::"), "{code}");
        assert!(!code.contains("await"), "{code}");
        assert_eq!(
            code.matches("crate :: core :: decode :: from_response")
                .count(),
            2
        );
        assert!(
            code.contains("crate :: core :: decode :: empty (response)"),
            "{code}"
        );
        assert!(
            code.contains("crate :: core :: decode :: stream (response)"),
            "{code}"
        );
        assert!(
            code.contains(
                "Error :: UnexpectedResponse (crate :: core :: decode :: with_body (response))"
            ),
            "{code}"
        );
    }
}
