//! Times client generation (checks + progenitor + dataplat's rewrites) for each
//! `specs/*/effective.json` given on the command line; prints `name seconds` lines.
//! `cargo xtask bench` runs it in release mode, as build.rs runs with optimised build deps.

fn main() {
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).expect("readable spec");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON spec");
        let started = std::time::Instant::now();
        let generated = dataplat_codegen::generate(&path, &doc).expect("spec generates");
        println!(
            "{path} {:.3} {} {}",
            started.elapsed().as_secs_f64(),
            generated.operations,
            generated.streams
        );
    }
}
