//! Keeps what the server sends and the document does not name.
//!
//! typify's structs drop members their schema does not list: an answer with more than the
//! document knows decodes "successfully" into less than the server said. Every struct of
//! `types` that derives `Deserialize` (and is neither `transparent`, nor `deny_unknown_fields`
//! by its schema, nor already flattening its additional properties) gets
//! `#[serde(flatten)] pub extra: serde_json::Map<String, Value>`, serialised back inline, and a
//! `Deserialize` written here in place of the derive: `core::de::object`, one loop for every
//! type, which matches the known member names without allocating, as serde's derive does,
//! and puts every other member into `extra` (serde's own `flatten` would buffer every member
//! first, which costs a decode several times over). Each type says only what the loop needs
//! (`core::de::Object`: its member names, how each is read, how the value is built), so the
//! generated code is a few lines per member rather than a visitor per type. Missing members
//! behave as the derive's did: `default` gives the default, an `Option` gives `None`, a field
//! with `deserialize_with` or any other type is required.
//!
//! With `x-dataplat-php-empty: true` at the document's root (ACM, whose PHP server writes an
//! empty object as `[]` and sometimes as `""`, and stores some objects as JSON text), an empty
//! array or empty string also decodes as an object with no members, and a string holding a
//! JSON object as that object.

use std::collections::BTreeSet;

use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;

/// The `types` module's items, when there is one.
pub(crate) fn types_module(file: &mut syn::File) -> Option<&mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// Rewrites every struct it can; returns how many. `php_empty`: accept `[]` and `""` as an
/// empty object.
pub fn rewrite(file: &mut syn::File, php_empty: bool) -> Result<usize, String> {
    let Some(types) = types_module(file) else {
        return Ok(0);
    };
    let mut rewritten = std::collections::BTreeMap::new();
    let mut impls = Vec::new();
    for item in types.iter_mut() {
        let syn::Item::Struct(s) = item else {
            continue;
        };
        if let Some((deserialize, extra)) = open(s, php_empty)? {
            rewritten.insert(s.ident.to_string(), extra);
            impls.extend(deserialize);
        }
    }
    types.extend(impls);
    // Struct literals of the rewritten structs (typify's builder conversions and defaults)
    // gain the new field.
    let mut literals = Literals {
        structs: &rewritten,
        in_builder: false,
        self_ty: None,
        added: 0,
    };
    for item in types.iter_mut() {
        literals.visit_item_mut(item);
    }
    Ok(rewritten.len())
}

/// Adds `extra` to `s` and returns its `Deserialize` and `Object` impls and the name of the new field, or `None`
/// when `s` is left alone.
fn open(
    s: &mut syn::ItemStruct,
    php_empty: bool,
) -> Result<Option<(Vec<syn::Item>, syn::Ident)>, String> {
    if !crate::open_enums::derives(&s.attrs, "Deserialize") {
        return Ok(None);
    }
    let container = serde_words(&s.attrs);
    if container.contains("transparent") || container.contains("deny_unknown_fields") {
        return Ok(None);
    }
    let syn::Fields::Named(fields) = &mut s.fields else {
        return Ok(None);
    };
    if fields
        .named
        .iter()
        .any(|f| serde_words(&f.attrs).contains("flatten"))
    {
        return Ok(None);
    }
    let name = s.ident.clone();
    let mut members = Vec::new();
    for f in &fields.named {
        let ident = f.ident.clone().expect("named fields");
        let key = crate::open_enums::rename_of(&f.attrs).unwrap_or_else(|| ident.to_string());
        let words = serde_words(&f.attrs);
        let default = default_of(&f.attrs);
        let with = deserialize_with_of(&f.attrs);
        let _ = words;
        members.push(Member {
            ident,
            key,
            ty: f.ty.clone(),
            default,
            with,
        });
    }
    let extra = if members.iter().any(|m| m.ident == "extra") {
        format_ident!("dataplat_extra")
    } else {
        format_ident!("extra")
    };
    fields.named.push(syn::parse_quote! {
        /// Members the server sent that the API document does not name, kept as they came
        /// (and serialised back inline).
        #[serde(flatten)]
        pub #extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>
    });
    // The derive goes: the impl below takes its place.
    crate::syntax::drop_deserialize_derive(&mut s.attrs);
    let items = deserialize_impl(&name, &members, &extra, php_empty);
    Ok(Some((items, extra)))
}

struct Member {
    ident: syn::Ident,
    key: String,
    ty: syn::Type,
    /// `Some(None)`: `#[serde(default)]`; `Some(Some(path))`: `default = "path"`.
    default: Option<Option<syn::Path>>,
    /// `deserialize_with = "path"`.
    with: Option<syn::Path>,
}

/// The words of `#[serde(…)]` attributes (`flatten`, `default`, `transparent`, …).
fn serde_words(attrs: &[syn::Attribute]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if let Some(id) = meta.path.get_ident() {
                out.insert(id.to_string());
            }
            if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    out
}

