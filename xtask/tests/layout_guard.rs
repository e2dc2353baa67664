//! The shared core names no API: what is special about an API is declared in its own folder
//! (`src/<api>/`, its `PROFILE`), so that adding an API never touches `src/core`.

use std::path::Path;

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Whether `word` stands in `text` as a word of its own (any case): `fastrand` does not name
/// Astra.
fn names(text: &str, word: &str) -> bool {
    let text = text.to_ascii_lowercase();
    let word = word.to_ascii_lowercase();
    text.match_indices(&word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let apart = |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_');
        apart(before) && apart(after)
    })
}

#[test]
fn no_file_under_src_core_names_an_api() {
    let root = xtask::layout::repo_root();
    let apis: Vec<String> = std::fs::read_dir(root.join("specs"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().join("source.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(apis.len() >= 6, "the API folders are found: {apis:?}");
    // Vendors' names count too: a rule named after the vendor is still API-specific.
    let vendors = ["starburst", "altinity", "datastax", "astronomer", "edb"];
    let mut files = Vec::new();
    rust_files(&root.join("src/core"), &mut files);
    assert!(files.len() > 10, "src/core is read");
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for word in apis.iter().map(String::as_str).chain(vendors) {
                if names(line, word) {
                    found.push(format!("{}:{}: {word}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "src/core names an API:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_word_match_is_a_word_match() {
    assert!(names("Galaxy's limits", "galaxy"));
    assert!(names("see acm::Client", "acm"));
    assert!(!names("fastrand::f64()", "astra"));
    assert!(!names("airflow3_mode", "airflow"));
}
