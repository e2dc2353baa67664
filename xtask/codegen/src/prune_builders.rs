//! Keeps the type builders a request can use, and drops the others.
//!
//! typify writes a builder for every struct (`types::builder::X`, with a setter per member,
//! `TryFrom<builder::X> for X`, `From<X> for builder::X`, and `X::builder()`): about a quarter
//! of the generated code, which the compiler type-checks and borrow-checks on every build. A
//! request uses them for its body (`body_map`) and the objects nested in it, so the builders
//! of the types a request body reaches are kept and the others (answer-only types) removed. An
//! answer type is built, where a test must, with a struct literal (`..Default::default()`) or
//! from JSON.

use std::collections::BTreeSet;

use quote::quote;

/// Removes the builders no operation builder refers to; returns how many remain.
pub fn prune(file: &mut syn::File) -> usize {
    // `types::builder::X` as operation builders (top-level `builder`) mention them.
    let mut used = BTreeSet::new();
    for item in file.items.iter_mut() {
        if let syn::Item::Mod(m) = item
            && m.ident == "builder"
        {
            let mut mentions = Mentions(&mut used);
            syn::visit_mut::VisitMut::visit_item_mod_mut(&mut mentions, m);
        }
    }
    let Some(types) = crate::keep_unknown::types_module(file) else {
        return 0;
    };
    // And every type those reach through their members (a request's nested objects), and
    // through the variants of the unions among them.
    let mut members: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    let words = |tokens: String| -> BTreeSet<String> {
        pieces(&tokens)
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    for item in types.iter() {
        match item {
            syn::Item::Struct(st) => {
                let fields = &st.fields;
                members.insert(st.ident.to_string(), words(quote!(#fields).to_string()));
            }
            syn::Item::Enum(en) => {
                let variants = &en.variants;
                members.insert(en.ident.to_string(), words(quote!(#variants).to_string()));
            }
            _ => {}
        }
    }
    let mut stack: Vec<String> = used.iter().cloned().collect();
    while let Some(name) = stack.pop() {
        for next in members.get(&name).cloned().unwrap_or_default() {
            if members.contains_key(&next) && used.insert(next.clone()) {
                stack.push(next);
            }
        }
    }
    // `impl X { pub fn builder() -> builder::X { … } }` of the others.
    for item in types.iter_mut() {
        if let syn::Item::Impl(imp) = item
            && imp.trait_.is_none()
            && let Some(name) = single_name(&imp.self_ty)
            && !used.contains(&name)
        {
            imp.items
                .retain(|i| !matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "builder"));
        }
    }
    types.retain(|item| !matches!(item, syn::Item::Impl(imp) if imp.items.is_empty() && imp.trait_.is_none()));
    let mut kept = 0;
    for item in types.iter_mut() {
        if let syn::Item::Mod(m) = item
            && m.ident == "builder"
            && let Some((_, items)) = &mut m.content
        {
            items.retain(|item| match item {
                syn::Item::Struct(s) => used.contains(&s.ident.to_string()),
                syn::Item::Impl(imp) => {
                    // `impl X`, `impl Default for X`, `impl TryFrom<X> for super::X`,
                    // `impl From<super::X> for X`: all about builder X.
                    pieces(&crate::syntax::impl_head(imp)).any(|word| used.contains(word))
                }
                _ => true,
            });
            kept = items
                .iter()
                .filter(|i| matches!(i, syn::Item::Struct(_)))
                .count();
        }
    }
    kept
}

/// Collects `X` of every `types::builder::X` it visits: in paths, and in the text of macros
/// (whose tokens are not parsed into paths).
struct Mentions<'a>(&'a mut BTreeSet<String>);

impl syn::visit_mut::VisitMut for Mentions<'_> {
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        let names: Vec<&syn::Ident> = path.segments.iter().map(|s| &s.ident).collect();
        for window in names.windows(3) {
            if window[0] == "types" && window[1] == "builder" {
                self.0.insert(window[2].to_string());
            }
        }
        syn::visit_mut::visit_path_mut(self, path);
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        let text = mac.tokens.to_string();
        for piece in text.split("types :: builder :: ").skip(1) {
            if let Some(name) = pieces(piece).next() {
                self.0.insert(name.to_string());
            }
        }
        syn::visit_mut::visit_macro_mut(self, mac);
    }
}

/// `text` split around everything that cannot be part of a name (empty pieces included).
fn pieces(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
}

fn single_name(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(p) = ty else {
        return None;
    };
    (p.path.segments.len() == 1).then(|| p.path.segments[0].ident.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_request_body_builders_stay() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Thing { pub a: i64 }
                impl Thing { pub fn builder() -> builder::Thing { Default::default() } }
                pub struct NewThing { pub a: i64 }
                impl NewThing { pub fn builder() -> builder::NewThing { Default::default() } }
                pub mod builder {
                    pub struct Thing { a: Result<i64, String> }
                    impl Thing { pub fn a(self) -> Self { self } }
                    impl ::std::convert::TryFrom<Thing> for super::Thing { type Error = String; fn try_from(v: Thing) -> Result<Self, String> { todo!() } }
                    pub struct NewThing { a: Result<i64, String> }
                    impl NewThing { pub fn a(self) -> Self { self } }
                    impl ::std::convert::TryFrom<NewThing> for super::NewThing { type Error = String; fn try_from(v: NewThing) -> Result<Self, String> { todo!() } }
                }
            }
            pub mod builder {
                pub struct CreateThing<'a> { body: Result<types::builder::NewThing, String> }
            }
        };
        assert_eq!(super::prune(&mut file), 1);
        let code = quote::quote!(#file).to_string();
        assert!(code.contains("pub struct NewThing { a : Result"), "{code}");
        assert!(!code.contains("pub struct Thing { a : Result"), "{code}");
        assert!(!code.contains("TryFrom < Thing >"), "{code}");
        assert!(code.contains("impl NewThing { pub fn builder"), "{code}");
        assert!(!code.contains("impl Thing { pub fn builder"), "{code}");
    }

    #[test]
    fn mentions_are_found_in_longer_paths_and_in_macros() {
        let mut module: syn::ItemMod = syn::parse_quote! {
            pub mod builder {
                pub struct A { body: Result<super::types::builder::First, String> }
                fn f() { let _ = vec![types::builder::Second::default()]; }
                fn g() -> types::Third { todo!() }
            }
        };
        let mut used = std::collections::BTreeSet::new();
        syn::visit_mut::VisitMut::visit_item_mod_mut(&mut super::Mentions(&mut used), &mut module);
        assert_eq!(
            used.into_iter().collect::<Vec<_>>(),
            ["First".to_string(), "Second".to_string()]
        );
    }
}
