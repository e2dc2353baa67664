//! Decoding members from servers that write JSON loosely, for documents that ask for it
//! (`x-dataplat-php-empty`: see `dataplat_codegen`'s `keep_unknown` pass). PHP's `json_encode`
//! writes an empty map as `[]`; some servers write an empty object as `""`, or store an object
//! as JSON text. The generated decoders read map-typed members through [`Php`].

use serde::Deserialize;
use serde_json::Value;

/// What a string in place of an object means, from a server that writes JSON loosely.
pub(crate) enum Loose<'a> {
    /// `""`: an object with no members.
    Empty,
    /// JSON text holding an object: that object.
    Json(&'a str),
    /// Anything else: not an object.
    Other,
}

/// Classifies a string sent where an object belongs (the one place that says which strings
/// count as objects, for [`Php`] and `core::de::object_php`).
pub(crate) fn loose(text: &str) -> Loose<'_> {
    if text.is_empty() {
        Loose::Empty
    } else if text.trim_start().starts_with('{') {
        Loose::Json(text)
    } else {
        Loose::Other
    }
}

/// A member of type `T` (a map, or an optional one) that may also arrive as `[]`, `""` (both
/// meaning empty) or a string holding a JSON object.
pub struct Php<T>(pub T);

impl<'de, T> Deserialize<'de> for Php<T>
where
    T: serde::de::DeserializeOwned + Default,
{
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = Value::deserialize(deserializer)?;
        let value = match value {
            Value::Array(items) if items.is_empty() => return Ok(Php(T::default())),
            Value::String(text) => match loose(&text) {
                Loose::Empty => return Ok(Php(T::default())),
                Loose::Json(json) => serde_json::from_str(json).map_err(D::Error::custom)?,
                Loose::Other => Value::String(text),
            },
            other => other,
        };
        T::deserialize(value).map(Php).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::Php;
    type M = serde_json::Map<String, serde_json::Value>;

    #[test]
    fn empty_arrays_strings_and_json_text_are_maps() {
        for (text, len) in [
            ("[]", 0),
            ("\"\"", 0),
            ("{\"a\":1}", 1),
            ("\"{\\\"a\\\":1}\"", 1),
        ] {
            let Php(m): Php<M> = serde_json::from_str(text).unwrap();
            assert_eq!(m.len(), len, "{text}");
        }
        let Php(none): Php<Option<M>> = serde_json::from_str("null").unwrap();
        assert!(none.is_none());
        assert!(serde_json::from_str::<Php<M>>("[1]").is_err());
        assert!(serde_json::from_str::<Php<M>>("\"text\"").is_err());
    }
}
