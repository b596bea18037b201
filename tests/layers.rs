//! Dependencies only go downward: reads every `src/**/*.rs`, finds the modules each one refers to
//! (`use crate::…`, `crate::x::…` in code, `super::…` resolved from the file's place), and fails
//! when a top-level module refers to one of its own layer or a higher one, or when two sibling
//! files of one folder refer to each other. The layer table below is the one place the order is
//! defined; docs/architecture.md mirrors it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules of `src/`, lowest layer first. A module may refer only to modules of lower
/// layers; modules of one layer are independent of each other.
const LAYERS: &[(&str, &[&str])] = &[
    ("leaves", &["diag", "exit", "fsutil", "http"]),
    ("leaf helpers", &["json", "schema"]),
    ("the case model", &["case"]),
    (
        "on the model",
        &["redact", "plan", "editor_schema", "import"],
    ),
    // What record, playback, snapshots and drift store and compare of an exchange.
    ("normalisation", &["normalize"]),
    ("checks", &["check", "spec_check"]),
    ("running", &["run"]),
    ("around a run", &["mock", "coverage", "fuzzing"]),
    ("results", &["report", "error"]),
    // Drift renders a section of the run's HTML report.
    ("results on results", &["drift"]),
    ("orchestration", &["session"]),
    ("command line", &["cli"]),
];

/// Crate-root files: they declare modules (`lib.rs`) or call the library (`main.rs`).
const ROOT_FILES: &[&str] = &["lib", "main"];

/// One reference from a file to a module path, e.g. `crate::check::snapshot` -> `[check, snapshot]`.
struct Reference {
    file: PathBuf,
    line: usize,
    text: String,
    target: Vec<String>,
}

