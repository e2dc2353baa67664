//! Builders that allocate their "not set" message only when it is reported.
//!
//! progenitor starts each required field of a builder as `Err("<field> was not initialized"
//! .to_string())` (operation builders) or `Err("no value supplied for <field>".to_string())`
//! (type builders): an allocation per required field on every call, although the message is
//! almost never read (the caller sets the field). Here the field starts as `Err(String::new())`
//! and the message is made where the error is reported, by `crate::core::error::unset`. A
//! field that failed a conversion has a non-empty message, which passes through.
//!
//! The message is reported where the field is taken: an operation builder's `send_raw`
//! (`let f = f.map_err(Error::InvalidRequest)?`) and a type builder's `TryFrom`
//! (`f: value.f?`). A field started empty that is taken anywhere else would report an empty
//! message, so generation fails instead.

use std::collections::{BTreeMap, BTreeSet};

use quote::quote;
use syn::visit_mut::VisitMut;

use crate::syntax::{sole_argument, to_string_of};

/// Rewrites every builder; returns how many fields start empty now.
pub fn rewrite(file: &mut syn::File) -> Result<usize, String> {
    let mut starts = Starts::default();
    starts.visit_file_mut(file);
    let mut takes = Takes {
        messages: &starts.messages,
        module: Vec::new(),
        builder: None,
        taken: BTreeSet::new(),
    };
    takes.visit_file_mut(file);
    let left: Vec<String> = starts
        .messages
        .keys()
        .filter(|key| !takes.taken.contains(*key))
        .map(|(builder, field)| format!("{builder}::{field}"))
        .collect();
    if !left.is_empty() {
        return Err(format!(
            "required builder fields whose error is not taken where the unset_fields pass \
             expects it (has progenitor changed its builders?): {}",
            left.join(", ")
        ));
    }
    Ok(starts.messages.len())
}

/// (module path and builder type, field) → progenitor's message for the field not being set.
/// The module tells `builder::Login` (an operation's) from `types::builder::Login` (a type's).
type Messages = BTreeMap<(String, String), syn::LitStr>;

/// Finds `field: Err("…".to_string())` in builders' `new()` and `Default::default()`, and
/// starts those fields empty.
#[derive(Default)]
struct Starts {
    messages: Messages,
    module: Vec<String>,
}

impl VisitMut for Starts {
    fn visit_item_mod_mut(&mut self, module: &mut syn::ItemMod) {
        self.module.push(module.ident.to_string());
        syn::visit_mut::visit_item_mod_mut(self, module);
        self.module.pop();
    }

    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        let Some(builder) = type_name(&item.self_ty) else {
            return;
        };
        let builder = qualified(&self.module, &builder);
        let is_default = item
            .trait_
            .as_ref()
            .and_then(|(path, _)| path.segments.last())
            .is_some_and(|s| s.ident == "Default");
        for member in &mut item.items {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            let starts_builder = (is_default && f.sig.ident == "default")
                || (item.trait_.is_none() && f.sig.ident == "new");
            if !starts_builder {
                continue;
            }
            let mut fields = StartFields {
                builder: &builder,
                messages: &mut self.messages,
            };
            fields.visit_block_mut(&mut f.block);
        }
    }
}

struct StartFields<'a> {
    builder: &'a str,
    messages: &'a mut Messages,
}

impl VisitMut for StartFields<'_> {
    fn visit_field_value_mut(&mut self, value: &mut syn::FieldValue) {
        if let syn::Member::Named(field) = &value.member
            && let Some(message) = unset_message(&value.expr)
        {
            self.messages
                .insert((self.builder.to_string(), field.to_string()), message);
            value.expr = syn::parse_quote!(Err(::std::string::String::new()));
        }
    }
}

/// `"…"` of `Err("…".to_string())`.
fn unset_message(expr: &syn::Expr) -> Option<syn::LitStr> {
    match to_string_of(sole_argument(expr, "Err")?)? {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(message),
            ..
        }) => Some(message.clone()),
        _ => None,
    }
}

/// Makes the message where a field started empty is taken.
struct Takes<'a> {
    messages: &'a Messages,
    module: Vec<String>,
    /// The builder whose fields are taken in the impl being visited.
    builder: Option<String>,
    taken: BTreeSet<(String, String)>,
}

impl Takes<'_> {
    fn message(&mut self, field: &syn::Ident) -> Option<syn::LitStr> {
        let key = (self.builder.clone()?, field.to_string());
        let message = self.messages.get(&key)?.clone();
        self.taken.insert(key);
        Some(message)
    }
}

