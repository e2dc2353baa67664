//! One match arm per distinct outcome, not per status code.
//!
//! progenitor writes one arm per documented status, so an operation that documents 401, 403
//! and 404 with the same error body decodes it in three copies of the same arm (about 2,700
//! such arms over the six APIs). Arms whose patterns are integer literals and whose bodies are
//! the same become one arm, `401u16 | 403u16 | 404u16 => …`: the same behaviour, with less
//! code for the compiler to check and build.
//!
//! Literal patterns are disjoint, so moving one to an earlier arm with the same body changes
//! nothing, as long as no arm between them matches more than literals (a range, `_`, a
//! guard): an arm is only merged into one after the last such arm.

use std::collections::BTreeSet;

use quote::ToTokens;
use syn::visit_mut::VisitMut;

/// Merges the arms of every `match` in `file`; returns how many arms were merged away.
pub fn rewrite(file: &mut syn::File) -> usize {
    let mut pass = Pass { merged: 0 };
    pass.visit_file_mut(file);
    pass.merged
}

struct Pass {
    merged: usize,
}

impl VisitMut for Pass {
    fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
        syn::visit_mut::visit_expr_match_mut(self, m);
        self.merged += merge(&mut m.arms);
    }
}

/// The integer literals an arm's pattern consists of, or `None` when it matches anything else.
fn literals(pat: &syn::Pat) -> Option<Vec<String>> {
    match pat {
        syn::Pat::Lit(lit) if lit.attrs.is_empty() && matches!(lit.lit, syn::Lit::Int(_)) => {
            Some(vec![lit.lit.to_token_stream().to_string()])
        }
        syn::Pat::Or(or) if or.attrs.is_empty() => {
            let mut all = Vec::new();
            for case in &or.cases {
                all.extend(literals(case)?);
            }
            Some(all)
        }
        _ => None,
    }
}

/// Merges `arms` in place; returns how many went.
fn merge(arms: &mut Vec<syn::Arm>) -> usize {
    if arms.len() < 2 {
        return 0;
    }
    let mut kept: Vec<(syn::Arm, Option<String>)> = Vec::with_capacity(arms.len());
    // Arms before this index may not take a later literal: a wider arm lies between.
    let mut barrier = 0;
    let mut seen = BTreeSet::new();
    let mut merged = 0;
    for arm in arms.drain(..) {
        let Some(values) = literals(&arm.pat).filter(|_| arm.attrs.is_empty()) else {
            kept.push((arm, None));
            barrier = kept.len();
            continue;
        };
        // A value matched twice is an unreachable arm progenitor would not write; left as is.
        let fresh = values.iter().all(|v| !seen.contains(v));
        seen.extend(values);
        let body = arm.body.to_token_stream().to_string();
        let target = kept[barrier..]
            .iter()
            .position(|(_, b)| b.as_deref() == Some(body.as_str()));
        match target {
            Some(at) if fresh => {
                join(&mut kept[barrier + at].0.pat, arm.pat);
                merged += 1;
            }
            _ => kept.push((arm, Some(body))),
        }
    }
    arms.extend(kept.into_iter().map(|(arm, _)| arm));
    merged
}

/// `into | case`.
fn join(into: &mut syn::Pat, case: syn::Pat) {
    if let syn::Pat::Or(or) = into {
        or.cases.push(case);
        return;
    }
    let first = std::mem::replace(into, syn::Pat::Verbatim(Default::default()));
    let mut cases = syn::punctuated::Punctuated::new();
    cases.push(first);
    cases.push(case);
    *into = syn::Pat::Or(syn::PatOr {
        attrs: Vec::new(),
        leading_vert: None,
        cases,
    });
}

#[cfg(test)]
mod tests {
    fn merged(code: syn::ExprMatch) -> (usize, String) {
        let mut file: syn::File = syn::parse_quote! { fn f() { #code; } };
        let n = super::rewrite(&mut file);
        (n, prettyplease::unparse(&file))
    }

    #[test]
    fn literal_arms_with_the_same_body_become_one() {
        let (n, code) = merged(syn::parse_quote! {
            match status {
                200u16 => ok(response),
                401u16 => Err(Error::ErrorResponse(decode(response)?)),
                403u16 => Err(Error::ErrorResponse(decode(response)?)),
                404u16 => Err(Error::ErrorResponse(decode(response)?)),
                409u16 => Err(Error::Conflict(decode(response)?)),
                _ => Err(Error::UnexpectedResponse(response)),
            }
        });
        assert_eq!(n, 2, "{code}");
        assert!(
            code.contains("401u16 | 403u16 | 404u16 => Err(Error::ErrorResponse"),
            "{code}"
        );
        assert!(code.contains("409u16 => Err(Error::Conflict"), "{code}");
        assert!(
            code.contains("_ => Err(Error::UnexpectedResponse"),
            "{code}"
        );
    }

    #[test]
    fn no_arm_moves_past_a_range_wildcard_or_guard() {
        let (n, code) = merged(syn::parse_quote! {
            match status {
                404u16 => a(),
                400u16..=499u16 => b(),
                402u16 => a(),
                x if x > 600 => a(),
                601u16 => a(),
                _ => c(),
            }
        });
        assert_eq!(n, 0, "{code}");
        assert!(code.contains("402u16 => a()"), "{code}");
        assert!(code.contains("601u16 => a()"), "{code}");
    }

    #[test]
    fn a_value_matched_twice_is_left_alone() {
        let (n, code) = merged(syn::parse_quote! {
            match status {
                1u16 => a(),
                2u16 => b(),
                1u16 => b(),
                _ => c(),
            }
        });
        assert_eq!(n, 0, "{code}");
    }
}
