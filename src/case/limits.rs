//! Nesting limits on what a case file may write, so that a hostile or generated file is a located
//! error instead of a stack overflow. The parsers of templates (`template`) and JSONPaths
//! (`serde_json_path`, recursive descent) recurse once per level; evaluating the result recurses
//! again at run time on tokio worker threads, whose stacks are 2 MiB (the main thread has 8 MiB).
//! YAML nesting itself is bounded by serde-saphyr's budget (`max_depth`, 64 levels).

use serde_json_path::JsonPath;

/// The deepest a template may nest function calls: `md5(concat(a, b))` is 2. Signatures need a
/// handful; 32 leaves room while keeping parse, render and drop far from any stack limit.
pub const MAX_TEMPLATE_NESTING: usize = 32;

/// The deepest a JSONPath may nest brackets and parentheses: `$[?(@.a == 1)]` is 2.
pub const MAX_JSON_PATH_NESTING: usize = 32;

/// Parses a JSONPath after checking its nesting (the parser would overflow the stack first).
pub fn parse_json_path(text: &str) -> Result<JsonPath, String> {
    let depth = nesting(text);
    if depth > MAX_JSON_PATH_NESTING {
        return Err(format!(
            "brackets and parentheses nest {depth} deep: expected at most {MAX_JSON_PATH_NESTING}"
        ));
    }
    JsonPath::parse(text).map_err(|e| e.to_string())
}

/// The deepest nesting of `(` and `[` in a JSONPath, outside its quoted string literals.
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' | '[' => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                ')' | ']' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_brackets_outside_strings() {
        assert_eq!(nesting("$.a"), 0);
        assert_eq!(nesting("$[?(@.a == 1)]"), 2);
        assert_eq!(nesting("$[?@.name == '(((['][0]"), 1);
        assert_eq!(nesting(r#"$[?@.n == "a\"(("]"#), 1);
    }

    /// At the limit the parser still fits a 2 MiB thread stack (the test threads' size) in a
    /// debug build; one level more is refused before parsing.
    #[test]
    fn the_limit_parses_and_one_more_is_refused() {
        let n = MAX_JSON_PATH_NESTING - 1;
        let at_limit = format!("$[?{}@.a == 1{}]", "(".repeat(n), ")".repeat(n));
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || parse_json_path(&at_limit).map(|_| ()))
            .unwrap()
            .join()
            .unwrap()
            .unwrap();
        let over = format!("$[?{}@.a{}]", "(".repeat(5000), ")".repeat(5000));
        let err = parse_json_path(&over).unwrap_err();
        assert!(err.contains("5001 deep"), "{err}");
    }
}
