//! What the generated decoders of every object call (`dataplat_codegen`'s `keep_unknown`
//! pass): one generic function per step instead of the same lines repeated for every member of
//! every type, which the compiler would check again each time.

use serde::Deserialize;
use serde::de::{Error, MapAccess};

use super::tolerant::Loose;

/// Reads the member `key` into its slot; a second one is an error, as serde's derive has it.
#[inline]
pub fn member<'de, T, A>(
    slot: &mut Option<T>,
    map: &mut A,
    key: &'static str,
) -> Result<(), A::Error>
where
    T: Deserialize<'de>,
    A: MapAccess<'de>,
{
    if slot.is_some() {
        return Err(A::Error::duplicate_field(key));
    }
    *slot = Some(map.next_value::<T>()?);
    Ok(())
}

/// [`member`] for a map a loosely writing server may send as `[]`, `""` or JSON text
/// (`core::tolerant`).
#[inline]
pub fn member_php<'de, T, A>(
    slot: &mut Option<T>,
    map: &mut A,
    key: &'static str,
) -> Result<(), A::Error>
where
    T: serde::de::DeserializeOwned + Default,
    A: MapAccess<'de>,
{
    if slot.is_some() {
        return Err(A::Error::duplicate_field(key));
    }
    *slot = Some(map.next_value::<super::tolerant::Php<T>>()?.0);
    Ok(())
}

/// A member the type does not name: kept in `extra`.
#[inline]
pub fn unknown<'de, A>(
    extra: &mut serde_json::Map<String, serde_json::Value>,
    name: String,
    map: &mut A,
    ty: &'static str,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
{
    #[cfg(feature = "fixtures")]
    super::fixtures::unknown_member(ty, &name);
    let _ = ty;
    let value = map.next_value::<serde_json::Value>()?;
    extra.insert(name, value);
    Ok(())
}

/// A required member's value, or the error that says it is missing.
#[inline]
pub fn required<T, E: Error>(slot: Option<T>, key: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(key))
}

/// A struct of the generated `types` that keeps the members its document does not name
/// (`dataplat_codegen`'s `keep_unknown` pass implements it): what [`object`] needs to decode
/// it. The loop over the object's members is written once, here; each type says only which
/// members it has, how each is read, and how the value is built from them.
pub trait Object: Sized {
    /// What a value of the wrong JSON type was expected to be, for messages (`struct Dag`).
    const EXPECTING: &'static str;
    /// The type's name, for `core::fixtures`' record of unknown members.
    const NAME: &'static str;
    /// One `Option` per known member, all `None` before the first member is read.
    type Slots;
    /// The slots of an object with no members read yet.
    fn slots() -> Self::Slots;
    /// The known member a name stands for, by its position, or `None` for an unknown one.
    fn member(name: &str) -> Option<usize>;
    /// Reads the value of known member `index` from `map` into its slot.
    fn read<'de, A: MapAccess<'de>>(
        slots: &mut Self::Slots,
        index: usize,
        map: &mut A,
    ) -> Result<(), A::Error>;
    /// The value, from its slots (defaults for those not sent, an error for a missing
    /// required member) and the unknown members.
    fn build<E: Error>(
        slots: Self::Slots,
        extra: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self, E>;
}

/// Decodes an [`Object`] from a JSON object: every known member into its slot in one pass,
/// every other member into `extra`.
#[inline]
pub fn object<'de, T: Object, D: serde::Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor::<T, false>(std::marker::PhantomData))
}

/// [`object`] for a server that writes JSON loosely (`x-dataplat-php-empty`): an empty array
/// or an empty string is an object with no members, and a string holding a JSON object is
/// that object.
pub fn object_php<'de, T: Object, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_any(ObjectVisitor::<T, true>(std::marker::PhantomData))
}

/// Reads an object's members; with `PHP`, also a loosely writing server's other forms of an
/// object ([`object_php`]). `object` asks for a map only, so the other forms never reach it.
struct ObjectVisitor<T, const PHP: bool>(std::marker::PhantomData<T>);

impl<'de, T: Object, const PHP: bool> serde::de::Visitor<'de> for ObjectVisitor<T, PHP> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(T::EXPECTING)
    }

    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        members(map)
    }

    // PHP writes an empty object as `[]`: an object with no members (an error when a member
    // is required).
    fn visit_seq<S: serde::de::SeqAccess<'de>>(self, mut seq: S) -> Result<T, S::Error> {
        if !PHP || seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
            return Err(S::Error::invalid_type(serde::de::Unexpected::Seq, &self));
        }
        T::build(T::slots(), serde_json::Map::new())
    }

    // ... and some servers write it as `""`, or an object as JSON text (`core::tolerant`).
    fn visit_str<E: Error>(self, value: &str) -> Result<T, E> {
        let unexpected = || E::invalid_type(serde::de::Unexpected::Str(value), &self);
        if !PHP {
            return Err(unexpected());
        }
        match super::tolerant::loose(value) {
            Loose::Empty => T::build(T::slots(), serde_json::Map::new()),
            Loose::Json(json) => {
                let mut text = serde_json::Deserializer::from_str(json);
                object_php::<T, _>(&mut text)
                    .and_then(|decoded| text.end().map(|()| decoded))
                    .map_err(E::custom)
            }
            Loose::Other => Err(unexpected()),
        }
    }
}

