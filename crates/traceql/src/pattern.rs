//! TraceQL regexes (`=~`, `!~`): RE2 syntax, matched against the whole value, `.` matching `\n`.
//!
//! Compiled with `regex-lite`, which is a fraction of the `regex` crate's size in the browser bundle
//! (no Unicode tables, no lazy DFA: about 0.27 MB gzip less, see BENCHMARKS.md), but much slower on
//! patterns that scan (`.*error.*` is ~25× slower). The shapes people actually write in a trace
//! query are recognised first and matched without any regex engine: a literal (`GET /cart`), a
//! prefix (`GET .*`), a suffix, a substring (`.*timeout.*`), both ends (`GET .*/items`), a set of
//! literals (`frontend|cart|checkout`), each optionally case-insensitive (`(?i)...`). Everything else
//! goes to `regex-lite`.
//!
//! Differences from RE2 (Go, as Tempo runs it) that remain: `\pL`-style Unicode classes are rejected
//! as invalid; `(?i)` folds only ASCII letters except in the literal shapes above, which fold any
//! letter with a single-character lower case; `\w`, `\d`, `\s` and `\b` are ASCII, as in RE2.

/// A compiled TraceQL regex.
#[derive(Clone, Debug)]
pub struct Pattern {
    shape: Shape,
    /// Always compiled, so that a pattern is validated the same way whichever path matches it.
    regex: regex_lite::Regex,
}

/// What a pattern reduces to when it is made only of literal text, `.*` and `|`.
#[derive(Clone, Debug, PartialEq)]
enum Shape {
    /// Not one of the shapes below: matched by `regex-lite`.
    General,
    /// `.*`: anything.
    Any,
    /// `a`, `a|b|c`: one of these, exactly.
    OneOf { literals: Vec<String>, fold: bool },
    /// `a.*`, `.*b`, `a.*b`: starts with `prefix` and ends with `suffix`, not overlapping.
    Ends { prefix: String, suffix: String, fold: bool },
    /// `.*a.*`: contains `needle`.
    Contains { needle: String, fold: bool },
}

/// A failed compile, with the engine's message.
#[derive(Clone, Debug)]
pub struct PatternError(String);

impl std::fmt::Display for PatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PatternError {}

/// Compiles a TraceQL regex: RE2 syntax, fully anchored, `.` matches `\n`.
pub fn compile_regex(pattern: &str) -> Result<Pattern, PatternError> {
    let regex = regex_lite::RegexBuilder::new(&format!("^(?s:{pattern})$"))
        .size_limit(1 << 22)
        .build()
        .map_err(|e| PatternError(e.to_string()))?;
    Ok(Pattern { shape: shape_of(pattern), regex })
}

impl Pattern {
    /// Whether the whole of `value` matches.
    pub fn is_match(&self, value: &str) -> bool {
        match &self.shape {
            Shape::General => self.regex.is_match(value),
            Shape::Any => true,
            Shape::OneOf { literals, fold } => literals.iter().any(|l| equal(value, l, *fold)),
            Shape::Ends { prefix, suffix, fold } => ends_match(value, prefix, suffix, *fold),
            Shape::Contains { needle, fold } => contains(value, needle, *fold),
        }
    }
}

/// One piece of a pattern, as far as the shapes care.
#[derive(Clone, Copy, PartialEq)]
enum Token {
    Char(char),
    AnyRun,
    Bar,
}

/// The pattern's tokens, or `None` when it holds anything but literal text, `.*` and `|`.
fn tokens(pattern: &str) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    let mut chars = pattern.chars().peekable();
    let mut first = true;
    while let Some(c) = chars.next() {
        let at_start = std::mem::replace(&mut first, false);
        match c {
            // Anchors at the very ends are what the full match does anyway.
            '^' if at_start => {}
            '$' if chars.peek().is_none() => {}
            '\\' => match chars.next() {
                Some(e) if e.is_ascii_punctuation() => out.push(Token::Char(e)),
                _ => return None,
            },
            '.' if chars.peek() == Some(&'*') => {
                chars.next();
                // Lazy or greedy, a run matches the same whole values.
                if chars.peek() == Some(&'?') {
                    chars.next();
                }
                if out.last() != Some(&Token::AnyRun) {
                    out.push(Token::AnyRun);
                }
            }
            '|' => out.push(Token::Bar),
            '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '^' | '$' => return None,
            c => out.push(Token::Char(c)),
        }
    }
    Some(out)
}

