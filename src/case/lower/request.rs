//! Lowering of `request:`: path parameters against the endpoint, query (in the API's list style),
//! headers and the body (`body.rs`).

use std::collections::BTreeSet;
use std::path::Path;

use super::super::model::{Endpoint, PathPart, Request};
use super::super::raw::{self, QueryStyle, QueryValue};
use super::super::template::{Part, Template};
use super::endpoint::{split_path, PathSegment};
use super::{noted, pos, suggestion, ApiLowering, At};
use crate::diag::Pos;

impl ApiLowering<'_, '_> {
    pub(super) fn lower_request(
        &mut self,
        file: &Path,
        case_pos: Pos,
        endpoint: &Endpoint,
        raw: &raw::RawRequest,
        known: &BTreeSet<String>,
    ) -> Option<Request> {
        self.lower_request_with(file, case_pos, endpoint, raw, known, true)
    }

    /// `check_env`: whether the environment variables used must be set now.
    pub(super) fn lower_request_with(
        &mut self,
        file: &Path,
        case_pos: Pos,
        endpoint: &Endpoint,
        raw: &raw::RawRequest,
        known: &BTreeSet<String>,
        check_env: bool,
    ) -> Option<Request> {
        // Lowering goes on after a failed template so that every problem is reported at once.
        let mut ok = true;
        let path = self.lower_path(file, case_pos, endpoint, raw, known, check_env)?;
        let path = noted(&mut ok, path);
        let style = raw.query_style.unwrap_or(self.query_style);
        let mut query = Vec::new();
        for (name, value) in &raw.query {
            let at = At::of(file, value);
            let values: Option<Vec<Template>> = match &value.value {
                QueryValue::One(v) => self.template(&at, v, known, check_env).map(|t| vec![t]),
                QueryValue::Many(vs) => vs
                    .iter()
                    .map(|v| self.template(&at, v, known, check_env))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .collect(),
            };
            if let Some(values) = noted(&mut ok, values) {
                let is_list = matches!(value.value, QueryValue::Many(_));
                query.extend(query_pairs(name, values, is_list, style));
            }
        }
        let headers = self.header_templates(file, &raw.headers, known, check_env);
        let headers = noted(&mut ok, headers);
        let body = self.lower_body(file, raw, known, check_env);
        let body = noted(&mut ok, body)?;
        if !ok {
            return None;
        }
        Some(Request {
            method: endpoint.method.clone(),
            path: path?,
            query,
            headers: headers?,
            body,
        })
    }

    /// The endpoint path with its parameters filled in. `None` when a parameter is missing (lowering
    /// of the request stops), `Some(None)` when a parameter's template failed (it goes on).
    fn lower_path(
        &mut self,
        file: &Path,
        case_pos: Pos,
        endpoint: &Endpoint,
        raw: &raw::RawRequest,
        known: &BTreeSet<String>,
        check_env: bool,
    ) -> Option<Option<Vec<PathPart>>> {
        let mut ok = true;
        let mut path = Vec::new();
        let mut params_used = BTreeSet::new();
        for segment in split_path(&endpoint.path) {
            match segment {
                PathSegment::Lit(s) => path.push(PathPart::Lit(s.to_string())),
                PathSegment::Param(name) => match raw.path_params.get(name) {
                    Some(v) => {
                        params_used.insert(name.to_string());
                        let t = self.template_at(file, v, known, check_env);
                        if let Some(t) = noted(&mut ok, t) {
                            path.push(PathPart::Param(t));
                        }
                    }
                    None => {
                        self.error_help(
                            file,
                            case_pos,
                            format!("missing path parameter `{name}` for `{endpoint}`"),
                            format!("add `request: {{ path_params: {{ {name}: ... }} }}`"),
                        );
                        return None;
                    }
                },
            }
        }
        for (name, v) in &raw.path_params {
            if !params_used.contains(name) {
                self.unknown_path_param(file, pos(v), endpoint, name);
            }
        }
        Some(ok.then_some(path))
    }

    fn unknown_path_param(&mut self, file: &Path, at: Pos, endpoint: &Endpoint, name: &str) {
        let params: Vec<&str> = split_path(&endpoint.path)
            .filter_map(|s| match s {
                PathSegment::Param(p) => Some(p),
                PathSegment::Lit(_) => None,
            })
            .collect();
        let help = suggestion(name, params.iter().copied(), || {
            format!("`{}` has parameters: {}", endpoint.path, params.join(", "))
        });
        let message = format!("endpoint `{endpoint}` has no path parameter `{name}`");
        self.error_on_at(file, at, name, message, help);
    }
}

/// Writes list-valued query parameters in the API's style.
fn query_pairs(
    name: &str,
    values: Vec<Template>,
    is_list: bool,
    style: QueryStyle,
) -> Vec<(String, Template)> {
    if !is_list {
        return values.into_iter().map(|v| (name.to_string(), v)).collect();
    }
    match style {
        QueryStyle::Repeat => values.into_iter().map(|v| (name.to_string(), v)).collect(),
        QueryStyle::Brackets => values
            .into_iter()
            .map(|v| (format!("{name}[]"), v))
            .collect(),
        QueryStyle::Comma => {
            let mut parts = Vec::new();
            for (i, v) in values.into_iter().enumerate() {
                if i > 0 {
                    parts.push(Part::Lit(",".into()));
                }
                parts.extend(v.parts);
            }
            vec![(name.to_string(), Template { parts })]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_styles() {
        let vals = || vec![Template::literal("1"), Template::literal("2")];
        let names =
            |pairs: Vec<(String, Template)>| pairs.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(
            names(query_pairs("ids", vals(), true, QueryStyle::Repeat)),
            ["ids", "ids"]
        );
        assert_eq!(
            names(query_pairs("ids", vals(), true, QueryStyle::Brackets)),
            ["ids[]", "ids[]"]
        );
        let comma = query_pairs("ids", vals(), true, QueryStyle::Comma);
        assert_eq!(comma.len(), 1);
        assert_eq!(comma[0].1.render(&Default::default()).unwrap(), "1,2");
    }
}
