//! JSON Schema `format` assertion and the per-API format policy.
//!
//! Formats are asserted (a `"yesterday"` fails `format: date-time`). A vendor that documents
//! `date-time` but sends another form (Mindbody: offset-less site-local times) says so in its
//! `api.yaml` (`formats: { date-time: [date-time, local-date-time] }`): that API's schemas then
//! accept exactly the listed forms for that format name. The check stays on; it checks the form
//! the vendor really sends. Unknown format names in a schema (OpenAPI's `int32`, `double`, ...)
//! stay annotations, as the JSON Schema specification says.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use jsonschema::{ValidationOptions, Validator};
use regex::Regex;
use serde_json::Value;

/// The format names a policy may give forms for.
pub const POLICY_FORMATS: [&str; 3] = ["date-time", "date", "time"];

/// One accepted way of writing a date or a time.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Form {
    /// RFC 3339 `date-time`, with its offset: `2024-04-01T09:00:00Z`, `...+02:00`.
    DateTime,
    /// An RFC 3339 date-time without an offset (a local time): `2024-04-01T09:00:00[.123]`.
    LocalDateTime,
    /// RFC 3339 `full-date`: `2024-04-01`.
    Date,
    /// RFC 3339 `full-time`, with its offset: `09:00:00Z`.
    Time,
    /// A time without an offset: `09:00:00[.123]`.
    LocalTime,
}

impl Form {
    pub const ALL: [Form; 5] = [
        Form::DateTime,
        Form::LocalDateTime,
        Form::Date,
        Form::Time,
        Form::LocalTime,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Form::DateTime => "date-time",
            Form::LocalDateTime => "local-date-time",
            Form::Date => "date",
            Form::Time => "time",
            Form::LocalTime => "local-time",
        }
    }

    pub fn parse(name: &str) -> Option<Form> {
        Form::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether `text` is written in this form. The RFC 3339 forms are the jsonschema crate's
    /// own checks; a local form is its RFC 3339 form without the offset (the same rules apply
    /// once `Z` is appended).
    pub fn accepts(self, text: &str) -> bool {
        static LOCAL_DATE_TIME: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?$")
                .expect("valid regex")
        });
        static LOCAL_TIME: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"^[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?$").expect("valid regex")
        });
        match self {
            Form::DateTime => builtin("date-time", text),
            Form::Date => builtin("date", text),
            Form::Time => builtin("time", text),
            Form::LocalDateTime => {
                LOCAL_DATE_TIME.is_match(text) && builtin("date-time", &format!("{text}Z"))
            }
            Form::LocalTime => LOCAL_TIME.is_match(text) && builtin("time", &format!("{text}Z")),
        }
    }
}

/// The jsonschema crate's built-in check of format `name` (one of [`POLICY_FORMATS`]).
fn builtin(name: &str, text: &str) -> bool {
    static CHECKS: LazyLock<BTreeMap<&'static str, Validator>> = LazyLock::new(|| {
        POLICY_FORMATS
            .into_iter()
            .map(|name| {
                let schema = serde_json::json!({ "type": "string", "format": name });
                let validator = jsonschema::options()
                    .should_validate_formats(true)
                    .build(&schema)
                    .expect("a built-in format compiles");
                (name, validator)
            })
            .collect()
    });
    CHECKS
        .get(name)
        .is_some_and(|v| v.is_valid(&Value::String(text.to_string())))
}

/// What an API accepts for some format names, instead of the standard form. Formats it does not
/// name are checked as the JSON Schema specification defines them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct FormatPolicy {
    accepted: BTreeMap<String, Vec<Form>>,
}

impl FormatPolicy {
    /// Accepts `forms` (at least one) for format `name` (one of [`POLICY_FORMATS`]).
    pub fn accept(&mut self, name: &str, forms: Vec<Form>) {
        debug_assert!(POLICY_FORMATS.contains(&name) && !forms.is_empty());
        self.accepted.insert(name.to_string(), forms);
    }

    /// The forms accepted for `name`, when the policy names it.
    pub fn forms(&self, name: &str) -> Option<&[Form]> {
        self.accepted.get(name).map(Vec::as_slice)
    }

    pub fn is_empty(&self) -> bool {
        self.accepted.is_empty()
    }

    /// Compiler options asserting formats, with this policy's forms in place of the standard
    /// checks of the formats it names.
    pub fn apply<'i>(&self, mut options: ValidationOptions<'i>) -> ValidationOptions<'i> {
        options = options.should_validate_formats(true);
        for (name, forms) in &self.accepted {
            let forms = forms.clone();
            options = options.with_format(name.clone(), move |text: &str| {
                forms.iter().any(|f| f.accepts(text))
            });
        }
        options
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn validator(policy: &FormatPolicy) -> Validator {
        policy
            .apply(jsonschema::options())
            .build(&json!({"type": "string", "format": "date-time"}))
            .unwrap()
    }

    #[test]
    fn date_time_is_asserted_by_default() {
        let v = validator(&FormatPolicy::default());
        assert!(v.is_valid(&json!("2024-04-01T09:00:00Z")));
        assert!(v.is_valid(&json!("2024-04-01T09:00:00.5+02:00")));
        assert!(!v.is_valid(&json!("yesterday")));
        assert!(!v.is_valid(&json!("2024-04-01T09:00:00")));
    }

    #[test]
    fn a_policy_accepts_exactly_its_forms() {
        let mut policy = FormatPolicy::default();
        policy.accept("date-time", vec![Form::LocalDateTime]);
        let v = validator(&policy);
        assert!(v.is_valid(&json!("2024-04-01T09:00:00")));
        assert!(v.is_valid(&json!("2024-04-01T09:00:00.250")));
        assert!(
            !v.is_valid(&json!("2024-04-01T09:00:00Z")),
            "offset not listed"
        );
        assert!(!v.is_valid(&json!("yesterday")));
        assert!(!v.is_valid(&json!("2024-02-30T09:00:00")), "no such day");
        assert!(!v.is_valid(&json!("2024-04-01T25:00:00")), "no such hour");
        assert!(
            !v.is_valid(&json!("2024-04-01 09:00:00")),
            "space separator"
        );

        policy.accept("date-time", vec![Form::DateTime, Form::LocalDateTime]);
        let v = validator(&policy);
        assert!(v.is_valid(&json!("2024-04-01T09:00:00Z")));
        assert!(v.is_valid(&json!("2024-04-01T09:00:00")));
    }

    #[test]
    fn every_form_has_a_name_that_parses_back() {
        for form in Form::ALL {
            assert_eq!(Form::parse(form.name()), Some(form));
        }
        assert!(Form::LocalTime.accepts("09:30:00"));
        assert!(!Form::LocalTime.accepts("09:30:00Z"));
        assert!(Form::Time.accepts("09:30:00Z"));
        assert!(Form::Date.accepts("2024-04-01"));
        assert!(!Form::Date.accepts("2024-04-01T00:00:00"));
    }
}
