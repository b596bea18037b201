//! Interpolation: `{{ name }}`, `{{ env.NAME }}` and function calls such as
//! `{{ md5(concat(env.KEY, env.PRIVATE)) }}` inside strings and JSON bodies.
//!
//! Templates are parsed once at load time ([`Template::parse`]) so that undefined variables and
//! unknown functions are load errors, and rendered per request against [`Vars`].

use std::collections::HashMap;
use std::fmt;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use super::functions::Func;
use super::limits::MAX_TEMPLATE_NESTING;

/// What a `{{ ... }}` computes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Expr {
    /// A variable of the API, the environment or an earlier capture.
    Var(String),
    /// A process environment variable (a secret: never written out).
    Env(String),
    /// A quoted literal, e.g. `"Bearer "`.
    Lit(String),
    /// A function call such as `md5(x)`.
    Call(Func, Vec<Expr>),
}

impl Expr {
    /// The variables and environment variables this expression reads, at any depth.
    pub fn refs<'a>(&'a self, out: &mut Vec<&'a Expr>) {
        match self {
            Expr::Var(_) | Expr::Env(_) => out.push(self),
            Expr::Lit(_) => {}
            Expr::Call(_, args) => args.iter().for_each(|a| a.refs(out)),
        }
    }

    fn eval(&self, vars: &Vars) -> Result<Value, RenderError> {
        match self {
            Expr::Var(_) | Expr::Env(_) => vars.lookup(self),
            Expr::Lit(s) => Ok(Value::String(s.clone())),
            Expr::Call(func, args) => {
                let args: Vec<String> = args
                    .iter()
                    .map(|a| a.eval(vars).map(|v| value_to_text(&v)))
                    .collect::<Result<_, _>>()?;
                Ok(Value::String(
                    func.call(&args, vars.now.unwrap_or_else(SystemTime::now)),
                ))
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Var(name) => write!(f, "{name}"),
            Expr::Env(name) => write!(f, "env.{name}"),
            Expr::Lit(s) => write!(f, "{s:?}"),
            Expr::Call(func, args) => {
                let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
                write!(f, "{}({})", func.name(), args.join(", "))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Part {
    Lit(String),
    Expr(Expr),
}

/// A string with interpolations.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Template {
    pub parts: Vec<Part>,
}

/// Why a template could not be parsed; `offset` is a byte offset into the string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub offset: usize,
    pub message: String,
}

impl Template {
    pub fn literal(s: impl Into<String>) -> Self {
        Template {
            parts: vec![Part::Lit(s.into())],
        }
    }

    pub fn parse(s: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut rest = s;
        let mut consumed = 0;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                parts.push(Part::Lit(rest[..start].to_string()));
            }
            let after = &rest[start + 2..];
            let end = after.find("}}").ok_or_else(|| TemplateError {
                offset: consumed + start,
                message: "unclosed `{{`: expected `}}`".into(),
            })?;
            let inner = after[..end].trim();
            parts.push(Part::Expr(parse_expr(inner).map_err(|message| {
                TemplateError {
                    offset: consumed + start,
                    message,
                }
            })?));
            let advance = start + 2 + end + 2;
            consumed += advance;
            rest = &rest[advance..];
        }
        if !rest.is_empty() {
            parts.push(Part::Lit(rest.to_string()));
        }
        Ok(Template { parts })
    }

    /// The variables and environment variables this template reads.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        let mut out = Vec::new();
        for p in &self.parts {
            if let Part::Expr(e) = p {
                e.refs(&mut out);
            }
        }
        out.into_iter()
    }

    /// `Some(expr)` when the whole template is one interpolation (its JSON type is kept in bodies).
    pub fn single_expr(&self) -> Option<&Expr> {
        match self.parts.as_slice() {
            [Part::Expr(e)] => Some(e),
            _ => None,
        }
    }

    /// Renders with each interpolation as a JSON literal (`"abc"`, `42`), for a JSONPath filter
    /// such as `$[?@.id == {{ known_id }}]`: a value keeps its type, a string its quotes.
    pub fn render_json_literals(&self, vars: &Vars) -> Result<String, RenderError> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Lit(s) => out.push_str(s),
                Part::Expr(e) => {
                    out.push_str(&serde_json::to_string(&e.eval(vars)?).unwrap_or_default())
                }
            }
        }
        Ok(out)
    }

    pub fn render(&self, vars: &Vars) -> Result<String, RenderError> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Lit(s) => out.push_str(s),
                Part::Expr(e) => out.push_str(&value_to_text(&e.eval(vars)?)),
            }
        }
        Ok(out)
    }
}

