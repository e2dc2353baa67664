//! Sends every generated request through one call into dataplat's request path.
//!
//! progenitor hands a request to its three `ClientHooks` in turn:
//!
//! ```text
//! client.pre(&mut request, &info).await?;
//! let result = client.exec(request, &info).await;
//! client.post(&result, &info).await?;
//! let response = result?;
//! ```
//!
//! Each hook is its own future and `exec` must answer a `reqwest::Response`, so the body the
//! request path read had to travel inside the response's extension map (an allocation and a
//! hash insert per call). These four statements become one
//! `let response = client.dispatch_request(request, &info).await?;`, which answers the
//! request path's own `Answer` (`crate::core::decode`), and the `ClientHooks` assertion goes:
//! the crate implements no hooks, so a call this pass missed does not compile.

use quote::quote;
use syn::visit_mut::VisitMut;

/// Rewrites every operation; the error says what was left as progenitor wrote it.
pub fn rewrite(file: &mut syn::File) -> Result<usize, String> {
    file.items.retain(|item| !asserts_client_hooks(item));
    let mut pass = Pass {
        rewritten: 0,
        left: Vec::new(),
    };
    pass.visit_file_mut(file);
    if !pass.left.is_empty() {
        return Err(format!(
            "the dispatch pass found progenitor hook calls it does not know how to rewrite \
             (has progenitor changed how it calls its hooks?): {}",
            pass.left.join("; ")
        ));
    }
    Ok(pass.rewritten)
}

struct Pass {
    rewritten: usize,
    left: Vec<String>,
}

impl VisitMut for Pass {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let mut i = 0;
        while i + 4 <= block.stmts.len() {
            match one_call(&block.stmts[i..i + 4]) {
                Some(stmt) => {
                    block.stmts.splice(i..i + 4, [stmt]);
                    self.rewritten += 1;
                }
                None => i += 1,
            }
        }
        syn::visit_mut::visit_block_mut(self, block);
    }

    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        // reqwest's own `client.post(url)` has one argument; the hooks have two.
        if ["pre", "exec", "post"].contains(&call.method.to_string().as_str())
            && call.args.len() == 2
        {
            self.left.push(quote!(#call).to_string());
        }
        syn::visit_mut::visit_expr_method_call_mut(self, call);
    }
}

