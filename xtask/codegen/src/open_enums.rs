//! Makes every string enum open: a value the document does not list decodes as `Other(value)`
//! instead of failing the whole answer.
//!
//! Services add values to their enums (Astra's `availableActions`, a new cluster state) long
//! before their documents say so, and typify's closed enums turn each such answer into a decode
//! error. For every enum of `types` whose variants are all unit variants (typify's string
//! enums), the pass replaces the enum and the `Display`, `FromStr` and `TryFrom` impls typify
//! writes for it with an open enum: the same variants plus `Other(String)`, serialised and
//! parsed as the strings the document names. `FromStr` no longer fails. (The enum loses `Copy`:
//! `Other` holds a `String`.) A one-value enum is a constant, not a set a server extends, and
//! untagged unions tell their variants apart by such constants: it stays closed.

use std::collections::BTreeMap;

use quote::{format_ident, quote};

/// Rewrites every closed string enum of `types`; returns how many.
pub fn rewrite(file: &mut syn::File) -> Result<usize, String> {
    let Some(types) = crate::keep_unknown::types_module(file) else {
        return Ok(0);
    };
    let mut enums: BTreeMap<String, Vec<(syn::Ident, String)>> = BTreeMap::new();
    for item in types.iter() {
        if let syn::Item::Enum(e) = item
            && let Some(values) = string_variants(e)
        {
            enums.insert(e.ident.to_string(), values);
        }
    }
    if enums.is_empty() {
        return Ok(0);
    }
    let mut out = Vec::with_capacity(types.len());
    for item in std::mem::take(types) {
        match &item {
            syn::Item::Enum(e) if enums.contains_key(&e.ident.to_string()) => {
                let values = &enums[&e.ident.to_string()];
                out.extend(open_enum(e, values));
            }
            // typify's Display / FromStr / TryFrom impls of those enums: replaced above.
            syn::Item::Impl(imp)
                if imp.trait_.as_ref().is_some_and(|t| {
                    let last = t.0.segments.last().map(|s| s.ident.to_string());
                    matches!(last.as_deref(), Some("Display" | "FromStr" | "TryFrom"))
                }) && self_name(imp).is_some_and(|n| enums.contains_key(&n)) => {}
            _ => out.push(item),
        }
    }
    *types = out;
    Ok(enums.len())
}

fn self_name(imp: &syn::ItemImpl) -> Option<String> {
    let syn::Type::Path(p) = imp.self_ty.as_ref() else {
        return None;
    };
    (p.path.segments.len() == 1).then(|| p.path.segments[0].ident.to_string())
}

/// `(variant, the string it stands for)` of an enum whose variants are all unit variants and
/// that derives `Deserialize`; `None` for any other enum.
fn string_variants(e: &syn::ItemEnum) -> Option<Vec<(syn::Ident, String)>> {
    // A one-value enum is a constant (a `const`, a discriminator's tag): untagged unions tell
    // their variants apart by it, so it stays closed.
    if !derives(&e.attrs, "Deserialize") || e.variants.len() < 2 {
        return None;
    }
    // An enum with serde attributes of its own (untagged, tagged) is not a string enum.
    if e.attrs.iter().any(|a| a.path().is_ident("serde")) {
        return None;
    }
    e.variants
        .iter()
        .map(|v| {
            if !matches!(v.fields, syn::Fields::Unit) || v.ident == "Other" {
                return None;
            }
            let name = rename_of(&v.attrs).unwrap_or_else(|| v.ident.to_string());
            Some((v.ident.clone(), name))
        })
        .collect()
}

/// Whether the `#[derive(…)]` attributes name `what` (last path segment).
pub(crate) fn derives(attrs: &[syn::Attribute], what: &str) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("derive") && {
            let tokens = a.meta.require_list().map(|l| l.tokens.to_string());
            tokens.is_ok_and(|t| t.split(',').any(|d| d.trim().ends_with(what)))
        }
    })
}

/// The `rename = "…"` of `#[serde(…)]` attributes.
pub(crate) fn rename_of(attrs: &[syn::Attribute]) -> Option<String> {
    let mut found = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                found = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    found
}