impl VisitMut for Takes<'_> {
    fn visit_item_mod_mut(&mut self, module: &mut syn::ItemMod) {
        self.module.push(module.ident.to_string());
        syn::visit_mut::visit_item_mod_mut(self, module);
        self.module.pop();
    }

    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        // `impl TryFrom<builder::X> for super::X` takes the fields of the builder `X`; an
        // operation builder's own impl takes its fields in `send_raw`.
        self.builder = match &item.trait_ {
            Some((path, _)) => path
                .segments
                .last()
                .filter(|s| s.ident == "TryFrom")
                .and_then(|s| match &s.arguments {
                    syn::PathArguments::AngleBracketed(a) => a.args.first(),
                    _ => None,
                })
                .and_then(|arg| match arg {
                    syn::GenericArgument::Type(ty) => type_name(ty),
                    _ => None,
                }),
            None => type_name(&item.self_ty),
        }
        .map(|name| qualified(&self.module, &name));
        syn::visit_mut::visit_item_impl_mut(self, item);
        self.builder = None;
    }

    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        match expr {
            // `value.f?` in a type builder's `TryFrom`.
            syn::Expr::Try(tried) => {
                if let syn::Expr::Field(access) = tried.expr.as_ref()
                    && let syn::Expr::Path(base) = access.base.as_ref()
                    && base.path.is_ident("value")
                    && let syn::Member::Named(field) = &access.member
                    && let Some(message) = self.message(field)
                {
                    let inner = &tried.expr;
                    *tried.expr = syn::parse_quote!(
                        #inner.map_err(|e| crate::core::error::unset(e, #message))
                    );
                }
            }
            // `f….map_err(Error::InvalidRequest)` in an operation builder's `send_raw`.
            syn::Expr::MethodCall(call)
                if call.method == "map_err"
                    && call.args.len() == 1
                    && quote!(#call)
                        .to_string()
                        .ends_with("map_err (Error :: InvalidRequest)") =>
            {
                if let Some(field) = root_field(&call.receiver)
                    && let Some(message) = self.message(&field)
                {
                    call.args[0] = syn::parse_quote!(
                        |e| Error::InvalidRequest(crate::core::error::unset(e, #message))
                    );
                }
            }
            _ => {}
        }
    }
}

/// `f` of `f`, `f.and_then(…)`, `f.and_then(…).map(…)`.
fn root_field(expr: &syn::Expr) -> Option<syn::Ident> {
    match expr {
        syn::Expr::Path(p) => p.path.get_ident().cloned(),
        syn::Expr::MethodCall(call) => root_field(&call.receiver),
        _ => None,
    }
}

/// `types::builder::X` for `X` in module `types::builder`.
fn qualified(module: &[String], name: &str) -> String {
    module
        .iter()
        .map(String::as_str)
        .chain([name])
        .collect::<Vec<_>>()
        .join("::")
}

/// The last name of a type path: `X` of `X<'a>` or `builder::X`.
fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn unset_fields_start_empty_and_are_reported_with_their_message() {
        let mut file: syn::File = syn::parse_quote! {
            mod builder {
            impl<'a> GetThing<'a> {
                pub fn new(client: &'a super::Client) -> Self {
                    Self {
                        client: client,
                        id: Err("id was not initialized".to_string()),
                        body: Err("body was not initialized".to_string()),
                        limit: Ok(None),
                    }
                }
                pub async fn send_raw(self) -> Result<(), Error<()>> {
                    let Self { client, id, body, limit } = self;
                    let id = id.map_err(Error::InvalidRequest)?;
                    let body = body
                        .and_then(|v| types::Thing::try_from(v).map_err(|e| e.to_string()))
                        .map_err(Error::InvalidRequest)?;
                    let limit = limit.map_err(Error::InvalidRequest)?;
                }
            }
            }
            mod types { mod builder {
            impl ::std::default::Default for Thing {
                fn default() -> Self {
                    Self { name: Err("no value supplied for name".to_string()), note: Ok(Default::default()) }
                }
            }
            impl ::std::convert::TryFrom<Thing> for super::Thing {
                type Error = super::error::ConversionError;
                fn try_from(value: Thing) -> Result<Self, super::error::ConversionError> {
                    Ok(Self { name: value.name?, note: value.note? })
                }
            }
            // Same name as an operation builder, another module: its own fields.
            impl ::std::default::Default for GetThing {
                fn default() -> Self {
                    Self { id: Err("no value supplied for id".to_string()) }
                }
            }
            impl ::std::convert::TryFrom<GetThing> for super::GetThing {
                type Error = super::error::ConversionError;
                fn try_from(value: GetThing) -> Result<Self, super::error::ConversionError> {
                    Ok(Self { id: value.id? })
                }
            }
            } }
        };
        assert_eq!(super::rewrite(&mut file), Ok(4));
        let code = quote::quote!(#file).to_string();
        assert!(!code.contains("\" . to_string ()"), "{code}");
        assert_eq!(
            code.matches("Err (:: std :: string :: String :: new ())")
                .count(),
            4
        );
        for taken in [
            "id . map_err (| e | Error :: InvalidRequest (crate :: core :: error :: unset (e , \"id was not initialized\"))) ?",
            ". map_err (| e | Error :: InvalidRequest (crate :: core :: error :: unset (e , \"body was not initialized\"))) ?",
            "name : value . name . map_err (| e | crate :: core :: error :: unset (e , \"no value supplied for name\")) ?",
            "limit . map_err (Error :: InvalidRequest) ?",
            "note : value . note ?",
            "id : value . id . map_err (| e | crate :: core :: error :: unset (e , \"no value supplied for id\")) ?",
        ] {
            assert!(code.contains(taken), "{taken} not in {code}");
        }
    }

    #[test]
    fn a_field_taken_elsewhere_fails_the_generation() {
        let mut file: syn::File = syn::parse_quote! {
            impl<'a> GetThing<'a> {
                pub fn new(client: &'a super::Client) -> Self {
                    Self { id: Err("id was not initialized".to_string()) }
                }
                pub async fn send_raw(self) -> Result<(), Error<()>> {
                    let id = id.expect("set");
                }
            }
        };
        let error = super::rewrite(&mut file).unwrap_err();
        assert!(error.contains("GetThing::id"), "{error}");
    }
}