fn shape_of(pattern: &str) -> Shape {
    let (fold, rest) = match pattern.strip_prefix("(?i)") {
        Some(rest) => (true, rest),
        None => (false, pattern),
    };
    let Some(tokens) = tokens(rest) else { return Shape::General };
    // Folding is exact only for letters whose lower case is one character (see `fold_char`).
    let foldable = |s: &str| s.chars().all(|c| c.is_ascii() || c.to_lowercase().count() == 1);
    let text = |ts: &[Token]| -> Option<String> {
        ts.iter().map(|t| if let Token::Char(c) = t { Some(*c) } else { None }).collect()
    };
    let shape = if tokens.contains(&Token::Bar) {
        let literals: Option<Vec<String>> = tokens.split(|t| *t == Token::Bar).map(text).collect();
        match literals {
            Some(literals) => Shape::OneOf { literals, fold },
            None => Shape::General,
        }
    } else {
        let runs: Vec<usize> =
            tokens.iter().enumerate().filter(|(_, t)| **t == Token::AnyRun).map(|(i, _)| i).collect();
        let last = tokens.len().saturating_sub(1);
        match runs.as_slice() {
            [] => text(&tokens).map_or(Shape::General, |l| Shape::OneOf { literals: vec![l], fold }),
            [0] if tokens.len() == 1 => Shape::Any,
            [i] => match (text(&tokens[..*i]), text(&tokens[i + 1..])) {
                (Some(prefix), Some(suffix)) => Shape::Ends { prefix, suffix, fold },
                _ => Shape::General,
            },
            [0, j] if *j == last => {
                text(&tokens[1..last]).map_or(Shape::General, |needle| Shape::Contains { needle, fold })
            }
            _ => Shape::General,
        }
    };
    let texts_foldable = match &shape {
        Shape::OneOf { literals, .. } => literals.iter().all(|l| foldable(l)),
        Shape::Ends { prefix, suffix, .. } => foldable(prefix) && foldable(suffix),
        Shape::Contains { needle, .. } => foldable(needle),
        Shape::General | Shape::Any => true,
    };
    if fold && !texts_foldable { Shape::General } else { shape }
}

/// A letter's simple case fold as far as these shapes need it: its lower case, when that is one
/// character (`K` and the Kelvin sign both give `k`).
fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn equal(value: &str, literal: &str, fold: bool) -> bool {
    if !fold {
        return value == literal;
    }
    if value.is_ascii() && literal.is_ascii() {
        return value.eq_ignore_ascii_case(literal);
    }
    value.chars().map(fold_char).eq(literal.chars().map(fold_char))
}

