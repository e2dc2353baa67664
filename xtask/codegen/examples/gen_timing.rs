//! Times client generation (checks + progenitor + dataplat's rewrites) for each
//! `specs/*/effective.json` given on the command line; prints `name seconds` lines.
//! `cargo xtask bench` runs it in release mode, as build.rs runs with optimised build deps.
//! With `GEN_OUT=<folder>` it also writes each generated file there.

fn main() {
    // `GEN_OUT=<folder>`: also writes each generated file there, so that a change to the
    // generator that should not change its output can be checked byte for byte (`cmp -r`).
    let out = std::env::var_os("GEN_OUT");
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).expect("readable spec");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON spec");
        let started = std::time::Instant::now();
        let generated = dataplat_codegen::generate(&path, &doc).expect("spec generates");
        if let Some(dir) = &out {
            let name = format!("{}.rs", path.replace('/', "_"));
            std::fs::write(std::path::Path::new(dir).join(name), &generated.code)
                .expect("GEN_OUT is a writable folder");
        }
        println!(
            "{path} {:.3} {} {}",
            started.elapsed().as_secs_f64(),
            generated.operations,
            generated.streams
        );
    }
}