/// The members of one object, read in one pass.
#[inline]
fn members<'de, T: Object, A: MapAccess<'de>>(mut map: A) -> Result<T, A::Error> {
    let mut slots = T::slots();
    let mut extra = serde_json::Map::new();
    while let Some(key) = map.next_key_seed(KeySeed::<T>(std::marker::PhantomData))? {
        match key {
            Key::Known(index) => T::read(&mut slots, index, &mut map)?,
            Key::Unknown(name) => unknown(&mut extra, name, &mut map, T::NAME)?,
        }
    }
    T::build(slots, extra)
}

/// A member's name: a known member's position, or an unknown member's name.
enum Key {
    Known(usize),
    Unknown(String),
}

/// Reads a member's name as a [`Key`] of `T`, without allocating for a known one.
struct KeySeed<T>(std::marker::PhantomData<T>);

impl<'de, T: Object> serde::de::DeserializeSeed<'de> for KeySeed<T> {
    type Value = Key;

    #[inline]
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de, T: Object> serde::de::Visitor<'de> for KeySeed<T> {
    type Value = Key;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a member name")
    }

    #[inline]
    fn visit_str<E: Error>(self, name: &str) -> Result<Key, E> {
        Ok(match T::member(name) {
            Some(index) => Key::Known(index),
            None => Key::Unknown(name.to_owned()),
        })
    }
}

/// A union whose variants are told apart by a member with a constant value in each (a
/// discriminator, such as a `__type` member): decoded in one pass by that member, instead of
/// trying each variant in turn (`dataplat_codegen`'s `tagged_unions` pass implements it).
pub trait Tagged: Sized {
    /// The member that names the variant.
    const KEY: &'static str;
    /// Its value in each variant, in variant order.
    const TAGS: &'static [&'static str];
    /// The union's name, for messages.
    const NAME: &'static str;
    /// Decodes variant `index` from `deserializer` (the whole object, the tag member too).
    fn variant<'de, D: serde::Deserializer<'de>>(
        index: usize,
        deserializer: D,
    ) -> Result<Self, D::Error>;
}

/// Decodes a [`Tagged`] union. When the tag is the object's first member (as servers write it)
/// nothing is buffered: the variant reads the object as it comes, the tag handed back to it
/// first. Otherwise the members before the tag are buffered (in a JSON map) and the variant
/// reads those.
pub fn tagged<'de, T: Tagged, D: serde::Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(TaggedVisitor::<T>(std::marker::PhantomData))
}

struct TaggedVisitor<T>(std::marker::PhantomData<T>);

/// A member name or tag value, borrowed from the input when it can be.
struct Text<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(std::borrow::Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(V)
    }
}

fn index_of<T: Tagged, E: Error>(tag: &str) -> Result<usize, E> {
    T::TAGS
        .iter()
        .position(|t| *t == tag)
        .ok_or_else(|| E::unknown_variant(tag, T::TAGS))
}

impl<'de, T: Tagged> serde::de::Visitor<'de> for TaggedVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a {} object with a `{}` member", T::NAME, T::KEY)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut before = serde_json::Map::new();
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            if key == T::KEY {
                let Text(tag) = map.next_value::<Text<'de>>()?;
                let index = index_of::<T, A::Error>(&tag)?;
                if before.is_empty() {
                    // The usual case: nothing buffered.
                    let rest = Prefixed {
                        tag: Some(tag),
                        key: T::KEY,
                        map,
                    };
                    return T::variant(index, serde::de::value::MapAccessDeserializer::new(rest));
                }
                before.insert(
                    key.into_owned(),
                    serde_json::Value::String(tag.into_owned()),
                );
                while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
                    let value = map.next_value::<serde_json::Value>()?;
                    before.insert(key.into_owned(), value);
                }
                return T::variant(index, serde_json::Value::Object(before))
                    .map_err(A::Error::custom);
            }
            let value = map.next_value::<serde_json::Value>()?;
            before.insert(key.into_owned(), value);
        }
        Err(A::Error::missing_field(T::KEY))
    }
}

