//! Snapshot redaction selectors (`expect.snapshot.redact`): `.id`, `[].createdDate`,
//! `.**.modifiedDate`, parsed at load into [`Selector`]; `check::snapshot` applies them.

/// One step of a redaction selector.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Step {
    Key(String),
    AnyKey,
    Index(usize),
    AnyIndex,
    /// `.**`: any depth, including none.
    Deep,
}

/// A parsed selector such as `.id`, `[].createdDate` or `.**.modifiedDate`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Selector {
    pub text: String,
    pub steps: Vec<Step>,
}

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, String> {
        let err = |why: &str| {
            format!("invalid redaction selector `{text}`: {why} (e.g. `.id`, `[].createdDate`, `.**.modifiedDate`)")
        };
        let mut steps = Vec::new();
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err(err("it is empty"));
        }
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix(".**") {
                steps.push(Step::Deep);
                rest = r;
            } else if let Some(r) = rest.strip_prefix(".*") {
                steps.push(Step::AnyKey);
                rest = r;
            } else if let Some(r) = rest.strip_prefix('.') {
                let end = r.find(['.', '[']).unwrap_or(r.len());
                if end == 0 {
                    return Err(err("a `.` must be followed by a key"));
                }
                steps.push(Step::Key(r[..end].to_string()));
                rest = &r[end..];
            } else if let Some(r) = rest.strip_prefix('[') {
                let end = r.find(']').ok_or_else(|| err("unclosed `[`"))?;
                let inner = r[..end].trim();
                steps.push(if inner.is_empty() || inner == "*" {
                    Step::AnyIndex
                } else {
                    Step::Index(inner.parse().map_err(|_| err("expected `[]` or `[N]`"))?)
                });
                rest = &r[end + 1..];
            } else {
                return Err(err("expected `.` or `[`"));
            }
        }
        Ok(Selector {
            text: text.to_string(),
            steps,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_selectors_are_rejected() {
        assert!(Selector::parse("id").is_err());
        assert!(Selector::parse(".a[x]").is_err());
        assert!(Selector::parse(".a[").is_err());
    }
}
