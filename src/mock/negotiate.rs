//! `Accept` content negotiation: does a request accept what a recording answers?
//!
//! Media ranges as servers read them (RFC 9110 section 12.5.1): `*/*`, `type/*`, exact types,
//! lists with q-values (`q=0` refuses a type); parameters other than `q` are ignored, and no
//! `Accept` at all accepts anything.

/// Whether an `Accept` header value admits `offered` (a media type, parameters allowed).
pub fn accepts(accept: Option<&str>, offered: &str) -> bool {
    let Some(accept) = accept.map(str::trim).filter(|a| !a.is_empty()) else {
        return true;
    };
    let offered = essence(offered);
    let (ty, sub) = offered.split_once('/').unwrap_or((offered.as_str(), ""));
    // The most specific range that covers the offered type decides (RFC 9110: precedence).
    let mut best: Option<(u8, f32)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = essence(parts.next().unwrap_or(""));
        let q = parts
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
            .and_then(|(_, v)| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let (rt, rs) = media.split_once('/').unwrap_or((media.as_str(), ""));
        let specificity = match (rt, rs) {
            ("*", "*") => 1,
            (t, "*") if t == ty => 2,
            (t, s) if t == ty && s == sub => 3,
            _ => continue,
        };
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, q));
        }
    }
    best.is_some_and(|(_, q)| q > 0.0)
}

pub use crate::normalize::headers::essence;

#[cfg(test)]
mod tests {
    use super::accepts;

    #[test]
    fn ranges_lists_and_q_values() {
        let json = "application/json; charset=utf-8";
        assert!(accepts(None, json));
        assert!(accepts(Some("*/*"), json));
        assert!(accepts(Some("application/*"), json));
        assert!(accepts(Some("Application/JSON"), json));
        assert!(accepts(
            Some("text/html, application/json;q=0.9, */*;q=0.1"),
            json
        ));
        assert!(!accepts(Some("text/html"), json));
        assert!(!accepts(Some("text/*, application/xml"), json));
        assert!(!accepts(Some("application/json;q=0, */*"), json));
        assert!(accepts(Some("text/plain, */*;q=0.5"), json));
    }
}
