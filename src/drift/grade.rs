//! Grades follow from the code and the case's schema, judged on the live body: a field added where
//! the schema allows it is `additive`, a required field removed is `breaking`, a changed value the
//! schema's `enum` does not list is `enum-value-added` and `breaking`.

use super::finding::{Code, Difference, Grade, Part, SchemaVerdict};

/// The case schema's violations on the live body, pointers generalised (`/items/*/name`); `None`
/// when the case has no schema or the live body is not JSON.
pub struct Violations(pub Option<Vec<Violation>>);

pub struct Violation {
    pub pointer: String,
    pub keyword: String,
    pub message: String,
}

/// The graded difference: its final code, grade, the schema's verdict and why.
pub struct Graded {
    pub code: Code,
    pub grade: Grade,
    pub schema: SchemaVerdict,
    pub why: String,
}

fn parent(pointer: &str) -> &str {
    pointer.rfind('/').map(|i| &pointer[..i]).unwrap_or("")
}

fn last(pointer: &str) -> String {
    let seg = pointer.rsplit('/').next().unwrap_or("");
    seg.replace("~1", "/").replace("~0", "~")
}

fn at_or_under(v: &str, pointer: &str) -> bool {
    v == pointer || v.starts_with(&format!("{pointer}/"))
}

impl Violations {
    /// Does the schema reject the live body at this difference, and with which keyword?
    fn verdict(&self, d: &Difference) -> (SchemaVerdict, Option<&Violation>) {
        let Some(all) = &self.0 else {
            return (SchemaVerdict::NoSchema, None);
        };
        if d.part != Part::Body {
            return (SchemaVerdict::NoSchema, None);
        }
        let name = format!("\"{}\"", last(&d.pointer));
        let hit = all.iter().find(|v| match d.code {
            Code::FieldRemoved => {
                v.pointer == parent(&d.pointer)
                    && v.keyword == "required"
                    && v.message.contains(&name)
            }
            Code::FieldAdded => {
                at_or_under(&v.pointer, &d.pointer)
                    || (v.pointer == parent(&d.pointer)
                        && matches!(
                            v.keyword.as_str(),
                            "additionalProperties" | "unevaluatedProperties"
                        ))
            }
            _ => at_or_under(&v.pointer, &d.pointer),
        });
        match hit {
            Some(v) => (SchemaVerdict::Rejects, Some(v)),
            None => (SchemaVerdict::Accepts, None),
        }
    }
}

pub fn grade(d: &Difference, violations: &Violations) -> Graded {
    let (schema, hit) = violations.verdict(d);
    let rejects = schema == SchemaVerdict::Rejects;
    let no_schema = schema == SchemaVerdict::NoSchema;
    let g = |code, grade, why: &str| Graded {
        code,
        grade,
        schema,
        why: why.to_string(),
    };
    match d.code {
        Code::StatusChanged => g(d.code, Grade::Breaking, "the status changed"),
        Code::ContentTypeChanged => g(d.code, Grade::Breaking, "the content type changed"),
        Code::HeaderRemoved => g(d.code, Grade::Breaking, "a recorded header is gone"),
        Code::HeaderAdded => g(d.code, Grade::Additive, "a new header"),
        Code::HeaderChanged => g(d.code, Grade::Value, "a header's value changed"),
        Code::TypeChanged => g(d.code, Grade::Breaking, "the type changed"),
        Code::FormatChanged => g(
            d.code,
            Grade::Breaking,
            "the value no longer has its format",
        ),
        Code::EnumValueAdded => g(
            d.code,
            Grade::Breaking,
            "a value the schema's enum does not list",
        ),
        Code::FieldAdded if rejects => g(
            d.code,
            Grade::Breaking,
            "the schema does not allow this field",
        ),
        Code::FieldAdded => g(d.code, Grade::Additive, "a new field the schema allows"),
        Code::FieldRemoved if rejects => {
            g(d.code, Grade::Breaking, "the schema requires this field")
        }
        Code::FieldRemoved if no_schema => g(
            d.code,
            Grade::Breaking,
            "a recorded field is gone (no schema says it is optional)",
        ),
        Code::FieldRemoved => g(
            d.code,
            Grade::Value,
            "an optional field is gone (the schema allows it)",
        ),
        Code::NullabilityChanged if rejects || no_schema => g(
            d.code,
            Grade::Breaking,
            "null where there was a value, or the reverse",
        ),
        Code::NullabilityChanged => g(d.code, Grade::Value, "null or not: the schema allows both"),
        Code::ArrayBecameEmpty => g(d.code, Grade::Value, "the list is empty now"),
        Code::ValueChanged if hit.is_some_and(|v| v.keyword == "enum") => g(
            Code::EnumValueAdded,
            Grade::Breaking,
            "a value the schema's enum does not list",
        ),
        Code::ValueChanged if rejects => {
            g(d.code, Grade::Breaking, "the new value breaks the schema")
        }
        Code::ValueChanged => g(d.code, Grade::Value, "same shape, another value"),
    }
}
