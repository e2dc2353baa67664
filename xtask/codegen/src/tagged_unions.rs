//! Decodes discriminated unions in one pass.
//!
//! typify writes a `oneOf` as a `#[serde(untagged)]` enum: serde buffers the value, then tries
//! each variant in turn, formatting an error for every one that fails (a DAG's schedule,
//! Airflow's `ScheduleInterval`, is decoded up to three times). When each variant is a struct
//! with a member of the same name holding a constant of its own (a discriminator such as
//! `__type`, a one-value enum), the union gets a `Deserialize` that reads that member and
//! decodes the one variant it names (`crate::core::de::tagged`); serialising stays as it was.

use std::collections::BTreeMap;

use quote::quote;

/// Rewrites every union it can; returns how many.
pub fn rewrite(file: &mut syn::File) -> usize {
    let Some(types) = crate::keep_unknown::types_module(file) else {
        return 0;
    };
    // One-value enums: name → the string of their one value.
    let mut constants: BTreeMap<String, String> = BTreeMap::new();
    for item in types.iter() {
        if let syn::Item::Enum(e) = item
            && e.variants.len() == 1
            && matches!(e.variants[0].fields, syn::Fields::Unit)
            && crate::open_enums::derives(&e.attrs, "Deserialize")
        {
            let v = &e.variants[0];
            let value =
                crate::open_enums::rename_of(&v.attrs).unwrap_or_else(|| v.ident.to_string());
            constants.insert(e.ident.to_string(), value);
        }
    }
    // Newtypes (typify's nullable objects: `struct T(pub Option<Inner>)`): name → (inner
    // type, whether it is optional).
    let mut newtypes: BTreeMap<String, (syn::Type, bool)> = BTreeMap::new();
    for item in types.iter() {
        if let syn::Item::Struct(s) = item
            && let syn::Fields::Unnamed(fields) = &s.fields
            && fields.unnamed.len() == 1
        {
            let ty = &fields.unnamed[0].ty;
            match option_inner(ty) {
                Some(inner) => newtypes.insert(s.ident.to_string(), (inner, true)),
                None => newtypes.insert(s.ident.to_string(), (ty.clone(), false)),
            };
        }
    }
    // Structs: name → their (json key, constant value) members.
    let mut tags: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for item in types.iter() {
        if let syn::Item::Struct(s) = item
            && let syn::Fields::Named(fields) = &s.fields
        {
            let found: Vec<(String, String)> = fields
                .named
                .iter()
                .filter_map(|f| {
                    let syn::Type::Path(p) = &f.ty else {
                        return None;
                    };
                    let name = p.path.segments.last()?.ident.to_string();
                    let value = constants.get(&name)?;
                    let key = crate::open_enums::rename_of(&f.attrs).unwrap_or_else(|| {
                        f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default()
                    });
                    Some((key, value.clone()))
                })
                .collect();
            tags.insert(s.ident.to_string(), found);
        }
    }
    let mut impls = Vec::new();
    for item in types.iter_mut() {
        let syn::Item::Enum(e) = item else {
            continue;
        };
        let untagged = e
            .attrs
            .iter()
            .any(|a| a.path().is_ident("serde") && quote!(#a).to_string().contains("untagged"));
        if !untagged || !crate::open_enums::derives(&e.attrs, "Deserialize") {
            continue;
        }
        let Some((key, variants)) = discriminator(e, &tags, &newtypes) else {
            continue;
        };
        // The derive goes (serialising stays untagged).
        crate::syntax::drop_deserialize_derive(&mut e.attrs);
        let name = &e.ident;
        let name_text = name.to_string();
        let values: Vec<&String> = variants.iter().map(|v| &v.value).collect();
        let arms = variants.iter().enumerate().map(|(i, v)| {
            let (variant, decoded) = (&v.ident, &v.decoded);
            let wrap = match &v.wrapper {
                None => quote!(Self::#variant(inner)),
                Some((wrapper, true)) => quote!(Self::#variant(#wrapper(::std::option::Option::Some(inner)))),
                Some((wrapper, false)) => quote!(Self::#variant(#wrapper(inner))),
            };
            quote!(#i => <#decoded as ::serde::Deserialize<'de>>::deserialize(deserializer).map(|inner| #wrap),)
        });
        impls.push(syn::parse_quote! {
            impl crate::core::de::Tagged for #name {
                const KEY: &'static str = #key;
                const TAGS: &'static [&'static str] = &[#(#values),*];
                const NAME: &'static str = #name_text;
                fn variant<'de, D: ::serde::Deserializer<'de>>(index: usize, deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    match index {
                        #(#arms)*
                        _ => unreachable!("the index comes from TAGS"),
                    }
                }
            }
        });
        impls.push(syn::parse_quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                    crate::core::de::tagged::<Self, D>(deserializer)
                }
            }
        });
    }
    let count = impls.len() / 2;
    types.extend(impls);
    count
}

/// One variant of a tagged union.
struct Variant {
    ident: syn::Ident,
    /// The type decoded from the object (the struct with the tag).
    decoded: syn::Type,
    /// The newtype the variant holds around it, and whether it holds an `Option`.
    wrapper: Option<(syn::Type, bool)>,
    /// Its tag value.
    value: String,
}

/// `T` of `Option<T>`.
fn option_inner(ty: &syn::Type) -> Option<syn::Type> {
    let syn::Type::Path(p) = ty else {
        return None;
    };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

fn last_name(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(p) = ty else {
        return None;
    };
    Some(p.path.segments.last()?.ident.to_string())
}

/// The discriminator's member name and the variants, when every variant is a struct (or a
/// newtype around one) with a constant member of that one name, and the values differ.
fn discriminator(
    e: &syn::ItemEnum,
    tags: &BTreeMap<String, Vec<(String, String)>>,
    newtypes: &BTreeMap<String, (syn::Type, bool)>,
) -> Option<(String, Vec<Variant>)> {
    let mut per_variant = Vec::new();
    for v in &e.variants {
        let syn::Fields::Unnamed(fields) = &v.fields else {
            return None;
        };
        let [field] = fields.unnamed.iter().collect::<Vec<_>>()[..] else {
            return None;
        };
        let name = last_name(&field.ty)?;
        let (decoded, wrapper) = match tags.get(&name) {
            Some(_) => (field.ty.clone(), None),
            None => {
                let (inner, optional) = newtypes.get(&name)?;
                (inner.clone(), Some((field.ty.clone(), *optional)))
            }
        };
        let found = tags.get(&last_name(&decoded)?)?.clone();
        per_variant.push((v.ident.clone(), decoded, wrapper, found));
    }
    // A key every variant has, with distinct values.
    let (_, _, _, first) = per_variant.first()?;
    for (key, _) in first.clone() {
        let values: Vec<Option<String>> = per_variant
            .iter()
            .map(|(_, _, _, t)| t.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()))
            .collect();
        if values.iter().all(Option::is_some) {
            let values: Vec<String> = values.into_iter().flatten().collect();
            let distinct: std::collections::BTreeSet<&String> = values.iter().collect();
            if distinct.len() == values.len() {
                return Some((
                    key,
                    per_variant
                        .into_iter()
                        .zip(values)
                        .map(|((ident, decoded, wrapper, _), value)| Variant {
                            ident,
                            decoded,
                            wrapper,
                            value,
                        })
                        .collect(),
                ));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn unions_with_a_constant_member_decode_by_it() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub enum TimeDeltaType { TimeDelta }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub enum CronExpressionType { CronExpression }
                pub struct TimeDelta { #[serde(rename = "__type")] pub type_: TimeDeltaType, pub days: i64 }
                pub struct CronExpression { #[serde(rename = "__type")] pub type_: CronExpressionType, pub value: String }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone)]
                #[serde(untagged)]
                pub enum ScheduleInterval { TimeDelta(TimeDelta), CronExpression(CronExpression) }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                #[serde(untagged)]
                pub enum Loose { A(String), B(i64) }
            }
        };
        assert_eq!(super::rewrite(&mut file), 1);
        let code = quote::quote!(#file).to_string();
        assert!(
            code.contains("impl crate :: core :: de :: Tagged for ScheduleInterval"),
            "{code}"
        );
        assert!(
            code.contains("const KEY : & 'static str = \"__type\""),
            "{code}"
        );
        assert!(
            code.contains("& [\"TimeDelta\" , \"CronExpression\"]"),
            "{code}"
        );
        assert!(!code.contains("Deserialize , :: serde :: Serialize , Clone) ] # [serde (untagged)] pub enum ScheduleInterval"), "{code}");
        assert!(!code.contains("Tagged for Loose"), "{code}");
    }
}
