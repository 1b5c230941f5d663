//! Writing TraceQL literals: the one place that escapes a string for a query (autocomplete values, the
//! queries a search form writes for Tempo, a link to a service's spans).

/// A TraceQL string literal: `"` and `\` escaped, and the control characters the lexer knows.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoted_strings_escape_what_the_lexer_unescapes() {
        assert_eq!(quote("cart"), r#""cart""#);
        assert_eq!(quote("a\"b\\c\nd\te"), r#""a\"b\\c\nd\te""#);
    }
}
