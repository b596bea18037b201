//! [`CaseId`]: the one name of a case, `api/file::case`, used by `--filter`, outcomes, the
//! playback header, recordings and snapshots. What conform prints is what it accepts back.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `kimai/get_customer::fetches a known customer`: the API folder, the case file's stem and the
/// case name. Case names may contain `::` and `/`; the API and file parts may not.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseId {
    pub api: String,
    pub file: String,
    pub case: String,
}

impl CaseId {
    pub fn new(api: impl Into<String>, file: impl Into<String>, case: impl Into<String>) -> Self {
        CaseId {
            api: api.into(),
            file: file.into(),
            case: case.into(),
        }
    }

    /// The id of `case` in `file` of `api`.
    pub fn of(api: &super::Api, file: &super::CaseFile, case: &super::Case) -> CaseId {
        CaseId::new(api.name.as_str(), file.stem.as_str(), case.name.as_str())
    }

    /// `file::case`: the part the playback server needs (it serves one API).
    pub fn in_api(&self) -> String {
        format!("{}::{}", self.file, self.case)
    }

    /// `api/file`: the case file's identity, the unit of sharding and of JUnit suites.
    pub fn file_id(&self) -> String {
        format!("{}/{}", self.api, self.file)
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}::{}", self.api, self.file, self.case)
    }
}

/// Why a text is not a case id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a case id: expected `api/file::case name`")]
pub struct BadCaseId(String);

impl FromStr for CaseId {
    type Err = BadCaseId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadCaseId(s.to_string());
        let (head, case) = s.split_once("::").ok_or_else(bad)?;
        let (api, file) = head.split_once('/').ok_or_else(bad)?;
        let part_ok = |p: &str| !p.is_empty() && !p.contains('/');
        if !part_ok(api) || !part_ok(file) || case.is_empty() {
            return Err(bad());
        }
        Ok(CaseId::new(api, file, case))
    }
}

impl Serialize for CaseId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CaseId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for CaseId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CaseId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[^/]+/[^/:]+::.+$",
            "description": "api/file::case name"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        let id = CaseId::new("kimai", "get_customer", "a::b/c");
        let text = id.to_string();
        assert_eq!(text, "kimai/get_customer::a::b/c");
        assert_eq!(text.parse::<CaseId>().unwrap(), id);
    }

    #[test]
    fn refuses_incomplete_ids() {
        for bad in [
            "",
            "kimai",
            "kimai/get",
            "kimai::x",
            "/f::c",
            "a/b/c::d",
            "a/b::",
        ] {
            assert!(bad.parse::<CaseId>().is_err(), "{bad}");
        }
    }
}