/// progenitor's `const _: () = { fn assert_client_hooks() where Client: ClientHooks<…> {} };`
fn asserts_client_hooks(item: &syn::Item) -> bool {
    matches!(item, syn::Item::Const(c) if quote!(#c).to_string().contains("assert_client_hooks"))
}

/// The one statement for progenitor's four, when `stmts` are those four.
fn one_call(stmts: &[syn::Stmt]) -> Option<syn::Stmt> {
    let [pre, exec, post, unwrap] = stmts else {
        return None;
    };
    let (client, pre_args) = awaited_call(expr_stmt(pre)?, "pre", true)?;
    let result = local_name(exec)?;
    let (_, exec_args) = awaited_call(local_init(exec)?, "exec", false)?;
    let (_, post_args) = awaited_call(expr_stmt(post)?, "post", true)?;
    let response = &local_pat(unwrap)?;
    let syn::Expr::Try(tried) = local_init(unwrap)? else {
        return None;
    };
    let (request, info) = (&exec_args[0], &exec_args[1]);
    // The same request, info and result name all through, as progenitor writes them.
    let same = |a: &syn::Expr, b: &syn::Expr| quote!(#a).to_string() == quote!(#b).to_string();
    let mutable_request: syn::Expr = syn::parse_quote!(&mut #request);
    let borrowed_result: syn::Expr = syn::parse_quote!(&#result);
    let unwrapped = &tried.expr;
    let unwrapped_result: syn::Expr = syn::parse_quote!(#result);
    if !(same(&pre_args[0], &mutable_request)
        && same(&pre_args[1], info)
        && same(&post_args[0], &borrowed_result)
        && same(&post_args[1], info)
        && same(unwrapped, &unwrapped_result))
    {
        return None;
    }
    Some(syn::parse_quote! {
        let #response = #client.dispatch_request(#request, #info).await?;
    })
}

/// `<client>.<method>(a, b).await` (with a `?` when `tried`): the client and the two arguments.
fn awaited_call(
    expr: &syn::Expr,
    method: &str,
    tried: bool,
) -> Option<(syn::Expr, Vec<syn::Expr>)> {
    let expr = match (tried, expr) {
        (true, syn::Expr::Try(t)) => t.expr.as_ref(),
        (false, e) => e,
        _ => return None,
    };
    let syn::Expr::Await(awaited) = expr else {
        return None;
    };
    let syn::Expr::MethodCall(call) = awaited.base.as_ref() else {
        return None;
    };
    if call.method != method || call.args.len() != 2 {
        return None;
    }
    Some((
        (*call.receiver).clone(),
        call.args.iter().cloned().collect(),
    ))
}

fn expr_stmt(stmt: &syn::Stmt) -> Option<&syn::Expr> {
    match stmt {
        syn::Stmt::Expr(e, Some(_)) => Some(e),
        _ => None,
    }
}

fn local_init(stmt: &syn::Stmt) -> Option<&syn::Expr> {
    match stmt {
        syn::Stmt::Local(syn::Local {
            init: Some(init), ..
        }) => Some(&init.expr),
        _ => None,
    }
}

fn local_pat(stmt: &syn::Stmt) -> Option<syn::Pat> {
    match stmt {
        syn::Stmt::Local(local) => Some(local.pat.clone()),
        _ => None,
    }
}

fn local_name(stmt: &syn::Stmt) -> Option<syn::Ident> {
    match local_pat(stmt)? {
        syn::Pat::Ident(p) => Some(p.ident),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    fn file() -> syn::File {
        syn::parse_quote! {
            const _: () = {
                #[allow(dead_code)]
                fn assert_client_hooks()
                where
                    Client: ClientHooks<crate::core::Context>,
                {}
            };
            impl<'a> GetThing<'a> {
                pub async fn send_raw(self) -> Result<ResponseValue<types::Thing>, Error<()>> {
                    let info = OperationInfo { operation_id: "get_thing" };
                    client.pre(&mut request, &info).await?;
                    let result = client.exec(request, &info).await;
                    client.post(&result, &info).await?;
                    let response = result?;
                    match response.status().as_u16() {
                        200u16 => crate::core::decode::from_response(response),
                        _ => Err(Error::UnexpectedResponse(crate::core::decode::with_body(response))),
                    }
                }
            }
            impl<'a> WaitResult<'a> {
                pub async fn send_raw(self) -> Result<ResponseValue<()>, Error<()>> {
                    let info = OperationInfo { operation_id: "wait_result" };
                    client.pre(&mut request, &info).await?;
                    let _result = client.exec(request, &info).await;
                    client.post(&_result, &info).await?;
                    let response = _result?;
                    Ok(crate::core::decode::empty(response))
                }
            }
        }
    }

    #[test]
    fn four_hook_statements_become_one_dispatch() {
        let mut file = file();
        assert_eq!(super::rewrite(&mut file), Ok(2));
        let code = quote::quote!(#file).to_string();
        assert_eq!(
            code.matches("let response = client . dispatch_request (request , & info) . await ? ;")
                .count(),
            2,
            "{code}"
        );
        for gone in [
            "assert_client_hooks",
            ". pre (",
            ". exec (",
            ". post (",
            "let result",
            "let _result",
        ] {
            assert!(!code.contains(gone), "{gone} in {code}");
        }
    }

    #[test]
    fn an_unknown_hook_sequence_fails_the_generation() {
        let mut file: syn::File = syn::parse_quote! {
            async fn send_raw() {
                client.pre(&mut request, &info).await?;
                let response = client.exec(request, &info).await?;
            }
        };
        let error = super::rewrite(&mut file).unwrap_err();
        assert!(
            error.contains("client . pre (& mut request , & info)"),
            "{error}"
        );
        assert!(
            error.contains("client . exec (request , & info)"),
            "{error}"
        );
    }
}