/// The rest of an object, its tag member handed out first.
struct Prefixed<'de, A> {
    tag: Option<std::borrow::Cow<'de, str>>,
    key: &'static str,
    map: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Prefixed<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        if self.tag.is_some() {
            let key = serde::de::value::BorrowedStrDeserializer::<A::Error>::new(self.key);
            return seed.deserialize(key).map(Some);
        }
        self.map.next_key_seed(seed)
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, A::Error> {
        match self.tag.take() {
            Some(std::borrow::Cow::Borrowed(tag)) => seed.deserialize(
                serde::de::value::BorrowedStrDeserializer::<A::Error>::new(tag),
            ),
            Some(std::borrow::Cow::Owned(tag)) => {
                seed.deserialize(serde::de::value::StringDeserializer::<A::Error>::new(tag))
            }
            None => self.map.next_value_seed(seed),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde::de::{Error, MapAccess};
    use serde_json::json;

    use super::{Object, member, member_php, required};

    type Extra = serde_json::Map<String, serde_json::Value>;

    /// What the `keep_unknown` pass writes for a struct with a required, a defaulted, an
    /// optional and a loosely written map member.
    #[derive(Debug, PartialEq)]
    struct Thing {
        id: String,
        tags: Vec<String>,
        note: Option<String>,
        labels: Extra,
        extra: Extra,
    }

    impl Object for Thing {
        const EXPECTING: &'static str = "struct Thing";
        const NAME: &'static str = "Thing";
        type Slots = (
            Option<String>,
            Option<Vec<String>>,
            Option<Option<String>>,
            Option<Extra>,
        );
        fn slots() -> Self::Slots {
            (None, None, None, None)
        }
        fn member(name: &str) -> Option<usize> {
            Some(match name {
                "id" => 0,
                "tags" => 1,
                "note" => 2,
                "labels" => 3,
                _ => return None,
            })
        }
        fn read<'de, A: MapAccess<'de>>(
            slots: &mut Self::Slots,
            index: usize,
            map: &mut A,
        ) -> Result<(), A::Error> {
            match index {
                0 => member(&mut slots.0, map, "id"),
                1 => member(&mut slots.1, map, "tags"),
                2 => member(&mut slots.2, map, "note"),
                3 => member_php(&mut slots.3, map, "labels"),
                _ => Ok(()),
            }
        }
        fn build<E: Error>(slots: Self::Slots, extra: Extra) -> Result<Self, E> {
            Ok(Thing {
                id: required(slots.0, "id")?,
                tags: slots.1.unwrap_or_default(),
                note: slots.2.unwrap_or(None),
                labels: slots.3.unwrap_or_default(),
                extra,
            })
        }
    }

    /// Strict JSON objects only.
    #[derive(Debug)]
    struct Strict(Thing);
    impl<'de> Deserialize<'de> for Strict {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            super::object::<Thing, D>(d).map(Strict)
        }
    }

    /// A PHP server's forms too.
    #[derive(Debug)]
    struct Loose(Thing);
    impl<'de> Deserialize<'de> for Loose {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            super::object_php::<Thing, D>(d).map(Loose)
        }
    }

    fn strict(text: &str) -> Result<Thing, String> {
        serde_json::from_str::<Strict>(text)
            .map(|s| s.0)
            .map_err(|e| e.to_string())
    }

    fn loose(text: &str) -> Result<Thing, String> {
        serde_json::from_str::<Loose>(text)
            .map(|s| s.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn known_members_fill_their_fields_and_unknown_ones_are_kept() {
        let thing =
            strict(r#"{"zz": 1, "id": "a", "note": null, "tags": ["x"], "more": {"k": [1]}}"#)
                .unwrap();
        assert_eq!(thing.id, "a");
        assert_eq!(thing.tags, ["x"]);
        assert_eq!(thing.note, None);
        assert!(thing.labels.is_empty());
        assert_eq!(
            serde_json::Value::Object(thing.extra),
            json!({"zz": 1, "more": {"k": [1]}})
        );
    }

    #[test]
    fn missing_members_default_or_fail_as_serde_derive_does() {
        let thing = strict(r#"{"id": "a"}"#).unwrap();
        assert_eq!((thing.tags.len(), thing.note), (0, None));
        let missing = strict(r#"{"note": "n"}"#).unwrap_err();
        assert!(missing.contains("missing field `id`"), "{missing}");
        let twice = strict(r#"{"id": "a", "id": "b"}"#).unwrap_err();
        assert!(twice.contains("duplicate field `id`"), "{twice}");
        let wrong = strict(r#"{"id": 3}"#).unwrap_err();
        assert!(wrong.contains("invalid type: integer `3`"), "{wrong}");
        let not_object = strict("[]").unwrap_err();
        assert!(not_object.contains("expected struct Thing"), "{not_object}");
        // A name that escapes to a known member is that member.
        assert_eq!(strict(r#"{"\u0069d": "e"}"#).unwrap().id, "e");
    }

    #[test]
    fn a_php_server_s_empty_forms_and_json_text_decode_as_objects() {
        // `[]` and `""` are an object with no members: an error here, as `id` is required.
        for empty in ["[]", "\"\""] {
            let e = loose(empty).unwrap_err();
            assert!(e.contains("missing field `id`"), "{empty}: {e}");
        }
        let text = loose(r#""{\"id\": \"t\", \"labels\": [], \"x\": 1}""#).unwrap();
        assert_eq!((text.id.as_str(), text.labels.len()), ("t", 0));
        assert_eq!(text.extra.get("x"), Some(&json!(1)));
        assert_eq!(
            loose(r#"{"id": "a", "labels": ""}"#).unwrap().labels.len(),
            0
        );
        for bad in ["[1]", "\"text\"", r#""{\"id\": \"t\"} trailing""#] {
            assert!(loose(bad).is_err(), "{bad}");
        }
        // A strict decoder takes none of them.
        assert!(strict("\"\"").is_err());
    }
}