fn parse_expr(inner: &str) -> Result<Expr, String> {
    let invalid = |why: &str| format!("invalid interpolation `{{{{ {inner} }}}}`: {why}");
    let mut parser = ExprParser {
        rest: inner,
        depth: 0,
    };
    let expr = parser.expr().map_err(|why| invalid(&why))?;
    if !parser.rest.trim().is_empty() {
        return Err(invalid(&format!(
            "unexpected `{}` after the expression",
            parser.rest.trim()
        )));
    }
    Ok(expr)
}

/// Recursive descent over `name | env.NAME | "literal" | func(expr, ...)`.
struct ExprParser<'a> {
    rest: &'a str,
    /// Calls open around the current position, bounded by [`MAX_TEMPLATE_NESTING`].
    depth: usize,
}

impl ExprParser<'_> {
    fn expr(&mut self) -> Result<Expr, String> {
        self.rest = self.rest.trim_start();
        if let Some(quote) = self.rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let body = &self.rest[1..];
            let end = body.find(quote).ok_or("unclosed string literal")?;
            self.rest = &body[end + 1..];
            return Ok(Expr::Lit(body[..end].to_string()));
        }
        let end = self
            .rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
            .unwrap_or(self.rest.len());
        let ident = &self.rest[..end];
        if ident.is_empty() {
            return Err(
                "expected a variable name, env.NAME, a \"literal\" or a function call".into(),
            );
        }
        self.rest = self.rest[end..].trim_start();
        if let Some(after) = self.rest.strip_prefix('(') {
            self.rest = after;
            let func = Func::by_name(ident)?;
            self.depth += 1;
            if self.depth > MAX_TEMPLATE_NESTING {
                return Err(format!(
                    "function calls nest more than {MAX_TEMPLATE_NESTING} deep"
                ));
            }
            let mut args = Vec::new();
            loop {
                self.rest = self.rest.trim_start();
                if let Some(after) = self.rest.strip_prefix(')') {
                    self.rest = after;
                    break;
                }
                if !args.is_empty() {
                    self.rest = self
                        .rest
                        .strip_prefix(',')
                        .ok_or("expected `,` or `)` between arguments")?;
                }
                args.push(self.expr()?);
            }
            func.check_arity(args.len())?;
            self.depth -= 1;
            return Ok(Expr::Call(func, args));
        }
        Ok(match ident.strip_prefix("env.") {
            Some(name) if !name.is_empty() => Expr::Env(name.to_string()),
            Some(_) => return Err("expected a name after `env.`".into()),
            None => Expr::Var(ident.to_string()),
        })
    }
}

/// Text form of a JSON value in a URL, header or string: strings without quotes.
pub fn value_to_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A JSON value whose strings may interpolate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum JsonTemplate {
    /// No interpolation anywhere below: used as is.
    Literal(#[serde(with = "super::cache::codec::json_value")] Value),
    Str(Template),
    /// An integer beyond 64 bits, as written (`case::exact`): sent as these digits.
    Integer(String),
    Array(Vec<JsonTemplate>),
    Object(Vec<(String, JsonTemplate)>),
}

impl JsonTemplate {
    pub fn parse(v: &Value) -> Result<JsonTemplate, TemplateError> {
        if !contains_template(v) {
            return Ok(JsonTemplate::Literal(v.clone()));
        }
        Ok(match v {
            Value::String(s) => JsonTemplate::Str(Template::parse(s)?),
            Value::Array(items) => JsonTemplate::Array(
                items
                    .iter()
                    .map(JsonTemplate::parse)
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => JsonTemplate::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), JsonTemplate::parse(v)?)))
                    .collect::<Result<_, _>>()?,
            ),
            other => JsonTemplate::Literal(other.clone()),
        })
    }

    pub fn exprs(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        self.collect_exprs(&mut out);
        out
    }

    fn collect_exprs<'a>(&'a self, out: &mut Vec<&'a Expr>) {
        match self {
            JsonTemplate::Literal(_) | JsonTemplate::Integer(_) => {}
            JsonTemplate::Str(t) => out.extend(t.exprs()),
            JsonTemplate::Array(items) => items.iter().for_each(|i| i.collect_exprs(out)),
            JsonTemplate::Object(fields) => fields.iter().for_each(|(_, v)| v.collect_exprs(out)),
        }
    }

    pub fn render(&self, vars: &Vars) -> Result<Value, RenderError> {
        Ok(match self {
            JsonTemplate::Literal(v) => v.clone(),
            // The nearest f64: a `Value` holds no more (the wire gets the digits, `to_json_bytes`).
            JsonTemplate::Integer(digits) => digits
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or(Value::Null, Value::Number),
            JsonTemplate::Str(t) => match t.single_expr() {
                Some(e) => e.eval(vars)?,
                None => Value::String(t.render(vars)?),
            },
            JsonTemplate::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| i.render(vars))
                    .collect::<Result<_, _>>()?,
            ),
            JsonTemplate::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), v.render(vars)?)))
                    .collect::<Result<_, RenderError>>()?,
            ),
        })
    }
}