fn default_of(attrs: &[syn::Attribute]) -> Option<Option<syn::Path>> {
    let mut found = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("default") {
                if meta.input.peek(syn::Token![=]) {
                    let value: syn::LitStr = meta.value()?.parse()?;
                    found = Some(value.parse::<syn::Path>().ok());
                } else {
                    found = Some(None);
                }
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    found
}

fn deserialize_with_of(attrs: &[syn::Attribute]) -> Option<syn::Path> {
    let mut found = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("deserialize_with") || meta.path.is_ident("with") {
                let value: syn::LitStr = meta.value()?.parse()?;
                found = value.parse::<syn::Path>().ok();
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    found
}

/// Whether `ty` is a map (`serde_json::Map`, `HashMap`, `BTreeMap`), or an `Option` of one.
fn is_map(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else {
        return false;
    };
    let Some(last) = p.path.segments.last() else {
        return false;
    };
    if last.ident == "Option"
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(syn::GenericArgument::Type(inner)) = args.args.first()
    {
        return is_map(inner);
    }
    matches!(
        last.ident.to_string().as_str(),
        "Map" | "HashMap" | "BTreeMap"
    )
}

/// Whether `ty` is `Option<…>` (any path to it).
fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// The type's `Deserialize`, which hands it to `core::de::object` (or `object_php`), and its
/// `core::de::Object`: which members it knows, how each is read and how the value is built.
/// The loop over an object's members is written once, in the core, not once per type.
fn deserialize_impl(
    name: &syn::Ident,
    members: &[Member],
    extra: &syn::Ident,
    php_empty: bool,
) -> Vec<syn::Item> {
    let expecting = format!("struct {name}");
    let type_name = name.to_string();
    let mut slot_types = Vec::new();
    let mut nones = Vec::new();
    let mut names = Vec::new();
    let mut reads = Vec::new();
    let mut finals = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let (ty, key, ident) = (&m.ty, &m.key, &m.ident);
        let slot = syn::Index::from(i);
        let position = proc_macro2::Literal::usize_unsuffixed(i);
        slot_types.push(quote!(::std::option::Option<#ty>));
        nones.push(quote!(::std::option::Option::None));
        names.push(quote!(#key => #position));
        // `Option::deserialize` is what an `Option` member does anyway: only "required" is
        // left of it.
        let with = m
            .with
            .as_ref()
            .filter(|p| quote!(#p).to_string() != ":: std :: option :: Option :: deserialize");
        let read = match with {
            // Loosely written maps (`[]`, `""`, JSON text), when the document asks.
            None if php_empty && is_map(ty) => {
                quote!(crate::core::de::member_php(&mut slots.#slot, map, #key))
            }
            Some(path) => quote! {{
                struct __With(#ty);
                impl<'de> ::serde::Deserialize<'de> for __With {
                    fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                        #path(d).map(__With)
                    }
                }
                let mut with: ::std::option::Option<__With> = ::std::option::Option::None;
                crate::core::de::member(&mut with, map, #key)?;
                slots.#slot = with.map(|w| w.0);
                ::std::result::Result::Ok(())
            }},
            None => quote!(crate::core::de::member(&mut slots.#slot, map, #key)),
        };
        reads.push(quote!(#position => #read,));
        let value = match (&m.default, &m.with) {
            (Some(None), _) => quote!(slots.#slot.unwrap_or_default()),
            (Some(Some(path)), _) => quote!(slots.#slot.unwrap_or_else(#path)),
            (None, None) if is_option(ty) => {
                quote!(slots.#slot.unwrap_or(::std::option::Option::None))
            }
            _ => quote!(crate::core::de::required(slots.#slot, #key)?),
        };
        finals.push(quote!(#ident: #value));
    }
    // A type without members of its own reads nothing into its (empty) slots.
    let (slots, map) = if members.is_empty() {
        (format_ident!("_slots"), format_ident!("_map"))
    } else {
        (format_ident!("slots"), format_ident!("map"))
    };
    let entry = if php_empty {
        quote!(object_php)
    } else {
        quote!(object)
    };
    vec![
        syn::parse_quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    crate::core::de::#entry::<Self, D>(deserializer)
                }
            }
        },
        syn::parse_quote! {
            impl crate::core::de::Object for #name {
                const EXPECTING: &'static str = #expecting;
                const NAME: &'static str = #type_name;
                type Slots = (#(#slot_types,)*);
                #[inline]
                fn slots() -> Self::Slots {
                    (#(#nones,)*)
                }
                #[inline]
                fn member(name: &str) -> ::std::option::Option<usize> {
                    ::std::option::Option::Some(match name {
                        #(#names,)*
                        _ => return ::std::option::Option::None,
                    })
                }
                #[inline]
                fn read<'de, A: ::serde::de::MapAccess<'de>>(#slots: &mut Self::Slots, index: usize, #map: &mut A) -> ::std::result::Result<(), A::Error> {
                    match index {
                        #(#reads)*
                        _ => ::std::result::Result::Ok(()),
                    }
                }
                fn build<E: ::serde::de::Error>(#slots: Self::Slots, #extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>) -> ::std::result::Result<Self, E> {
                    ::std::result::Result::Ok(#name { #(#finals,)* #extra })
                }
            }
        },
    ]
}

/// Adds `extra: Default::default()` to struct literals of the rewritten structs.
struct Literals<'a> {
    /// Each rewritten struct and the name of its new field.
    structs: &'a std::collections::BTreeMap<String, syn::Ident>,
    /// Inside `types::builder`, where a bare name is the builder's struct of that name.
    in_builder: bool,
    /// The new field of the rewritten struct `Self` stands for in the impl being visited.
    self_ty: Option<Option<syn::Ident>>,
    added: usize,
}

impl Literals<'_> {
    /// The new field of the rewritten struct `path` names here, if it names one.
    fn rewritten(&self, path: &syn::Path) -> Option<syn::Ident> {
        if path.is_ident("Self") {
            return self.self_ty.clone().flatten();
        }
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        match segments.as_slice() {
            [name] if !self.in_builder => self.structs.get(name).cloned(),
            [sup, name] if sup == "super" && self.in_builder => self.structs.get(name).cloned(),
            _ => None,
        }
    }
}

impl VisitMut for Literals<'_> {
    fn visit_item_mod_mut(&mut self, m: &mut syn::ItemMod) {
        let was = self.in_builder;
        if m.ident == "builder" {
            self.in_builder = true;
        }
        syn::visit_mut::visit_item_mod_mut(self, m);
        self.in_builder = was;
    }

    fn visit_item_impl_mut(&mut self, imp: &mut syn::ItemImpl) {
        let was = self.self_ty.take();
        self.self_ty = match imp.self_ty.as_ref() {
            syn::Type::Path(p) => Some(self.rewritten(&p.path)),
            _ => Some(None),
        };
        syn::visit_mut::visit_item_impl_mut(self, imp);
        self.self_ty = was;
    }

    fn visit_expr_struct_mut(&mut self, e: &mut syn::ExprStruct) {
        syn::visit_mut::visit_expr_struct_mut(self, e);
        if e.rest.is_none()
            && let Some(extra) = self.rewritten(&e.path)
            && !e
                .fields
                .iter()
                .any(|f| matches!(&f.member, syn::Member::Named(n) if *n == extra))
        {
            e.fields
                .push(syn::parse_quote!(#extra: ::std::default::Default::default()));
            self.added += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn structs_keep_unknown_members_and_literals_get_the_field() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, PartialEq)]
                pub struct Thing {
                    #[serde(rename = "thingId")]
                    pub thing_id: ::std::string::String,
                    #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub tags: ::std::vec::Vec<::std::string::String>,
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub note: ::std::option::Option<::std::string::String>,
                    #[serde(deserialize_with = "::std::option::Option::deserialize")]
                    pub owner: ::std::option::Option<::std::string::String>,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                #[serde(transparent)]
                pub struct Id(pub String);
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                #[serde(deny_unknown_fields)]
                pub struct Strict { pub a: i64 }
                impl ::std::default::Default for Thing {
                    fn default() -> Self { Self { thing_id: String::new(), tags: vec![], note: None, owner: None } }
                }
                pub mod builder {
                    pub struct Thing { thing_id: Result<String, String> }
                    impl ::std::convert::TryFrom<Thing> for super::Thing {
                        type Error = String;
                        fn try_from(value: Thing) -> Result<Self, String> {
                            Ok(Self { thing_id: value.thing_id?, tags: vec![], note: None, owner: None })
                        }
                    }
                    impl ::std::convert::From<super::Thing> for Thing {
                        fn from(value: super::Thing) -> Self { Self { thing_id: Ok(value.thing_id) } }
                    }
                }
            }
        };
        assert_eq!(super::rewrite(&mut file, false), Ok(1));
        let code = quote::quote!(#file).to_string();
        assert!(
            code.contains("# [serde (flatten)] pub extra : :: serde_json :: Map"),
            "{code}"
        );
        assert!(
            code.contains("impl < 'de > :: serde :: Deserialize < 'de > for Thing"),
            "{code}"
        );
        assert!(!code.contains("derive (:: serde :: Deserialize , :: serde :: Serialize , Clone , Debug , PartialEq) ] pub struct Thing"), "{code}");
        assert!(code.contains("\"thingId\" => 0"), "{code}");
        assert!(
            code.contains("impl crate :: core :: de :: Object for Thing"),
            "{code}"
        );
        // Both literals of the rewritten struct; the builder's own literal is left alone.
        assert_eq!(
            code.matches("extra : :: std :: default :: Default :: default ()")
                .count(),
            2,
            "{code}"
        );
        assert!(
            code.contains("Self { thing_id : Ok (value . thing_id) }"),
            "{code}"
        );
    }
}
