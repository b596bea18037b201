//! Where the parts of interactions are in a recording file: read again only when one has a
//! problem (recordings are read on every run, and positions are not needed when all is well).

use indexmap::IndexMap;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use crate::diag::Pos;

/// The part of an interaction a problem is about.
pub enum Part {
    Case,
    Provenance,
    ResponseBody,
    Status,
    /// `(request|response, name)`.
    HeaderName(&'static str, String),
    HeaderValue(&'static str, String),
}

#[derive(Default, Deserialize)]
pub struct Where {
    #[serde(default)]
    interactions: Vec<Spanned<Interaction>>,
}

#[derive(Deserialize)]
struct Interaction {
    case: Option<Spanned<IgnoredAny>>,
    provenance: Option<Spanned<IgnoredAny>>,
    request: Option<Spanned<Message>>,
    response: Option<Spanned<Message>>,
}

#[derive(Deserialize)]
struct Message {
    status: Option<Spanned<IgnoredAny>>,
    #[serde(default)]
    headers: IndexMap<Spanned<String>, Spanned<IgnoredAny>>,
    json: Option<Spanned<IgnoredAny>>,
    text: Option<Spanned<IgnoredAny>>,
    base64: Option<Spanned<IgnoredAny>>,
}

impl Where {
    /// The positions of a file that parsed as a recording (so this parse succeeds too).
    pub fn parse(text: &str) -> Where {
        serde_saphyr::from_str(text).unwrap_or_default()
    }

    /// Position and length of `part` of interaction `i`; the interaction's start if unknown.
    pub fn pos(&self, i: usize, part: &Part) -> (Pos, usize) {
        let Some(it) = self.interactions.get(i) else {
            return (Pos::UNKNOWN, 1);
        };
        let found = self.part(&it.value, part);
        let loc = found.unwrap_or(it.referenced);
        let len = if found.is_some() { loc.span().len() } else { 1 };
        (Pos::from_saphyr(loc), usize::try_from(len).unwrap_or(1))
    }

    fn part(&self, it: &Interaction, part: &Part) -> Option<Location> {
        let side = |s: &str| {
            if s == "request" {
                it.request.as_ref()
            } else {
                it.response.as_ref()
            }
        };
        let header =
            |s: &str, name: &str| side(s)?.value.headers.iter().find(|(k, _)| k.value == name);
        match part {
            Part::Case => it.case.as_ref().map(|c| c.referenced),
            Part::Provenance => it.provenance.as_ref().map(|c| c.referenced),
            Part::ResponseBody => {
                let r = it.response.as_ref()?;
                let m = &r.value;
                let body = m.base64.as_ref().or(m.text.as_ref()).or(m.json.as_ref());
                Some(body.map_or(r.referenced, |b| b.referenced))
            }
            Part::Status => it
                .response
                .as_ref()?
                .value
                .status
                .as_ref()
                .map(|s| s.referenced),
            Part::HeaderName(s, name) => header(s, name).map(|(k, _)| k.referenced),
            Part::HeaderValue(s, name) => header(s, name).map(|(_, v)| v.referenced),
        }
    }
}
