//! serde adapters for the parts of the model that are compiled at load (regexes, JSONPaths) or
//! that postcard cannot decode by itself (JSON values, which need a self-describing format): each
//! is stored as its source text and rebuilt on decode. Regexes and JSONPaths are interned while a
//! suite is decoded, so that every case using one pattern shares one compiled copy, as after a
//! cold load (a cloned `Regex` would get its own cache pool).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use regex::Regex;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};
use serde_json_path::JsonPath;

thread_local! {
    static REGEXES: RefCell<HashMap<String, Arc<Regex>>> = RefCell::new(HashMap::new());
    static PATHS: RefCell<HashMap<String, Arc<JsonPath>>> = RefCell::new(HashMap::new());
}

/// Runs `decode` with empty interners, and empties them after: nothing outlives one decode.
pub fn interning<T>(decode: impl FnOnce() -> T) -> T {
    let clear = || {
        REGEXES.with(|m| m.borrow_mut().clear());
        PATHS.with(|m| m.borrow_mut().clear());
    };
    clear();
    let out = decode();
    clear();
    out
}

/// `Arc<Regex>` as its pattern.
pub mod regex_arc {
    use super::*;

    pub fn serialize<S: Serializer>(re: &Arc<Regex>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(re.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<Regex>, D::Error> {
        let text = String::deserialize(d)?;
        REGEXES.with(|m| {
            if let Some(re) = m.borrow().get(&text) {
                return Ok(Arc::clone(re));
            }
            let re = Arc::new(Regex::new(&text).map_err(D::Error::custom)?);
            m.borrow_mut().insert(text, Arc::clone(&re));
            Ok(re)
        })
    }
}

/// `Arc<JsonPath>` as its text, parsed with the same nesting limit as at load.
pub mod json_path_arc {
    use super::*;

    pub fn serialize<S: Serializer>(p: &Arc<JsonPath>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(p.as_ref())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<JsonPath>, D::Error> {
        let text = String::deserialize(d)?;
        PATHS.with(|m| {
            if let Some(p) = m.borrow().get(&text) {
                return Ok(Arc::clone(p));
            }
            let p =
                Arc::new(crate::case::limits::parse_json_path(&text).map_err(D::Error::custom)?);
            m.borrow_mut().insert(text, Arc::clone(&p));
            Ok(p)
        })
    }
}

/// A `JsonPath` held by value (captures, token requests) as its text.
pub mod json_path {
    use super::*;

    pub fn serialize<S: Serializer>(p: &JsonPath, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(p)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<JsonPath, D::Error> {
        let text = String::deserialize(d)?;
        crate::case::limits::parse_json_path(&text).map_err(D::Error::custom)
    }
}

/// A `serde_json::Value` as JSON text: postcard is not self-describing, and `Value` needs that.
pub mod json_value {
    use super::*;
    use serde_json::Value;

    pub fn serialize<S: Serializer>(v: &Value, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        let text = <&str>::deserialize(d)?;
        serde_json::from_str(text).map_err(D::Error::custom)
    }
}
