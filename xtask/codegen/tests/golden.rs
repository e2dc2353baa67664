//! The whole pipeline (checks, progenitor, every pass) on a small document that exercises each
//! pass, compared with a committed snapshot: a progenitor upgrade shows its effect as a diff
//! (`cargo insta review` to accept it), and the pass counts must match what the document
//! implies.

#[test]
fn the_golden_document_generates_the_committed_code() {
    let text = include_str!("golden/spec.json");
    let doc: serde_json::Value = serde_json::from_str(text).unwrap();
    let generated = dataplat_codegen::generate("golden/spec.json", &doc)
        .unwrap_or_else(|problems| panic!("{problems:#?}"));
    assert_eq!(generated.operations, 4);
    assert_eq!(generated.streams, 1);
    // Every pass rewrote something here, and the counted ones what the document implies.
    for pass in &generated.passes {
        assert!(pass.rewritten > 0, "{pass:?}");
        if let Some(expected) = pass.expected {
            assert_eq!(pass.rewritten, expected, "{pass:?}");
        }
    }
    insta::assert_snapshot!("golden", generated.code);
}
