//! A table of every operation for the command line (`cli` feature): its name, summary and
//! parameters, and one `invoke` that calls it with parameters given as text and a JSON body,
//! checked against the operation's own types before anything is sent.
//!
//! Read from the generated client itself (after the other passes), so the table cannot name a
//! setter or type the client does not have: the operations are the `Client` methods that
//! return a builder, the parameters are the builder's setters (`fn x<V>(…) where V:
//! TryInto<T>`), optional when the builder's field is `Result<Option<T>, String>`, and the
//! answer type is the one `send` returns. List operations with an item stream are invoked
//! through it when all pages are asked for.

use std::collections::{BTreeMap, BTreeSet};

use quote::{format_ident, quote};

/// One operation, as the client has it.
struct Op {
    /// The `Client` method (`get_cluster`).
    method: String,
    /// First line of the method's docs.
    summary: String,
    /// Setters other than `body`: (name, type, required).
    params: Vec<(String, syn::Type, bool)>,
    /// The body type and whether it is required.
    body: Option<(syn::Type, bool)>,
    /// The answer type of `send` (`types::Cluster`, `()`, `ByteStream`).
    answer: syn::Type,
    /// Whether `<method>_stream` exists.
    stream: bool,
}

/// Appends `pub mod cli_table` to the client; returns how many operations it holds.
pub fn add(file: &mut syn::File) -> Result<usize, String> {
    let ops = collect(file)?;
    let count = ops.len();
    let entries = ops.iter().map(|op| {
        let name = &op.method;
        let summary = &op.summary;
        let params = op.params.iter().map(|(p, ty, required)| {
            let ty = type_name(ty);
            quote! { crate::core::cli::Param { name: #p, required: #required, ty: #ty } }
        });
        let body = match &op.body {
            None => quote!(::std::option::Option::None),
            Some((_, required)) => quote!(::std::option::Option::Some(#required)),
        };
        let stream = op.stream;
        quote! {
            crate::core::cli::Operation {
                name: #name,
                summary: #summary,
                params: &[#(#params),*],
                body: #body,
                stream: #stream,
            }
        }
    });
    let arms = ops.iter().map(invoke_arm);
    let stream_arms = ops.iter().filter(|op| op.stream).map(stream_arm);
    let module: syn::Item = syn::parse_quote! {
        /// Every operation of this client for the command line (`cli` feature).
        #[cfg(feature = "cli")]
        pub mod cli_table {
            #[allow(unused_imports)]
            use super::*;

            /// The operations, in the client's order.
            pub const OPERATIONS: &[crate::core::cli::Operation] = &[#(#entries),*];

            /// Calls the operation `name` with `args`; `None` when there is no such operation.
            pub fn invoke<'a>(
                client: &'a super::Client,
                name: &str,
                args: &'a crate::core::cli::Args,
            ) -> ::std::option::Option<crate::core::cli::Invoked<'a>> {
                match name {
                    #(#arms)*
                    _ => ::std::option::Option::None,
                }
            }

            /// Every item of the list operation `name`, each handed to `sink` as it comes;
            /// `None` when `name` has no item stream.
            pub fn invoke_all<'a>(
                client: &'a super::Client,
                name: &str,
                args: &'a crate::core::cli::Args,
                sink: &'a mut (dyn FnMut(::serde_json::Value) + Send),
            ) -> ::std::option::Option<crate::core::cli::Invoked<'a>> {
                #[allow(unused_variables)]
                let sink = sink;
                match name {
                    #(#stream_arms)*
                    _ => ::std::option::Option::None,
                }
            }
        }
    };
    file.items.push(module);
    Ok(count)
}

fn setters(params: &[(String, syn::Type, bool)]) -> Vec<proc_macro2::TokenStream> {
    params
        .iter()
        .map(|(name, ty, _)| {
            let setter = format_ident!("{}", name);
            quote! {
                if let ::std::option::Option::Some(value) = args.param(#name) {
                    builder = builder.#setter(crate::core::cli::parse::<#ty>(#name, value)?);
                }
            }
        })
        .collect()
}

fn invoke_arm(op: &Op) -> proc_macro2::TokenStream {
    let name = &op.method;
    let method = format_ident!("{}", op.method);
    let set = setters(&op.params);
    let body = op.body.as_ref().map(|(ty, _)| {
        quote! {
            if let ::std::option::Option::Some(body) = args.body() {
                builder = builder.body(crate::core::cli::body::<#ty>(body)?);
            }
        }
    });
    let answer = if last_ident(&op.answer).as_deref() == Some("ByteStream") {
        quote!(crate::core::cli::bytes(answer.into_inner()).await)
    } else {
        quote!(crate::core::cli::json(&answer.into_inner()))
    };
    quote! {
        #name => ::std::option::Option::Some(::std::boxed::Box::pin(async move {
            #[allow(unused_mut)]
            let mut builder = client.#method();
            #(#set)*
            #body
            let answer = builder.send().await.map_err(crate::core::cli::Failure::from_error)?;
            #answer
        })),
    }
}

