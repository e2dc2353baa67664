//! Shapes of progenitor's output that several passes look for.

/// The argument of `<function>(<argument>)`, a call of a function named by one identifier.
pub(crate) fn sole_argument<'a>(expr: &'a syn::Expr, function: &str) -> Option<&'a syn::Expr> {
    let syn::Expr::Call(call) = expr else {
        return None;
    };
    let syn::Expr::Path(path) = call.func.as_ref() else {
        return None;
    };
    (path.path.is_ident(function) && call.args.len() == 1).then(|| &call.args[0])
}

/// `<value>` of `<value>.to_string()`.
pub(crate) fn to_string_of(expr: &syn::Expr) -> Option<&syn::Expr> {
    let syn::Expr::MethodCall(call) = expr else {
        return None;
    };
    (call.method == "to_string" && call.args.is_empty()).then(|| call.receiver.as_ref())
}

/// The last two names of a called path: `(ResponseValue, from_response)` of
/// `progenitor_client::ResponseValue::from_response(…)`.
pub(crate) fn last_two(call: &syn::ExprCall) -> Option<(&syn::Ident, &syn::Ident)> {
    let syn::Expr::Path(function) = call.func.as_ref() else {
        return None;
    };
    let mut segments = function.path.segments.iter().rev();
    let name = segments.next()?;
    Some((&segments.next()?.ident, &name.ident))
}

/// The text of `imp` up to its first `{`: its attributes, generics, trait and type, as the
/// whole impl would print them, without printing its items (most of its size).
pub(crate) fn impl_head(imp: &syn::ItemImpl) -> String {
    let head = syn::ItemImpl {
        attrs: imp.attrs.clone(),
        modifiers: imp.modifiers.clone(),
        unsafety: imp.unsafety,
        impl_token: imp.impl_token,
        generics: imp.generics.clone(),
        trait_: imp.trait_.clone(),
        self_ty: imp.self_ty.clone(),
        brace_token: imp.brace_token,
        items: Vec::new(),
    };
    let text = quote::quote!(#head).to_string();
    text.split('{').next().unwrap_or_default().to_string()
}

/// Removes `Deserialize` (however the path is spelt) from an item's `#[derive(…)]` lists, for a
/// pass that writes the impl itself.
pub(crate) fn drop_deserialize_derive(attrs: &mut [syn::Attribute]) {
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        if let syn::Meta::List(list) = &mut attr.meta {
            let kept: Vec<String> = list
                .tokens
                .to_string()
                .split(',')
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty() && !d.ends_with("Deserialize"))
                .collect();
            list.tokens = kept.join(", ").parse().expect("derive paths parse");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn shapes_are_found() {
        let call: syn::Expr = syn::parse_quote!(encode_path(&id.to_string()));
        let syn::Expr::Reference(arg) = super::sole_argument(&call, "encode_path").unwrap() else {
            panic!("a reference");
        };
        let value = super::to_string_of(&arg.expr).unwrap();
        assert_eq!(quote::quote!(#value).to_string(), "id");
        assert!(super::sole_argument(&call, "Err").is_none());
        let syn::Expr::Call(decode) = syn::parse_quote!(a::ResponseValue::empty(r)) else {
            panic!("a call");
        };
        let (ty, name) = super::last_two(&decode).unwrap();
        assert_eq!(
            (ty.to_string(), name.to_string()),
            ("ResponseValue".into(), "empty".into())
        );
    }

    #[test]
    fn an_impl_head_is_what_the_whole_impl_prints_before_its_body() {
        let imp: syn::ItemImpl = syn::parse_quote! {
            #[doc = "x"]
            impl<'a> ::std::convert::TryFrom<Thing<'a>> for super::Thing where 'a: 'static {
                type Error = String;
                fn try_from(v: Thing<'a>) -> Result<Self, String> { todo!() }
            }
        };
        let whole = quote::quote!(#imp).to_string();
        assert_eq!(super::impl_head(&imp), whole.split('{').next().unwrap());
        assert!(super::impl_head(&imp).contains("TryFrom < Thing < 'a > > for super :: Thing"));
    }
}
