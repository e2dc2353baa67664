//! Path parameters: each one exactly one segment, percent-encoded as the URL is formatted.
//!
//! A path parameter must name one resource. Three values cannot, whatever the encoding:
//! - the empty value (`/dags/prod_etl/dagRuns/` is the list, or after a redirect the DAG);
//! - `.` and `..`: URL parsers resolve them as dot segments, and the WHATWG URL standard,
//!   which reqwest's `url` follows, resolves their percent-encoded forms (`%2E`, `%2e%2E`, …)
//!   too, so `DELETE …/dagRuns/..` would delete the DAG.
//!
//! They are refused before anything is sent ([`check`]). Everything else is encoded so that it
//! stays one segment: progenitor's set (`/`, `%`, `?`, `#`, …) plus `\`, which the URL standard
//! treats as `/` in http(s) URLs (`..\x` would otherwise climb a level).

use std::fmt;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// What a path parameter has encoded: the URL standard's path-segment set
/// (<https://url.spec.whatwg.org/#url-path-segment-string>) with `/` and `%`, as
/// `progenitor_client::encode_path` has it, and `\`.
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'\\');

/// A path parameter that writes itself percent-encoded. The generated code formats
/// `Segment(&value)` where progenitor formats `encode_path(&value.to_string())`, which makes
/// two strings per parameter on every call (`dataplat_codegen`'s `path_segments` pass).
pub(crate) struct Segment<'a, T: ?Sized>(pub(crate) &'a T);

impl<T: fmt::Display + ?Sized> fmt::Display for Segment<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        write!(Encoder(f), "{}", self.0)
    }
}

/// Passes on what it is given, percent-encoded.
struct Encoder<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl fmt::Write for Encoder<'_, '_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for piece in utf8_percent_encode(text, PATH_SEGMENT) {
            self.0.write_str(piece)?;
        }
        Ok(())
    }
}

/// An operation's URL, its base and its path with the parameters encoded, formatted into one
/// string of `capacity` bytes (the `path_segments` pass gives the base's length, the path's
/// text and room for each parameter). `format!` sizes its string from the literal text alone
/// and grows it, allocating two or three times, as the base URL and the parameters come.
pub(crate) fn url(capacity: usize, parts: fmt::Arguments<'_>) -> String {
    let mut url = String::with_capacity(capacity);
    // As `format!` does: only a `Display` that fails on its own can make this fail.
    fmt::Write::write_fmt(&mut url, parts)
        .expect("a Display implementation returned an error unexpectedly");
    url
}

/// `Ok` when `value` can be sent as the path parameter `name`: not empty, not `.` or `..` (see
/// the module docs). The generated code checks every path parameter before it builds the URL
/// (the `path_segments` pass). Nothing is allocated for a good value.
pub(crate) fn check<T: fmt::Display + ?Sized>(name: &str, value: &T) -> Result<(), String> {
    use fmt::Write;
    /// Counts what is written, and how much of it is dots.
    struct Shape {
        len: usize,
        dots: usize,
    }
    impl fmt::Write for Shape {
        fn write_str(&mut self, text: &str) -> fmt::Result {
            self.len += text.len();
            self.dots += text.bytes().filter(|b| *b == b'.').count();
            // Longer than `..` is fine whatever it holds: stop counting.
            if self.len > 2 {
                Err(fmt::Error)
            } else {
                Ok(())
            }
        }
    }
    let mut shape = Shape { len: 0, dots: 0 };
    let _ = write!(shape, "{value}");
    let problem = match (shape.len, shape.dots) {
        (0, _) => "is empty",
        (1, 1) => "is `.`",
        (2, 2) => "is `..`",
        _ => return Ok(()),
    };
    Err(format!(
        "path parameter `{name}` {problem}: a path parameter must be exactly one path segment, and this value would address another resource"
    ))
}

#[cfg(test)]
mod tests {
    use super::{Segment, check};

    #[test]
    fn segments_encode_as_progenitor_does_and_backslashes_too() {
        for text in [
            "w-1",
            "a b/c?d#e%f",
            "名前 ünïcode",
            "{x}<y>`z`\"q\"",
            "\u{7f}\u{1}tab\t",
            "",
            "a.b",
        ] {
            assert_eq!(
                format!("{}", Segment(text)),
                progenitor_client::encode_path(text),
                "{text:?}"
            );
        }
        assert_eq!(format!("{}", Segment("..\\x")), "..%5Cx");
        let id = uuid::Uuid::nil();
        assert_eq!(
            format!("/x/{}", Segment(&id)),
            format!("/x/{}", progenitor_client::encode_path(&id.to_string()))
        );
        assert_eq!(format!("{}", Segment(&-42i64)), "-42");
    }

    #[test]
    fn empty_and_dot_values_are_refused() {
        for bad in ["", ".", ".."] {
            let e = check("dag_run_id", bad).unwrap_err();
            assert!(e.contains("`dag_run_id`"), "{e}");
        }
        for good in [
            "...",
            "a",
            "a.",
            ".a",
            "%2E%2E",
            "..\\",
            " ..",
            "x".repeat(1000).as_str(),
        ] {
            assert_eq!(check("p", good), Ok(()), "{good:?}");
        }
        assert_eq!(check("n", &0i64), Ok(()));
    }

    #[test]
    fn what_is_sent_stays_one_segment() {
        // The URL a generated operation builds, parsed as reqwest parses it.
        for value in [
            "...", "%2E%2E", "..\\x", "a/../b", "..%2F", "?x=1", "#f", " ..",
        ] {
            let url = format!("http://h/dags/prod/dagRuns/{}", Segment(value));
            let parsed = url::Url::parse(&url).unwrap();
            let segments: Vec<_> = parsed.path_segments().unwrap().collect();
            assert_eq!(segments.len(), 4, "{value:?} became {parsed}");
            assert_eq!(&segments[..3], ["dags", "prod", "dagRuns"], "{value:?}");
        }
        // Why `.` and `..` are refused rather than encoded: the URL standard undoes it.
        let parsed = url::Url::parse("http://h/dags/prod/dagRuns/%2E%2E").unwrap();
        assert_eq!(parsed.path(), "/dags/prod/");
    }
}
