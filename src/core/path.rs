//! Path parameters, percent-encoded as the URL is formatted.

use std::fmt;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// What progenitor encodes in a path parameter: the URL standard's path-segment set
/// (<https://url.spec.whatwg.org/#url-path-segment-string>) with `/` and `%`, as
/// `progenitor_client::encode_path` has it.
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
    .add(b'%');

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

#[cfg(test)]
mod tests {
    use super::Segment;

    #[test]
    fn segments_encode_as_progenitor_does() {
        for text in [
            "w-1",
            "a b/c?d#e%f",
            "名前 ünïcode",
            "{x}<y>`z`\"q\"",
            "\u{7f}\u{1}tab\t",
            "",
        ] {
            assert_eq!(
                format!("{}", Segment(text)),
                progenitor_client::encode_path(text),
                "{text:?}"
            );
        }
        let id = uuid::Uuid::nil();
        assert_eq!(
            format!("/x/{}", Segment(&id)),
            format!("/x/{}", progenitor_client::encode_path(&id.to_string()))
        );
        assert_eq!(format!("{}", Segment(&-42i64)), "-42");
    }
}
