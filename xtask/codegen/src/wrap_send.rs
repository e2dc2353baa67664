//! Gives every generated operation a `send` whose error says which call failed.
//!
//! progenitor's `send` returns `progenitor_client::Error<E>`, which names neither the API nor the
//! operation. Each builder's `send` is renamed `send_raw` (kept public, unchanged), and a new
//! `send` calls it inside `crate::core::error::scoped`, which turns the error into
//! `crate::core::Error<E>` carrying the API, the spec's operationId, the method and the path
//! template. The operationId comes from the spec: hooks only see progenitor's snake_case name.

use std::collections::HashMap;

use quote::quote;
use serde_json::Value;
use syn::visit_mut::VisitMut;

use crate::operations;

/// One operation as the spec names it.
struct Spec {
    operation_id: String,
    method: String,
    path: String,
}

/// progenitor's method name for an operationId (its `sanitize(…, Case::Snake)`).
pub(crate) fn snake(operation_id: &str) -> String {
    use heck::ToSnakeCase;
    let cleaned: String = operation_id
        .replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let out = cleaned.to_snake_case();
    let out = match out.chars().next() {
        None => "x".to_string(),
        Some(c) if c.is_alphabetic() || c == '_' => out,
        Some(_) => format!("_{out}"),
    };
    if syn::parse_str::<syn::Ident>(&out).is_ok() {
        out
    } else {
        format!("{out}_")
    }
}

/// One wrapped operation, for the passes that follow (`paginate`).
#[derive(Clone)]
pub struct Sender {
    /// The builder's name (`GetCluster`).
    pub builder: syn::Ident,
    /// The success type.
    pub ok: syn::Type,
    /// The error type.
    pub err: syn::Type,
}

/// Rewrites every builder's `send`; returns the wrapped operations by operationId. The error
/// names any builder whose operation is not found.
pub fn wrap(file: &mut syn::File, doc: &Value) -> Result<HashMap<String, Sender>, String> {
    let table: HashMap<String, Spec> = operations(doc)
        .filter_map(|(path, method, op)| {
            let id = op.get("operationId")?.as_str()?;
            Some((
                snake(id),
                Spec {
                    operation_id: id.into(),
                    method: method.to_uppercase(),
                    path: path.into(),
                },
            ))
        })
        .collect();
    let mut wrapper = Wrapper {
        table,
        missing: Vec::new(),
        wrapped: 0,
        decoded: Vec::new(),
        senders: HashMap::new(),
    };
    wrapper.visit_file_mut(file);
    let decoded = std::mem::take(&mut wrapper.decoded);
    file.items.push(decode_table(&decoded));
    let senders = std::mem::take(&mut wrapper.senders);
    if !wrapper.missing.is_empty() {
        return Err(format!(
            "generated operations not found in the spec: {}",
            wrapper.missing.join(", ")
        ));
    }
    if wrapper.wrapped != wrapper.table.len() {
        return Err(format!(
            "wrapped {} of {} operations",
            wrapper.wrapped,
            wrapper.table.len()
        ));
    }
    Ok(senders)
}

struct Wrapper {
    table: HashMap<String, Spec>,
    missing: Vec<String>,
    wrapped: usize,
    /// `(operationId, success type, error type)` of every wrapped operation.
    decoded: Vec<(String, syn::Type, syn::Type)>,
    /// The same by operationId, with the builder's name.
    senders: HashMap<String, Sender>,
}

/// Whether answers of type `ty` can be decoded and encoded back as JSON (not `()`, not a byte
/// stream).
fn json_typed(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Tuple(t) => !t.elems.is_empty(),
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident != "ByteStream"),
        _ => true,
    }
}

