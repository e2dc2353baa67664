//! Adds a `<operation>_stream` method for every list operation, found from the spec rather than
//! named by hand: a GET whose query parameters and success body match one of the pagination
//! styles of `dataplat::core::pagination`, or whose body is a whole list (an array, or an
//! object with an array `data`). The Rust names of the page's members come from the generated
//! types (their `serde(rename)`), so nothing here guesses typify's naming.

use std::collections::HashMap;

use quote::{format_ident, quote};
use serde_json::Value;

use crate::operations;

/// How an operation pages, with the JSON names of the members involved.
#[derive(Debug, Clone, PartialEq)]
enum Style {
    /// `pageToken`/`pageSize` → `nextPageToken` + an array member.
    Token { items: String, next: String },
    /// `limit`/`offset` → `total_entries` + an array member.
    Offset { items: String, total: String },
    /// `starting_after` + `limit` → an array of items with an `id`.
    After,
    /// `page` + `limit` → `{ "data": [...] }`.
    Page { items: String },
    /// No paging parameters: an array, or `{ "data": [...] }`.
    Whole { items: Option<String> },
}

/// A list operation found in the spec.
#[derive(Debug)]
struct ListOp {
    operation_id: String,
    /// The path template (for the error that ends a stream whose server cycles).
    path: String,
    style: Style,
    page_size: u64,
}

fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    let mut v = v;
    for _ in 0..8 {
        let Some(r) = v.get("$ref").and_then(|r| r.as_str()) else {
            return v;
        };
        match doc.pointer(r.trim_start_matches('#')) {
            Some(target) => v = target,
            None => return v,
        }
    }
    v
}

/// The success body schema of an operation (first 2xx with JSON content).
fn success_schema<'a>(doc: &'a Value, op: &'a Value) -> Option<&'a Value> {
    let responses = op.get("responses")?.as_object()?;
    let (_, response) = responses
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .min_by_key(|(code, _)| code.as_str())?;
    let response = resolve(doc, response);
    let schema = response.pointer("/content/application~1json/schema")?;
    Some(resolve(doc, schema))
}

fn is_array(doc: &Value, schema: &Value) -> bool {
    resolve(doc, schema).get("type").and_then(|t| t.as_str()) == Some("array")
}

/// An object schema's properties, including those its `allOf` members bring (Airflow's
/// collections are `allOf` a list and `CollectionInfo`).
fn properties(doc: &Value, schema: &Value) -> serde_json::Map<String, Value> {
    let schema = resolve(doc, schema);
    let mut out = schema
        .get("properties")
        .and_then(|p| p.as_object())
        .cloned()
        .unwrap_or_default();
    for member in schema
        .get("allOf")
        .and_then(|a| a.as_array())
        .into_iter()
        .flatten()
    {
        out.extend(properties(doc, member));
    }
    out
}

