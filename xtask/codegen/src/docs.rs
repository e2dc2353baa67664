//! Vendor descriptions become Rust docs; their untagged code fences (curl lines, Python, JSON)
//! would otherwise be compiled by rustdoc as Rust doctests. Tag them `text`.

use syn::visit_mut::VisitMut;

/// Tags every untagged opening fence in the file's doc attributes.
/// Tags the code fences of every doc comment; returns how many comments changed.
pub fn tag_code_fences(file: &mut syn::File) -> usize {
    let mut tagger = FenceTagger(0);
    tagger.visit_file_mut(file);
    tagger.0
}

struct FenceTagger(usize);

impl VisitMut for FenceTagger {
    fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
        if !attr.path().is_ident("doc") {
            return;
        }
        if let syn::Meta::NameValue(nv) = &mut attr.meta
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &mut nv.value
        {
            let text = s.value();
            let tagged = tag(&text);
            if tagged != text {
                self.0 += 1;
                *s = syn::LitStr::new(&tagged, s.span());
            }
        }
    }
}

/// Opening fences without an info string get `text`; closing fences stay as they are.
fn tag(doc: &str) -> String {
    let mut open = false;
    let mut out: Vec<String> = Vec::new();
    for line in doc.split('\n') {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            if !open && info.trim().is_empty() {
                let indent = &line[..line.len() - trimmed.len()];
                out.push(format!("{indent}```text"));
                open = true;
                continue;
            }
            open = !open;
        }
        out.push(line.to_string());
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn opening_fences_only() {
        assert_eq!(
            super::tag("a\n```\ncurl x\n```\nb"),
            "a\n```text\ncurl x\n```\nb"
        );
        assert_eq!(super::tag("```python\nx\n```"), "```python\nx\n```");
        assert_eq!(super::tag("  ```\n  y\n  ```"), "  ```text\n  y\n  ```");
    }
}
