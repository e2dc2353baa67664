//! Gives every operation builder its per-call options, handed to the request path with the
//! request (no task-local beside the call).
//!
//! Each operation builder (a struct of `builder` whose impl has `send_raw`) gets a field
//! `options: crate::core::CallOptions`, starting at the default, a `with_options` method, and
//! its `send_raw` passes the options to `dispatch_request` (which the `dispatch` pass wrote).

use syn::visit_mut::VisitMut;

/// Rewrites every operation builder; the error says which part of one was not found.
pub fn rewrite(file: &mut syn::File) -> Result<usize, String> {
    let Some(builder) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }) else {
        return Ok(0);
    };
    // The builders: the self types of impls that have a `send_raw`.
    let mut names = std::collections::BTreeSet::new();
    for item in builder.iter() {
        if let syn::Item::Impl(imp) = item
            && imp.trait_.is_none()
            && imp
                .items
                .iter()
                .any(|i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "send_raw"))
            && let syn::Type::Path(p) = imp.self_ty.as_ref()
            && let Some(last) = p.path.segments.last()
        {
            names.insert(last.ident.to_string());
        }
    }
    let mut done = 0;
    let mut problems = Vec::new();
    for item in builder.iter_mut() {
        match item {
            syn::Item::Struct(s) if names.contains(&s.ident.to_string()) => {
                if let syn::Fields::Named(fields) = &mut s.fields {
                    fields.named.push(syn::parse_quote! {
                        options: crate::core::CallOptions
                    });
                }
            }
            syn::Item::Impl(imp)
                if imp.trait_.is_none()
                    && matches!(imp.self_ty.as_ref(), syn::Type::Path(p)
                        if p.path.segments.last().is_some_and(|l| names.contains(&l.ident.to_string()))) =>
            {
                let mut pass = Pass::default();
                pass.visit_item_impl_mut(imp);
                if !(pass.literal && pass.pattern && pass.call) {
                    problems.push(format!(
                        "{} (new: {}, destructuring: {}, dispatch call: {})",
                        crate::syntax::impl_head(imp).trim(),
                        pass.literal,
                        pass.pattern,
                        pass.call
                    ));
                    continue;
                }
                imp.items.push(syn::parse_quote! {
                    /// Per-call options (retrying a POST, the call's or each attempt's time
                    /// limit, attempts), instead of the client's.
                    pub fn with_options(mut self, options: crate::core::CallOptions) -> Self {
                        self.options = options;
                        self
                    }
                });
                done += 1;
            }
            _ => {}
        }
    }
    if !problems.is_empty() {
        return Err(format!(
            "the call_options pass could not wire these builders (has progenitor changed its builders?): {}",
            problems.join("; ")
        ));
    }
    if done != names.len() {
        return Err(format!(
            "the call_options pass wired {done} of {} builders",
            names.len()
        ));
    }
    Ok(done)
}

#[derive(Default)]
struct Pass {
    /// `Self { client: client, … }` in `new` got `options`.
    literal: bool,
    /// `let Self { client, … } = self;` in `send_raw` got `options`.
    pattern: bool,
    /// `client.dispatch_request(request, &info)` got `&options`.
    call: bool,
}

impl VisitMut for Pass {
    fn visit_expr_struct_mut(&mut self, e: &mut syn::ExprStruct) {
        if e.path.is_ident("Self")
            && e.fields
                .iter()
                .any(|f| matches!(&f.member, syn::Member::Named(n) if n == "client"))
        {
            e.fields
                .push(syn::parse_quote!(options: ::std::default::Default::default()));
            self.literal = true;
        }
        syn::visit_mut::visit_expr_struct_mut(self, e);
    }

    fn visit_pat_struct_mut(&mut self, p: &mut syn::PatStruct) {
        if p.path.is_ident("Self") {
            let syn::Pat::Struct(with) = syn::parse_quote!(Self { options }) else {
                unreachable!("a struct pattern parses as one");
            };
            p.fields.extend(with.fields);
            self.pattern = true;
        }
        syn::visit_mut::visit_pat_struct_mut(self, p);
    }

    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        if call.method == "dispatch_request" && call.args.len() == 2 {
            call.args.push(syn::parse_quote!(&options));
            self.call = true;
        }
        syn::visit_mut::visit_expr_method_call_mut(self, call);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn builders_carry_their_options_to_the_request_path() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod builder {
                pub struct GetThing<'a> { client: &'a super::Client, id: Result<String, String> }
                impl<'a> GetThing<'a> {
                    pub fn new(client: &'a super::Client) -> Self {
                        Self { client: client, id: Err(String::new()) }
                    }
                    pub async fn send_raw(self) -> Result<ResponseValue<()>, Error<()>> {
                        let Self { client, id } = self;
                        let response = client.dispatch_request(request, &info).await?;
                        Ok(crate::core::decode::empty(response))
                    }
                }
            }
        };
        assert_eq!(super::rewrite(&mut file), Ok(1));
        let code = quote::quote!(#file).to_string();
        for part in [
            "options : crate :: core :: CallOptions",
            "options : :: std :: default :: Default :: default ()",
            "let Self { client , id , options } = self",
            "dispatch_request (request , & info , & options)",
            "pub fn with_options (mut self , options : crate :: core :: CallOptions)",
        ] {
            assert!(code.contains(part), "{part} missing: {code}");
        }
    }
}