fn stream_arm(op: &Op) -> proc_macro2::TokenStream {
    let name = &op.method;
    let stream = format_ident!("{}_stream", op.method);
    let vars: Vec<syn::Ident> = (0..op.params.len())
        .map(|i| format_ident!("p{}", i))
        .collect();
    let parsed = op.params.iter().zip(&vars).map(|((p, ty, _), var)| {
        quote! {
            let #var: ::std::option::Option<#ty> = match args.param(#p) {
                ::std::option::Option::Some(value) => {
                    ::std::option::Option::Some(crate::core::cli::parse::<#ty>(#p, value)?)
                }
                ::std::option::Option::None => ::std::option::Option::None,
            };
        }
    });
    let applied = op.params.iter().zip(&vars).map(|((p, _, _), var)| {
        let setter = format_ident!("{}", p);
        quote! {
            if let ::std::option::Option::Some(value) = &#var {
                builder = builder.#setter(value.clone());
            }
        }
    });
    quote! {
        #name => ::std::option::Option::Some(::std::boxed::Box::pin(async move {
            #(#parsed)*
            let mut items = client.#stream(move |builder| {
                #[allow(unused_mut)]
                let mut builder = builder;
                #(#applied)*
                builder
            });
            while let ::std::option::Option::Some(item) =
                ::futures::TryStreamExt::try_next(&mut items)
                    .await
                    .map_err(crate::core::cli::Failure::from_error)?
            {
                sink(crate::core::cli::json(&item)?);
            }
            ::std::result::Result::Ok(::serde_json::Value::Null)
        })),
    }
}

/// A type as a reader knows it: `Vec<String>`, not `::std::vec::Vec<::std::string::String>`.
fn type_name(ty: &syn::Type) -> String {
    let mut text = quote!(#ty).to_string().replace(' ', "");
    for prefix in [
        "::std::string::",
        "::std::vec::",
        "::std::option::",
        "::chrono::offset::",
        "::chrono::",
        "::uuid::",
        "::serde_json::",
        "types::",
    ] {
        text = text.replace(prefix, "");
    }
    text
}

fn last_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The generic argument `n` of the last segment of `ty`.
fn generic_arg(ty: &syn::Type, n: usize) -> Option<syn::Type> {
    let syn::Type::Path(p) = ty else {
        return None;
    };
    let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
        return None;
    };
    args.args
        .iter()
        .filter_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        })
        .nth(n)
}

