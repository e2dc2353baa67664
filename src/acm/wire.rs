//! Tolerant scalar types for what ACM really sends.
//!
//! The ACM document declares plain integers, numbers, booleans and strings, but the live server
//! (as recorded by gorgias-oss/terraform-provider-altinity and Altinity's acmctl) sends integers
//! as `"2"`, booleans as `0`/`1`/`"true"`, and numbers where strings are declared. The effective
//! spec points those properties here (`x-rust-type`), so a real response decodes. Each type
//! serialises in its canonical JSON form, so requests stay what the document describes.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An integer that may arrive as a number, a numeric string or a boolean.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LooseInt(pub i64);

/// A number that may arrive as a JSON number or a numeric string.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct LooseNumber(pub f64);

/// A boolean that may arrive as `true`/`false`, `0`/`1` or `"true"`/`"false"`/`"0"`/`"1"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct LooseBool(pub bool);

/// A string that may arrive as a number or a boolean (kept as its JSON text).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LooseString(pub String);

impl Serialize for LooseInt {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}
impl Serialize for LooseNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0)
    }
}
impl Serialize for LooseBool {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(self.0)
    }
}
impl Serialize for LooseString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

struct IntVisitor;
impl Visitor<'_> for IntVisitor {
    type Value = LooseInt;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer, a numeric string or a boolean")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<LooseInt, E> {
        Ok(LooseInt(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<LooseInt, E> {
        i64::try_from(v)
            .map(LooseInt)
            .map_err(|_| E::custom(format!("{v} does not fit in i64")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<LooseInt, E> {
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            Ok(LooseInt(v as i64))
        } else {
            Err(E::custom(format!("{v} is not a whole number")))
        }
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<LooseInt, E> {
        Ok(LooseInt(i64::from(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<LooseInt, E> {
        let t = v.trim();
        t.parse::<i64>()
            .ok()
            .or_else(|| {
                t.parse::<f64>()
                    .ok()
                    .filter(|f| f.fract() == 0.0)
                    .map(|f| f as i64)
            })
            .or_else(|| parse_bool(t).map(i64::from))
            .map(LooseInt)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

struct NumberVisitor;
impl Visitor<'_> for NumberVisitor {
    type Value = LooseNumber;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or a numeric string")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<LooseNumber, E> {
        Ok(LooseNumber(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<LooseNumber, E> {
        Ok(LooseNumber(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<LooseNumber, E> {
        Ok(LooseNumber(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<LooseNumber, E> {
        v.trim()
            .parse::<f64>()
            .map(LooseNumber)
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

struct BoolVisitor;
impl Visitor<'_> for BoolVisitor {
    type Value = LooseBool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a boolean, 0 or 1, or \"true\"/\"false\"/\"0\"/\"1\"")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<LooseBool, E> {
        Ok(LooseBool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<LooseBool, E> {
        match v {
            0 => Ok(LooseBool(false)),
            1 => Ok(LooseBool(true)),
            _ => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
        }
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<LooseBool, E> {
        self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<LooseBool, E> {
        parse_bool(v.trim())
            .map(LooseBool)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

struct StringVisitor;
impl Visitor<'_> for StringVisitor {
    type Value = LooseString;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, number or boolean")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<LooseString, E> {
        Ok(LooseString(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<LooseString, E> {
        Ok(LooseString(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<LooseString, E> {
        Ok(LooseString(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<LooseString, E> {
        Ok(LooseString(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<LooseString, E> {
        Ok(LooseString(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<LooseString, E> {
        Ok(LooseString(v.to_string()))
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

impl<'de> Deserialize<'de> for LooseInt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IntVisitor)
    }
}
impl<'de> Deserialize<'de> for LooseNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumberVisitor)
    }
}
impl<'de> Deserialize<'de> for LooseBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BoolVisitor)
    }
}
impl<'de> Deserialize<'de> for LooseString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StringVisitor)
    }
}

impl From<i64> for LooseInt {
    fn from(v: i64) -> Self {
        Self(v)
    }
}
impl From<f64> for LooseNumber {
    fn from(v: f64) -> Self {
        Self(v)
    }
}
impl From<bool> for LooseBool {
    fn from(v: bool) -> Self {
        Self(v)
    }
}
impl<S: Into<String>> From<S> for LooseString {
    fn from(v: S) -> Self {
        Self(v.into())
    }
}

impl fmt::Display for LooseInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
impl fmt::Display for LooseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
impl fmt::Display for LooseBool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
impl fmt::Display for LooseString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn de<T: for<'a> Deserialize<'a>>(v: serde_json::Value) -> Result<T, serde_json::Error> {
        serde_json::from_value(v)
    }

    #[test]
    fn integers_from_numbers_strings_and_booleans() {
        assert_eq!(de::<LooseInt>(json!(3)).unwrap(), LooseInt(3));
        assert_eq!(de::<LooseInt>(json!("2")).unwrap(), LooseInt(2));
        assert_eq!(de::<LooseInt>(json!(" 7 ")).unwrap(), LooseInt(7));
        assert_eq!(de::<LooseInt>(json!(4.0)).unwrap(), LooseInt(4));
        assert_eq!(de::<LooseInt>(json!(true)).unwrap(), LooseInt(1));
        assert!(de::<LooseInt>(json!("two")).is_err());
        assert!(de::<LooseInt>(json!(2.5)).is_err());
    }

    #[test]
    fn booleans_from_all_seen_forms() {
        for (v, want) in [
            (json!(true), true),
            (json!(0), false),
            (json!(1), true),
            (json!("true"), true),
            (json!("false"), false),
            (json!("1"), true),
            (json!("0"), false),
        ] {
            assert_eq!(de::<LooseBool>(v.clone()).unwrap(), LooseBool(want), "{v}");
        }
        assert!(de::<LooseBool>(json!(2)).is_err());
        assert!(de::<LooseBool>(json!("maybe")).is_err());
        assert_eq!(de::<Option<LooseBool>>(json!(null)).unwrap(), None);
    }

    #[test]
    fn numbers_and_strings() {
        assert_eq!(de::<LooseNumber>(json!("1.5")).unwrap(), LooseNumber(1.5));
        assert_eq!(de::<LooseNumber>(json!(2)).unwrap(), LooseNumber(2.0));
        assert_eq!(
            de::<LooseString>(json!(2)).unwrap(),
            LooseString("2".into())
        );
        assert_eq!(
            de::<LooseString>(json!(false)).unwrap(),
            LooseString("false".into())
        );
    }

    #[test]
    fn serialises_canonically() {
        assert_eq!(serde_json::to_value(LooseInt(2)).unwrap(), json!(2));
        assert_eq!(serde_json::to_value(LooseBool(true)).unwrap(), json!(true));
        assert_eq!(
            serde_json::to_value(LooseString("x".into())).unwrap(),
            json!("x")
        );
    }
}