fn contains_template(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains("{{"),
        Value::Array(items) => items.iter().any(contains_template),
        Value::Object(map) => map.values().any(contains_template),
        _ => false,
    }
}

/// A variable that has no value at run time (its capture failed or was skipped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    pub expr: Expr,
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.expr {
            Expr::Var(name) => write!(
                f,
                "variable `{name}` has no value (the case that captures it failed or did not run)"
            ),
            Expr::Env(name) => write!(f, "environment variable `{name}` is not set"),
            other => write!(f, "cannot compute `{other}`"),
        }
    }
}

/// `{{ unique }}`: a value of its own for each live run, for fields a server keeps unique.
pub const UNIQUE: &str = "unique";
/// What `{{ unique }}` is on playback, and what recordings store in place of a live run's value,
/// so that playback matches whatever run recorded them (16 characters, like a live value).
pub const UNIQUE_PLACEHOLDER: &str = "uniq000000000000";

/// Variable values at run time: the API's variables, then captures of earlier cases in the file.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    pub values: HashMap<String, Value>,
    pub env: HashMap<String, String>,
    /// The instant `timestamp()` reads: fixed per request so that a value and its signature agree.
    pub now: Option<SystemTime>,
}

impl Vars {
    pub fn lookup(&self, e: &Expr) -> Result<Value, RenderError> {
        let found = match e {
            Expr::Var(name) => self.values.get(name).cloned(),
            Expr::Env(name) => self.env.get(name).cloned().map(Value::String),
            other => return other.eval(self),
        };
        found.ok_or_else(|| RenderError { expr: e.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_literals_and_expressions() {
        let t = Template::parse("/a/{{ id }}/b{{env.TOKEN}}").unwrap();
        assert_eq!(
            t.parts,
            vec![
                Part::Lit("/a/".into()),
                Part::Expr(Expr::Var("id".into())),
                Part::Lit("/b".into()),
                Part::Expr(Expr::Env("TOKEN".into())),
            ]
        );
    }

    #[test]
    fn rejects_unclosed_and_invalid() {
        assert_eq!(Template::parse("a {{ b").unwrap_err().offset, 2);
        assert!(Template::parse("{{ a b }}")
            .unwrap_err()
            .message
            .contains("a b"));
    }

    #[test]
    fn functions_compute_signatures() {
        let t =
            Template::parse("{{ md5(concat(env.K, \"secret\")) }}/{{ base64(\"a:b\") }}").unwrap();
        let mut vars = Vars::default();
        vars.env.insert("K".into(), "key".into());
        // md5("keysecret")
        assert_eq!(
            t.render(&vars).unwrap(),
            "4ca8dbe87d76306ae00cce35967b619b/YTpi"
        );
        assert!(Template::parse("{{ md6(x) }}")
            .unwrap_err()
            .message
            .contains("did you mean `md5`"));
        assert!(Template::parse("{{ md5(a, b) }}")
            .unwrap_err()
            .message
            .contains("takes 1 argument"));
    }

    #[test]
    fn nesting_is_bounded() {
        let nest = |n: usize| format!("{{{{ {}word{} }}}}", "md5(".repeat(n), ")".repeat(n));
        assert!(Template::parse(&nest(MAX_TEMPLATE_NESTING)).is_ok());
        let err = Template::parse(&nest(30_000)).unwrap_err();
        assert!(
            err.message.contains("nest more than 32 deep"),
            "{}",
            err.message
        );
    }

    #[test]
    fn whole_string_interpolation_keeps_json_type() {
        let t = JsonTemplate::parse(&json!({"id": "{{ id }}", "label": "n{{ id }}"})).unwrap();
        let mut vars = Vars::default();
        vars.values.insert("id".into(), json!(7));
        assert_eq!(t.render(&vars).unwrap(), json!({"id": 7, "label": "n7"}));
    }
}