fn collect(file: &syn::File) -> Result<Vec<Op>, String> {
    // Builder modules: struct fields (optional or not) and setters with their types.
    let builder = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, i)| i),
            _ => None,
        })
        .ok_or("the generated client has no `builder` module")?;
    let mut optional: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut setters: BTreeMap<String, Vec<(String, syn::Type)>> = BTreeMap::new();
    let mut answers: BTreeMap<String, syn::Type> = BTreeMap::new();
    for item in builder {
        match item {
            syn::Item::Struct(s) => {
                let entry = optional.entry(s.ident.to_string()).or_default();
                for field in &s.fields {
                    let Some(ident) = &field.ident else { continue };
                    if let Some(inner) = generic_arg(&field.ty, 0)
                        && last_ident(&inner).as_deref() == Some("Option")
                    {
                        entry.insert(ident.to_string());
                    }
                }
            }
            syn::Item::Impl(imp) => {
                let Some(name) = last_ident(&imp.self_ty) else {
                    continue;
                };
                for f in &imp.items {
                    let syn::ImplItem::Fn(f) = f else { continue };
                    let fname = f.sig.ident.to_string();
                    if fname == "send" {
                        if let Some(answer) = send_answer(&f.sig) {
                            answers.insert(name.clone(), answer);
                        }
                        continue;
                    }
                    if let Some(ty) = setter_type(&f.sig) {
                        setters.entry(name.clone()).or_default().push((fname, ty));
                    }
                }
            }
            _ => {}
        }
    }
    // Client methods returning a builder, and which have streams.
    let mut methods: Vec<(String, String, String)> = Vec::new();
    let mut streams: BTreeSet<String> = BTreeSet::new();
    for item in &file.items {
        let syn::Item::Impl(imp) = item else { continue };
        if last_ident(&imp.self_ty).as_deref() != Some("Client") || imp.trait_.is_some() {
            continue;
        }
        for f in &imp.items {
            let syn::ImplItem::Fn(f) = f else { continue };
            let fname = f.sig.ident.to_string();
            if let Some(base) = fname.strip_suffix("_stream") {
                streams.insert(base.to_string());
                continue;
            }
            let syn::ReturnType::Type(_, ty) = &f.sig.output else {
                continue;
            };
            let syn::Type::Path(p) = &**ty else { continue };
            let segments: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            if segments.len() != 2 || segments[0] != "builder" {
                continue;
            }
            methods.push((fname, segments[1].clone(), summary(&f.attrs)));
        }
    }
    let mut ops = Vec::new();
    for (method, builder, summary) in methods {
        let answer = answers
            .get(&builder)
            .cloned()
            .ok_or_else(|| format!("builder {builder} has no `send` answer type"))?;
        let optional = optional.get(&builder).cloned().unwrap_or_default();
        let mut params = Vec::new();
        let mut body = None;
        for (name, ty) in setters.get(&builder).cloned().unwrap_or_default() {
            let required = !optional.contains(&name);
            if name == "body" {
                body = Some((ty, required));
            } else {
                params.push((name, ty, required));
            }
        }
        ops.push(Op {
            stream: streams.contains(&method),
            method,
            summary,
            params,
            body,
            answer,
        });
    }
    if ops.is_empty() {
        return Err("the generated client has no operations".into());
    }
    Ok(ops)
}

/// `T` of a setter `fn x<V>(mut self, value: V) -> Self where V: std::convert::TryInto<T>`.
fn setter_type(sig: &syn::Signature) -> Option<syn::Type> {
    let predicates = &sig.generics.where_clause.as_ref()?.predicates;
    predicates.iter().find_map(|p| {
        let syn::WherePredicate::Type(t) = p else {
            return None;
        };
        let syn::Type::Path(bounded) = &t.bounded_ty else {
            return None;
        };
        if !bounded.path.is_ident("V") {
            return None;
        }
        t.bounds.iter().find_map(|b| {
            let syn::TypeParamBound::Trait(tr) = b else {
                return None;
            };
            let last = tr.path.segments.last()?;
            if last.ident != "TryInto" {
                return None;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            args.args.iter().find_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
        })
    })
}

/// `R` of `send(self) -> impl Future<Output = Result<ResponseValue<R>, …>>`.
fn send_answer(sig: &syn::Signature) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = &sig.output else {
        return None;
    };
    let syn::Type::ImplTrait(imp) = &**ty else {
        return None;
    };
    imp.bounds.iter().find_map(|b| {
        let syn::TypeParamBound::Trait(tr) = b else {
            return None;
        };
        let syn::PathArguments::AngleBracketed(args) = &tr.path.segments.last()?.arguments else {
            return None;
        };
        args.args.iter().find_map(|a| match a {
            syn::GenericArgument::AssocType(assoc) if assoc.ident == "Output" => {
                let response = generic_arg(&assoc.ty, 0)?;
                generic_arg(&response, 0)
            }
            _ => None,
        })
    })
}

/// The first line of an item's docs.
fn summary(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .find_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => s
                    .value()
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .map(str::to_string),
                _ => None,
            },
            _ => None,
        })
        .unwrap_or_default()
}