/// `decode_table::decode(operationId, status, body)`: a recorded answer decoded into the type
/// the operation documents for its status, and encoded back (the `fixtures` feature).
fn decode_table(ops: &[(String, syn::Type, syn::Type)]) -> syn::Item {
    let mut arms = Vec::new();
    for (id, ok, err) in ops {
        if json_typed(ok) {
            arms.push(
                quote!((#id, 200..=299) => Some(crate::core::fixtures::roundtrip::<#ok>(body)),),
            );
        }
        if json_typed(err) {
            arms.push(quote!((#id, _) if !(200..=299).contains(&status) => Some(crate::core::fixtures::roundtrip::<#err>(body)),));
        }
    }
    syn::parse_quote! {
        /// Decoding a recorded answer with the type its operation documents for its status,
        /// and encoding it back (`core::fixtures`; the internal `fixtures` feature).
        #[cfg(feature = "fixtures")]
        #[doc(hidden)]
        pub mod decode_table {
            #[allow(unused_imports)]
            use super::types;
            #[allow(unused_imports)]
            use super::*;
            /// `None` when the operation documents no JSON body for `status`.
            pub fn decode(
                operation_id: &str,
                status: u16,
                body: &[u8],
            ) -> Option<Result<crate::core::fixtures::Decoded, String>> {
                match (operation_id, status) {
                    #(#arms)*
                    _ => None,
                }
            }
        }
    }
}

impl VisitMut for Wrapper {
    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        let Some(position) = item
            .items
            .iter()
            .position(|i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "send"))
        else {
            return;
        };
        let syn::ImplItem::Fn(send) = &mut item.items[position] else {
            return;
        };
        let Some(snake_id) = operation_info_id(send) else {
            return;
        };
        let Some((ok, err)) = result_types(&send.sig.output) else {
            return;
        };
        let Some(spec) = self.table.get(&snake_id) else {
            self.missing.push(snake_id);
            return;
        };
        send.sig.ident = syn::Ident::new("send_raw", send.sig.ident.span());
        send.attrs.push(syn::parse_quote!(#[doc = "Sends the request; the error is progenitor's, without the call's context."]));
        let (operation_id, method, path) = (&spec.operation_id, &spec.method, &spec.path);
        let doc = format!(
            "Sends `{method} {path}` (`{operation_id}`); an error names the API, operation, method and path."
        );
        let wrapper: syn::ImplItem = syn::parse_quote! {
            #[doc = #doc]
            pub fn send(
                self,
            ) -> impl ::std::future::Future<Output = Result<ResponseValue<#ok>, crate::core::Error<#err>>> {
                let call = crate::core::Call {
                    api: self.client.inner.api(),
                    operation_id: #operation_id,
                    method: #method,
                    path: #path,
                };
                // Not an async fn: that would be one more layer for every poll, holding the
                // request future twice.
                let client = self.client;
                crate::core::error::scoped(call, &client.inner, self.send_raw())
            }
        };
        item.items.insert(position + 1, wrapper);
        self.wrapped += 1;
        self.decoded
            .push((spec.operation_id.clone(), ok.clone(), err.clone()));
        if let syn::Type::Path(p) = item.self_ty.as_ref()
            && let Some(last) = p.path.segments.last()
        {
            self.senders.insert(
                spec.operation_id.clone(),
                Sender {
                    builder: last.ident.clone(),
                    ok,
                    err,
                },
            );
        }
    }
}

/// The `operation_id: "…"` literal of the `OperationInfo` the body builds (`&mut` only
/// because the crate's syn has the mutable visitor alone).
fn operation_info_id(send: &mut syn::ImplItemFn) -> Option<String> {
    /// Finds the first `operation_id: "…"` member of a struct literal.
    #[derive(Default)]
    struct Find(Option<String>);
    impl VisitMut for Find {
        fn visit_field_value_mut(&mut self, field: &mut syn::FieldValue) {
            if self.0.is_none()
                && let syn::Member::Named(name) = &field.member
                && name == "operation_id"
                && let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(id),
                    ..
                }) = &field.expr
            {
                self.0 = Some(id.value());
            }
            syn::visit_mut::visit_field_value_mut(self, field);
        }
    }
    let mut find = Find::default();
    find.visit_impl_item_fn_mut(send);
    find.0
}

/// `T` and `E` of `Result<ResponseValue<T>, Error<E>>`, or of a future's `Output` of that.
pub(crate) fn result_types(output: &syn::ReturnType) -> Option<(syn::Type, syn::Type)> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let args = last_args(future_output(ty).unwrap_or(ty), "Result")?;
    let mut it = args.iter();
    let ok = generic_arg(last_args(it.next()?, "ResponseValue")?.first()?)?;
    let err = generic_arg(last_args(it.next()?, "Error")?.first()?)?;
    Some((ok, err))
}

/// `X` of `impl Future<Output = X>`.
fn future_output(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::ImplTrait(imp) = ty else {
        return None;
    };
    imp.bounds.iter().find_map(|bound| {
        let syn::TypeParamBound::Trait(t) = bound else {
            return None;
        };
        let seg = t.path.segments.last().filter(|s| s.ident == "Future")?;
        let syn::PathArguments::AngleBracketed(a) = &seg.arguments else {
            return None;
        };
        a.args.iter().find_map(|g| match g {
            syn::GenericArgument::AssocType(assoc) if assoc.ident == "Output" => Some(&assoc.ty),
            _ => None,
        })
    })
}

fn last_args<'a>(ty: &'a syn::Type, name: &str) -> Option<Vec<&'a syn::Type>> {
    let syn::Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(a) = &seg.arguments else {
        return None;
    };
    Some(
        a.args
            .iter()
            .filter_map(|g| match g {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
    )
}

fn generic_arg(ty: &syn::Type) -> Option<syn::Type> {
    Some(ty.clone())
}

#[cfg(test)]
mod tests {
    #[test]
    fn snake_names_match_progenitor() {
        assert_eq!(super::snake("createSCIMUser"), "create_scim_user");
        assert_eq!(super::snake("listCluster"), "list_cluster");
        assert_eq!(super::snake("ClusterListAll"), "cluster_list_all");
        assert_eq!(
            super::snake("AuthenticateServiceAccountToken"),
            "authenticate_service_account_token"
        );
    }
}