/// The one array-typed property of an object schema, when there is exactly one.
fn only_array_property(doc: &Value, schema: &Value) -> Option<String> {
    let props = properties(doc, schema);
    let arrays: Vec<&String> = props
        .iter()
        .filter(|(_, p)| is_array(doc, p))
        .map(|(k, _)| k)
        .collect();
    match arrays.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

fn has_property(doc: &Value, schema: &Value, name: &str) -> bool {
    properties(doc, schema).contains_key(name)
}

fn list_ops(doc: &Value) -> Vec<ListOp> {
    let mut found = Vec::new();
    for (path, method, op) in operations(doc) {
        if method != "get" {
            continue;
        }
        let Some(id) = op.get("operationId").and_then(|i| i.as_str()) else {
            continue;
        };
        let mut query: HashMap<String, Value> = HashMap::new();
        let path_params = doc
            .pointer(&format!(
                "/paths/{}/parameters",
                crate::escape_pointer(path)
            ))
            .and_then(|p| p.as_array())
            .cloned()
            .unwrap_or_default();
        let op_params = op
            .get("parameters")
            .and_then(|p| p.as_array())
            .cloned()
            .unwrap_or_default();
        for p in path_params.iter().chain(op_params.iter()) {
            let p = resolve(doc, p);
            if p.get("in").and_then(|i| i.as_str()) == Some("query")
                && let Some(name) = p.get("name").and_then(|n| n.as_str())
            {
                query.insert(name.to_string(), p.clone());
            }
        }
        let Some(body) = success_schema(doc, op) else {
            continue;
        };
        let maximum = |name: &str| {
            query
                .get(name)
                .and_then(|p| p.pointer("/schema/maximum"))
                .and_then(|m| m.as_u64())
                .filter(|m| *m > 0)
                .unwrap_or(100)
        };
        let style = if query.contains_key("pageToken")
            && query.contains_key("pageSize")
            && has_property(doc, body, "nextPageToken")
        {
            only_array_property(doc, body).map(|items| {
                (
                    Style::Token {
                        items,
                        next: "nextPageToken".into(),
                    },
                    maximum("pageSize"),
                )
            })
        } else if query.contains_key("limit")
            && query.contains_key("offset")
            && has_property(doc, body, "total_entries")
        {
            only_array_property(doc, body).map(|items| {
                (
                    Style::Offset {
                        items,
                        total: "total_entries".into(),
                    },
                    maximum("limit"),
                )
            })
        } else if query.contains_key("starting_after")
            && query.contains_key("limit")
            && is_array(doc, body)
        {
            Some((Style::After, maximum("limit")))
        } else if query.contains_key("page") && query.contains_key("limit") {
            only_array_property(doc, body)
                .filter(|p| p == "data")
                .map(|items| (Style::Page { items }, maximum("limit")))
        } else if ["pageToken", "limit", "offset", "page", "starting_after"]
            .iter()
            .any(|p| query.contains_key(*p))
        {
            // Paged in a way none of the styles knows: no stream rather than a wrong one.
            None
        } else if is_array(doc, body) {
            Some((Style::Whole { items: None }, 0))
        } else if properties(doc, body)
            .get("data")
            .is_some_and(|d| is_array(doc, d))
        {
            Some((
                Style::Whole {
                    items: Some("data".into()),
                },
                0,
            ))
        } else {
            None
        };
        if let Some((style, page_size)) = style {
            found.push(ListOp {
                operation_id: id.to_string(),
                path: path.to_string(),
                style,
                page_size,
            });
        }
    }
    found
}

fn module<'a>(file: &'a syn::File, name: &str) -> Option<&'a Vec<syn::Item>> {
    file.items.iter().find_map(|i| match i {
        syn::Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items),
        _ => None,
    })
}