fn ends_match(value: &str, prefix: &str, suffix: &str, fold: bool) -> bool {
    if !fold {
        return value.len() >= prefix.len() + suffix.len() && value.starts_with(prefix) && value.ends_with(suffix);
    }
    if value.is_ascii() && prefix.is_ascii() && suffix.is_ascii() {
        let v = value.as_bytes();
        return v.len() >= prefix.len() + suffix.len()
            && v[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
            && v[v.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes());
    }
    let v: Vec<char> = value.chars().map(fold_char).collect();
    let p: Vec<char> = prefix.chars().map(fold_char).collect();
    let s: Vec<char> = suffix.chars().map(fold_char).collect();
    v.len() >= p.len() + s.len() && v.starts_with(&p) && v.ends_with(&s)
}

fn contains(value: &str, needle: &str, fold: bool) -> bool {
    if !fold {
        return value.contains(needle);
    }
    if needle.is_ascii() {
        // An ASCII byte never occurs inside a multi-byte character, so bytes compare safely.
        let n = needle.as_bytes();
        return n.is_empty() || value.as_bytes().windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    let v: Vec<char> = value.chars().map(fold_char).collect();
    let n: Vec<char> = needle.chars().map(fold_char).collect();
    n.is_empty() || v.windows(n.len()).any(|w| w == n.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(p: &str) -> Shape {
        shape_of(p)
    }

    #[test]
    fn common_shapes_are_recognised() {
        assert_eq!(shape("GET /cart"), Shape::OneOf { literals: vec!["GET /cart".into()], fold: false });
        assert_eq!(shape("GET .*"), Shape::Ends { prefix: "GET ".into(), suffix: String::new(), fold: false });
        assert_eq!(shape(".*\\.svc"), Shape::Ends { prefix: String::new(), suffix: ".svc".into(), fold: false });
        assert_eq!(shape("(?i).*timeout.*"), Shape::Contains { needle: "timeout".into(), fold: true });
        assert_eq!(shape("a|b|c"), Shape::OneOf { literals: vec!["a".into(), "b".into(), "c".into()], fold: false });
        assert_eq!(shape("^api.*v2$"), Shape::Ends { prefix: "api".into(), suffix: "v2".into(), fold: false });
        assert_eq!(shape(".*.*"), Shape::Any);
        for general in ["a+", "[ab]", "a.b", "(a|b)c", "\\d+", "a.*b.*c", ".*a|b", "x^", "(?s)a", "\\x41"] {
            assert_eq!(shape(general), Shape::General, "{general}");
        }
    }

    /// Every fast shape answers exactly as the engine does, over patterns and values built from a
    /// small alphabet (so that overlaps, empty parts and case are all exercised).
    #[test]
    fn fast_shapes_agree_with_the_engine() {
        let atoms = ["a", "A", "b", ".*", "|", "\\.", ".", "é", "É", "K", "\u{212A}"];
        let values: Vec<String> = {
            let letters = ["", "a", "A", "b", ".", "é", "É", "k", "K", "x", "\n"];
            let mut v = Vec::new();
            for x in letters {
                for y in letters {
                    for z in ["", "a", "b", "é"] {
                        v.push(format!("{x}{y}{z}"));
                    }
                }
            }
            v
        };
        let mut patterns = vec![String::new()];
        for _ in 0..3 {
            let mut next = Vec::new();
            for p in &patterns {
                for a in atoms {
                    next.push(format!("{p}{a}"));
                }
            }
            patterns.extend(next);
        }
        let mut checked = 0;
        for body in &patterns {
            for flags in ["", "(?i)"] {
                let p = format!("{flags}{body}");
                let Ok(compiled) = compile_regex(&p) else { continue };
                if compiled.shape == Shape::General {
                    continue;
                }
                // The engine folds ASCII only; the shapes fold more (tested below). Compare where
                // both mean the same.
                let fold = !flags.is_empty();
                if fold && !p.is_ascii() {
                    continue;
                }
                for v in &values {
                    if fold && !v.is_ascii() {
                        continue;
                    }
                    assert_eq!(compiled.is_match(v), compiled.regex.is_match(v), "{p:?} on {v:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 100_000, "only {checked} comparisons");
    }

    #[test]
    fn case_insensitive_literals_fold_beyond_ascii() {
        let p = compile_regex("(?i).*café.*").map_err(|e| e.to_string());
        assert!(p.as_ref().is_ok_and(|p| p.is_match("Le CAFÉ du coin")));
        let k = compile_regex("(?i)k").map_err(|e| e.to_string());
        assert!(k.as_ref().is_ok_and(|k| k.is_match("\u{212A}") && k.is_match("K")));
    }

    #[test]
    fn invalid_patterns_are_errors() {
        for bad in ["(", "[a", "a{2,1}", "\\pL", "a{1000}{1000}"] {
            assert!(compile_regex(bad).is_err(), "{bad}");
        }
    }
}
