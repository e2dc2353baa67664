//! What the generated decoders of every object call (`dataplat_codegen`'s `keep_unknown`
//! pass): one generic function per step instead of the same lines repeated for every member of
//! every type, which the compiler would check again each time.

use serde::Deserialize;
use serde::de::{Error, MapAccess};

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