#[test]
fn every_module_has_a_layer_and_a_layer_appears_once() {
    let mut seen = BTreeSet::new();
    for (_, modules) in LAYERS {
        for m in *modules {
            assert!(seen.insert(*m), "`{m}` is listed twice in LAYERS");
        }
    }
    let missing: Vec<String> = top_level_modules()
        .into_iter()
        .filter(|m| !seen.contains(m.as_str()) && !ROOT_FILES.contains(&m.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "src/ modules missing from LAYERS in tests/layers.rs (and docs/architecture.md): {}",
        missing.join(", ")
    );
}

#[test]
fn top_level_modules_depend_only_downward() {
    let layer = layer_of();
    let mut problems = Vec::new();
    let mut edges: BTreeMap<(String, String), &Reference> = BTreeMap::new();
    let refs = all_references();
    for r in &refs {
        let from = top_of(&r.file);
        let to = &r.target[0];
        if ROOT_FILES.contains(&from.as_str()) || &from == to {
            continue;
        }
        let (Some(&(fl, fname)), Some(&(tl, tname))) = (layer.get(&from), layer.get(to)) else {
            continue;
        };
        if tl >= fl {
            problems.push(format!(
                "{}:{}: `{from}` (layer {fl}, {fname}) refers to `{to}` (layer {tl}, {tname}): \
                 only lower layers may be used\n    {}",
                r.file.display(),
                r.line,
                r.text
            ));
        }
        edges.entry((from, to.clone())).or_insert(r);
    }
    problems.extend(mutual(&edges, |m| format!("`{m}`")));
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn sibling_files_do_not_refer_to_each_other() {
    let refs = all_references();
    let mut edges: BTreeMap<(PathBuf, PathBuf), &Reference> = BTreeMap::new();
    for r in &refs {
        if let Some(sibling) = sibling_target(&r.file, &r.target) {
            edges.entry((r.file.clone(), sibling)).or_insert(r);
        }
    }
    let problems = mutual(&edges, |p| p.display().to_string());
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

/// One message per pair of nodes with an edge each way, showing the first reference of each.
fn mutual<K: Ord + Clone>(
    edges: &BTreeMap<(K, K), &Reference>,
    name: impl Fn(&K) -> String,
) -> Vec<String> {
    let mut out = Vec::new();
    for ((a, b), r) in edges {
        let Some(back) = (a < b)
            .then(|| edges.get(&(b.clone(), a.clone())))
            .flatten()
        else {
            continue;
        };
        out.push(format!(
            "{} and {} refer to each other:\n    {}:{}: {}\n    {}:{}: {}",
            name(a),
            name(b),
            r.file.display(),
            r.line,
            r.text,
            back.file.display(),
            back.line,
            back.text
        ));
    }
    out
}

/// The checker itself: references are found in `use` trees, in code and through `super`.
#[test]
fn references_are_found_and_resolved() {
    let src = "use crate::{case::Api, json};\nuse super::super::model::Case;\n\
               // crate::ignored in a comment\nlet x = crate::diag::did_you_mean(a, b);\n\
               use super::{endpoint::split_path, ApiLowering};\n";
    let found = references(Path::new("src/case/lower/api.rs"), src);
    let got: Vec<(usize, String)> = found
        .iter()
        .map(|r| (r.line, r.target.join("::")))
        .collect();
    let want = [
        (1, "case::Api"),
        (1, "json"),
        (2, "case::model::Case"),
        (4, "diag::did_you_mean"),
        (5, "case::lower::endpoint::split_path"),
        (5, "case::lower::ApiLowering"),
    ];
    let want: Vec<(usize, String)> = want.iter().map(|(l, t)| (*l, t.to_string())).collect();
    assert_eq!(got, want);
    assert_eq!(
        sibling_target(Path::new("src/case/lower/api.rs"), &found[4].target),
        Some(PathBuf::from("src/case/lower/endpoint.rs"))
    );
}

fn layer_of() -> BTreeMap<String, (usize, &'static str)> {
    let mut out = BTreeMap::new();
    for (i, (name, modules)) in LAYERS.iter().enumerate() {
        for m in *modules {
            out.insert(m.to_string(), (i, *name));
        }
    }
    out
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn top_level_modules() -> BTreeSet<String> {
    std::fs::read_dir(src_dir())
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            let name = path.file_stem()?.to_string_lossy().into_owned();
            (path.is_dir() || path.extension().is_some_and(|x| x == "rs")).then_some(name)
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

fn all_references() -> Vec<Reference> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    files
        .iter()
        .flat_map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            references(path.strip_prefix(root).unwrap(), &text)
        })
        .collect()
}

/// The module path of a file: `src/case/lower/api.rs` -> `[case, lower, api]`.
fn module_path(file: &Path) -> Vec<String> {
    let mut parts: Vec<String> = file
        .iter()
        .skip(1)
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") || parts == ["lib"] || parts == ["main"] {
        parts.pop();
    }
    parts
}

fn top_of(file: &Path) -> String {
    module_path(file)
        .first()
        .cloned()
        .unwrap_or_else(|| file.file_stem().unwrap().to_string_lossy().into_owned())
}

/// The sibling file a reference names, when it names a module of the file's own folder.
fn sibling_target(file: &Path, target: &[String]) -> Option<PathBuf> {
    if file.file_name()? == "mod.rs" {
        return None;
    }
    let own = module_path(file);
    let (me, parent) = own.split_last()?;
    let next = target.get(parent.len())?;
    if parent.is_empty() || target[..parent.len()] != *parent || next == me {
        return None;
    }
    let dir = file.parent()?;
    [
        dir.join(format!("{next}.rs")),
        dir.join(next).join("mod.rs"),
    ]
    .into_iter()
    .find(|p| Path::new(env!("CARGO_MANIFEST_DIR")).join(p).is_file())
}

/// Every `crate::…` and `super::…` path in `text`, resolved to a path from the crate root.
fn references(file: &Path, text: &str) -> Vec<Reference> {
    let own = module_path(file);
    let mut out = Vec::new();
    for (line, code, shown) in logical_lines(text) {
        let mut rest = code.as_str();
        while let Some(at) = find_path_start(rest) {
            let (base, after) = resolve_prefix(&own, &rest[at..]);
            for tail in expand(after) {
                let mut target = base.clone();
                target.extend(tail);
                if !target.is_empty() {
                    out.push(Reference {
                        file: file.to_path_buf(),
                        line,
                        text: shown.clone(),
                        target,
                    });
                }
            }
            rest = after;
        }
    }
    out
}

/// (line number, code without comments, the first line as written). A `use` tree spread over
/// several lines is joined into one.
fn logical_lines(text: &str) -> Vec<(usize, String, String)> {
    let mut out: Vec<(usize, String, String)> = Vec::new();
    let mut open = false;
    for (i, line) in text.lines().enumerate() {
        let code = strip_comment(line);
        if open {
            let last = out.last_mut().unwrap();
            last.1.push_str(code.trim());
            open = !code.contains(';');
            continue;
        }
        let trimmed = code.trim_start();
        let is_use = trimmed.starts_with("use ") || trimmed.starts_with("pub use ");
        open = is_use && !code.contains(';');
        out.push((i + 1, code.to_string(), line.trim().to_string()));
    }
    out
}

fn strip_comment(line: &str) -> &str {
    match line.find("//") {
        Some(i) if !line[..i].contains('"') => &line[..i],
        _ => line,
    }
}

/// Where the next `crate::` or `super::` path starts (not inside a longer identifier).
fn find_path_start(s: &str) -> Option<usize> {
    let mut best: Option<usize> = None;
    for key in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = s[from..].find(key) {
            let at = from + i;
            let before = s[..at].chars().next_back();
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                best = Some(best.map_or(at, |b| b.min(at)));
                break;
            }
            from = at + key.len();
        }
    }
    best
}

/// `crate::x…` -> (`[]`, `x…`); `super::super::x…` -> (the grandparent's path, `x…`).
fn resolve_prefix<'s>(own: &[String], s: &'s str) -> (Vec<String>, &'s str) {
    if let Some(rest) = s.strip_prefix("crate::") {
        return (Vec::new(), rest);
    }
    let mut base = own.to_vec();
    let mut rest = s;
    while let Some(r) = rest.strip_prefix("super::") {
        base.pop();
        rest = r;
    }
    (base, rest)
}

/// The module paths named by a path or use tree: `a::b::C` -> `[[a, b, C]]`,
/// `{a::X, b}` -> `[[a, X], [b]]`. Stops at the first token that is not part of a path.
fn expand(s: &str) -> Vec<Vec<String>> {
    let s = s.trim_start();
    if let Some(inner) = s.strip_prefix('{') {
        let Some(end) = matching_brace(inner) else {
            return Vec::new();
        };
        return split_top_level(&inner[..end])
            .into_iter()
            .flat_map(expand)
            .filter(|p| p.first().is_some_and(|f| f != "self"))
            .collect();
    }
    let ident: String = s
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if ident.is_empty() {
        return Vec::new();
    }
    let rest = &s[ident.len()..];
    match rest.strip_prefix("::") {
        Some(r) => {
            let tails = expand(r);
            if tails.is_empty() {
                return vec![vec![ident]];
            }
            tails
                .into_iter()
                .map(|mut t| {
                    t.insert(0, ident.clone());
                    t
                })
                .collect()
        }
        None => vec![vec![ident]],
    }
}

fn matching_brace(s: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}