fn open_enum(e: &syn::ItemEnum, values: &[(syn::Ident, String)]) -> Vec<syn::Item> {
    let name = &e.ident;
    let vis = &e.vis;
    // The docs stay; the derives are ours (no Copy, no serde: written out below).
    let docs: Vec<&syn::Attribute> = e
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .collect();
    let variants: Vec<proc_macro2::TokenStream> = e
        .variants
        .iter()
        .map(|v| {
            let docs = v.attrs.iter().filter(|a| a.path().is_ident("doc"));
            let ident = &v.ident;
            quote!(#(#docs)* #ident)
        })
        .collect();
    let idents: Vec<&syn::Ident> = values.iter().map(|(i, _)| i).collect();
    let strings: Vec<&String> = values.iter().map(|(_, s)| s).collect();
    let expecting = format!("a `{name}` string");
    let visitor = format_ident!("__{}Visitor", name);
    let items: Vec<syn::Item> = vec![
        syn::parse_quote! {
            #(#docs)*
            ///
            /// Open: a value the API document does not list decodes as `Other`, so an answer
            /// carrying a value the service added since is not an error.
            #[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
            #vis enum #name {
                #(#variants,)*
                /// A value the API document does not list (the service has added it since).
                Other(::std::string::String),
            }
        },
        syn::parse_quote! {
            impl #name {
                /// The value as the API spells it.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(Self::#idents => #strings,)*
                        Self::Other(value) => value.as_str(),
                    }
                }
            }
        },
        syn::parse_quote! {
            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }
        },
        syn::parse_quote! {
            impl ::std::str::FromStr for #name {
                type Err = self::error::ConversionError;
                fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                    ::std::result::Result::Ok(match value {
                        #(#strings => Self::#idents,)*
                        other => Self::Other(other.to_owned()),
                    })
                }
            }
        },
        syn::parse_quote! {
            impl ::std::convert::TryFrom<&str> for #name {
                type Error = self::error::ConversionError;
                fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                    value.parse()
                }
            }
        },
        syn::parse_quote! {
            impl ::std::convert::TryFrom<::std::string::String> for #name {
                type Error = self::error::ConversionError;
                fn try_from(value: ::std::string::String) -> ::std::result::Result<Self, self::error::ConversionError> {
                    ::std::result::Result::Ok(match value.as_str() {
                        #(#strings => Self::#idents,)*
                        _ => Self::Other(value),
                    })
                }
            }
        },
        syn::parse_quote! {
            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }
        },
        syn::parse_quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    struct #visitor;
                    impl<'de> ::serde::de::Visitor<'de> for #visitor {
                        type Value = #name;
                        fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                            f.write_str(#expecting)
                        }
                        fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<#name, E> {
                            ::std::result::Result::Ok(match value {
                                #(#strings => #name::#idents,)*
                                other => #name::Other(other.to_owned()),
                            })
                        }
                        fn visit_string<E: ::serde::de::Error>(self, value: ::std::string::String) -> ::std::result::Result<#name, E> {
                            ::std::result::Result::Ok(match value.as_str() {
                                #(#strings => #name::#idents,)*
                                _ => #name::Other(value),
                            })
                        }
                    }
                    deserializer.deserialize_str(#visitor)
                }
            }
        },
    ];
    items
}

#[cfg(test)]
mod tests {
    #[test]
    fn string_enums_become_open() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                /// State.
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
                pub enum DagState {
                    #[serde(rename = "queued")]
                    Queued,
                    #[serde(rename = "running")]
                    Running,
                }
                impl ::std::fmt::Display for DagState {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { todo!() }
                }
                impl ::std::str::FromStr for DagState {
                    type Err = self::error::ConversionError;
                    fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> { todo!() }
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                #[serde(untagged)]
                pub enum Either { A(String), B(i64) }
                impl ::std::fmt::Display for Either {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { todo!() }
                }
            }
        };
        assert_eq!(super::rewrite(&mut file), Ok(1));
        let code = quote::quote!(#file).to_string();
        assert!(
            code.contains("Other (:: std :: string :: String)"),
            "{code}"
        );
        assert!(code.contains("\"queued\" => Self :: Queued"), "{code}");
        assert!(
            !code.contains("todo ! () } } impl :: std :: str :: FromStr for DagState"),
            "{code}"
        );
        assert_eq!(
            code.matches("impl :: std :: fmt :: Display for DagState")
                .count(),
            1,
            "{code}"
        );
        assert!(
            code.contains("impl :: std :: fmt :: Display for Either"),
            "untagged enums stay"
        );
        assert!(!code.contains(
            "Copy , Debug , Eq , Hash , Ord , PartialEq , PartialOrd) ] pub enum DagState"
        ));
    }
}