/// `(json name → (rust field, type))` of `types::<name>`.
fn fields(file: &syn::File, ty: &syn::Type) -> Option<HashMap<String, (syn::Ident, syn::Type)>> {
    let syn::Type::Path(p) = ty else { return None };
    let name = &p.path.segments.last()?.ident;
    let types = module(file, "types")?;
    let strukt = types.iter().find_map(|i| match i {
        syn::Item::Struct(s) if &s.ident == name => Some(s),
        _ => None,
    })?;
    let mut out = HashMap::new();
    for f in &strukt.fields {
        let ident = f.ident.clone()?;
        let mut json = ident.to_string().trim_start_matches("r#").to_string();
        for attr in &f.attrs {
            if !attr.path().is_ident("serde") {
                continue;
            }
            let text = quote!(#attr).to_string();
            if let Some(rename) = text
                .split("rename = ")
                .nth(1)
                .and_then(|r| r.split('"').nth(1))
            {
                json = rename.to_string();
            }
        }
        out.insert(json, (ident, qualify(file, &f.ty)));
    }
    Some(out)
}

/// A type written inside `mod types` (`Vec<UserRole>`), as seen from the crate module root
/// (`Vec<types::UserRole>`).
fn qualify(file: &syn::File, ty: &syn::Type) -> syn::Type {
    use syn::visit_mut::VisitMut;
    struct Q<'a>(std::collections::HashSet<&'a syn::Ident>);
    impl VisitMut for Q<'_> {
        fn visit_type_path_mut(&mut self, p: &mut syn::TypePath) {
            syn::visit_mut::visit_type_path_mut(self, p);
            if p.qself.is_none()
                && p.path.leading_colon.is_none()
                && p.path.segments.len() == 1
                && self.0.contains(&p.path.segments[0].ident)
            {
                p.path.segments.insert(0, syn::parse_quote!(types));
            }
        }
    }
    let names = module(file, "types")
        .map(|items| {
            items
                .iter()
                .filter_map(|i| match i {
                    syn::Item::Struct(s) => Some(&s.ident),
                    syn::Item::Enum(e) => Some(&e.ident),
                    syn::Item::Type(t) => Some(&t.ident),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut ty = ty.clone();
    Q(names).visit_type_mut(&mut ty);
    ty
}

/// `X` of `Vec<X>` or `Option<Vec<X>>`.
fn element(ty: &syn::Type) -> Option<syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(a) = &seg.arguments else {
        return None;
    };
    let syn::GenericArgument::Type(inner) = a.args.first()? else {
        return None;
    };
    match seg.ident.to_string().as_str() {
        "Vec" => Some(inner.clone()),
        "Option" => element(inner),
        _ => None,
    }
}

/// How to get the item list out of a list-typed answer: `Vec<X>` itself, or typify's newtype
/// `struct Named(pub Vec<X>)` for a named array schema. Returns the item type and whether `.0`
/// is needed.
fn list_of(file: &syn::File, ty: &syn::Type) -> Option<(syn::Type, bool)> {
    if let Some(item) = element(ty) {
        return Some((item, false));
    }
    let syn::Type::Path(p) = ty else { return None };
    let name = &p.path.segments.last()?.ident;
    let strukt = module(file, "types")?.iter().find_map(|i| match i {
        syn::Item::Struct(s) if &s.ident == name => Some(s),
        _ => None,
    })?;
    match &strukt.fields {
        syn::Fields::Unnamed(f) if f.unnamed.len() == 1 => {
            element(&qualify(file, &f.unnamed[0].ty)).map(|item| (item, true))
        }
        _ => None,
    }
}

/// Appends `impl Client { fn <op>_stream … }`; returns how many streams were added.
pub fn add_streams(
    file: &mut syn::File,
    doc: &Value,
    senders: &HashMap<String, crate::wrap_send::Sender>,
) -> Result<usize, String> {
    let mut methods = Vec::new();
    for op in list_ops(doc) {
        let sender = senders.get(&op.operation_id).ok_or_else(|| {
            format!(
                "list operation {} has no generated builder",
                op.operation_id
            )
        })?;
        let (builder, ok, err) = (&sender.builder, &sender.ok, &sender.err);
        let page_fields = fields(file, ok);
        let member = |json: &str| -> Result<(syn::Ident, syn::Type), String> {
            page_fields
                .as_ref()
                .and_then(|f| f.get(json).cloned())
                .ok_or_else(|| format!("{}: the page type has no `{json}` member", op.operation_id))
        };
        let method = format_ident!("{}_stream", crate::wrap_send::snake(&op.operation_id));
        let request = format_ident!("{}", crate::wrap_send::snake(&op.operation_id));
        let size = op.page_size;
        let pg = quote!(crate::core::pagination);
        let (operation_id, path) = (&op.operation_id, &op.path);
        // Ends a stream whose server hands out a cursor it handed out before.
        let repeated = quote! {
            move || crate::core::Error::repeated_cursor(crate::core::Call {
                api: self.inner.api(),
                operation_id: #operation_id,
                method: "GET",
                path: #path,
            })
        };
        let (item, body, how) = match &op.style {
            Style::Token { items, next } => {
                let (items_field, items_ty) = member(items)?;
                let (next_field, _) = member(next)?;
                let item = element(&items_ty).ok_or("token page items are not a list")?;
                (
                    item,
                    quote! {
                        #pg::by_token(#repeated, move |token: Option<String>| {
                            let mut request = configure(self.#request()).page_size(#size);
                            if let Some(token) = token {
                                request = request.page_token(token);
                            }
                            ::futures::FutureExt::map(request.send(), |answer| {
                                answer.map(|page| {
                                    let page = page.into_inner();
                                    (#pg::parts::items(page.#items_field), #pg::parts::token(page.#next_field))
                                })
                            })
                        })
                    },
                    format!("page tokens (`pageToken`, pages of {size})"),
                )
            }
            Style::Offset { items, total } => {
                let (items_field, items_ty) = member(items)?;
                let (total_field, _) = member(total)?;
                let item = element(&items_ty).ok_or("offset page items are not a list")?;
                (
                    item,
                    quote! {
                        #pg::by_offset(#size, move |offset: u64| {
                            let call = configure(self.#request()).limit(#size).offset(offset).send();
                            ::futures::FutureExt::map(call, |answer| {
                                answer.map(|page| {
                                    let page = page.into_inner();
                                    (#pg::parts::items(page.#items_field), #pg::parts::count(page.#total_field))
                                })
                            })
                        })
                    },
                    format!(
                        "`limit`/`offset` (pages of up to {size}; the offset advances by what the server actually returned)"
                    ),
                )
            }
            Style::After => {
                let (item, newtype) = list_of(file, ok)
                    .ok_or_else(|| format!("{}: the answer is not a list", op.operation_id))?;
                let unwrap = if newtype { quote!(.0) } else { quote!() };
                let item_fields = fields(file, &item);
                let (id_field, _) = item_fields
                    .and_then(|f| f.get("id").cloned())
                    .ok_or_else(|| format!("{}: items have no `id`", op.operation_id))?;
                (
                    item.clone(),
                    quote! {
                        #pg::by_last_key(#size, |item: &#item| #pg::parts::key(&item.#id_field), #repeated, move |after: Option<String>| {
                            let mut request = configure(self.#request()).limit(#size);
                            if let Some(after) = after {
                                request = request.starting_after(after);
                            }
                            ::futures::FutureExt::map(request.send(), |answer| {
                                answer.map(|page| page.into_inner() #unwrap)
                            })
                        })
                    },
                    format!("`starting_after` the last item's id (pages of {size})"),
                )
            }
            Style::Page { items } => {
                let (items_field, items_ty) = member(items)?;
                let item = element(&items_ty).ok_or("page items are not a list")?;
                (
                    item,
                    quote! {
                        #pg::by_page_number(#size, move |page: u64| {
                            let call = configure(self.#request()).page(page).limit(#size).send();
                            ::futures::FutureExt::map(call, |answer| {
                                answer.map(|page| #pg::parts::items(page.into_inner().#items_field))
                            })
                        })
                    },
                    format!("`page` (from 1) and `limit` (pages of {size})"),
                )
            }
            Style::Whole { items: None } => {
                let Some((item, newtype)) = list_of(file, ok) else {
                    // The schema says array, the generated type is not a list (an untyped
                    // `serde_json::Value` answer, say): no stream.
                    continue;
                };
                let unwrap = if newtype { quote!(.0) } else { quote!() };
                (
                    item,
                    quote! {
                        let call = configure(self.#request()).send();
                        #pg::whole(::futures::FutureExt::map(call, |answer| {
                            answer.map(|page| page.into_inner() #unwrap)
                        }))
                    },
                    "one request (the API does not page this list)".to_string(),
                )
            }
            Style::Whole { items: Some(items) } => {
                let (items_field, items_ty) = member(items)?;
                let item = element(&items_ty).ok_or("`data` is not a list")?;
                (
                    item,
                    quote! {
                        let call = configure(self.#request()).send();
                        #pg::whole(::futures::FutureExt::map(call, |answer| {
                            answer.map(|page| #pg::parts::items(page.into_inner().#items_field))
                        }))
                    },
                    "one request (the API does not page this list)".to_string(),
                )
            }
        };
        let doc = format!(
            "Every item of `{}`, as a stream fetched lazily by {how}. `configure` sets the \
             operation's other parameters (filters, path parameters); the paging parameters are \
             the stream's. Memory holds one page at a time.",
            op.operation_id
        );
        // The public method only boxes `configure`: the stream is built in a method that is
        // not generic, where the compiler proves the page futures `Send` once for all
        // streams (in a generic method it proves it again for each, a large part of a build).
        let inner = format_ident!("{}_boxed", method);
        methods.push(quote! {
            #[doc = #doc]
            pub fn #method<'a, F>(&'a self, configure: F) -> #pg::ItemStream<'a, #item, crate::core::Error<#err>>
            where
                F: Fn(builder::#builder<'a>) -> builder::#builder<'a> + Send + 'a,
            {
                self.#inner(::std::boxed::Box::new(configure))
            }
            fn #inner<'a>(
                &'a self,
                configure: ::std::boxed::Box<dyn Fn(builder::#builder<'a>) -> builder::#builder<'a> + Send + 'a>,
            ) -> #pg::ItemStream<'a, #item, crate::core::Error<#err>> {
                #body
            }
        });
    }
    let count = methods.len();
    if count > 0 {
        file.items.push(syn::parse_quote! {
            /// Item streams over the list operations (see `dataplat::core::pagination`).
            impl Client {
                #(#methods)*
            }
        });
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(params: Value, body: Value) -> Value {
        json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/things": {"get": {
            "operationId": "listThings", "parameters": params,
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": body}}}}
        }}}})
    }
    fn q(name: &str) -> Value {
        json!({"name": name, "in": "query", "schema": {"type": "integer"}})
    }
    fn styles(d: &Value) -> Vec<Style> {
        list_ops(d).into_iter().map(|o| o.style).collect()
    }

    #[test]
    fn each_style_is_found_from_parameters_and_body() {
        let arr = json!({"type": "array", "items": {"type": "string"}});
        assert_eq!(
            styles(&doc(
                json!([q("pageToken"), q("pageSize")]),
                json!({"properties": {"nextPageToken": {"type": "string"}, "result": arr}})
            )),
            [Style::Token {
                items: "result".into(),
                next: "nextPageToken".into()
            }]
        );
        assert_eq!(
            styles(&doc(
                json!([q("limit"), q("offset")]),
                json!({"properties": {"total_entries": {"type": "integer"}, "dags": arr}})
            )),
            [Style::Offset {
                items: "dags".into(),
                total: "total_entries".into()
            }]
        );
        assert_eq!(
            styles(&doc(json!([q("starting_after"), q("limit")]), arr.clone())),
            [Style::After]
        );
        assert_eq!(
            styles(&doc(
                json!([q("page"), q("limit")]),
                json!({"properties": {"data": arr}})
            )),
            [Style::Page {
                items: "data".into()
            }]
        );
        assert_eq!(
            styles(&doc(json!([]), arr.clone())),
            [Style::Whole { items: None }]
        );
        assert_eq!(
            styles(&doc(json!([]), json!({"properties": {"data": arr}}))),
            [Style::Whole {
                items: Some("data".into())
            }]
        );
        // Paged some other way, or not a list: no stream.
        assert!(styles(&doc(json!([q("offset")]), arr.clone())).is_empty());
        assert!(
            styles(&doc(
                json!([]),
                json!({"properties": {"name": {"type": "string"}}})
            ))
            .is_empty()
        );
    }

    #[test]
    fn page_size_is_the_parameters_maximum() {
        let d = doc(
            json!([{"name": "starting_after", "in": "query", "schema": {"type": "string"}},
                   {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 50}}]),
            json!({"type": "array", "items": {"type": "string"}}),
        );
        assert_eq!(list_ops(&d)[0].page_size, 50);
    }
}
