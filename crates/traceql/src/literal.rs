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

/// An attribute name as written after a scope: bare when it lexes as one, quoted otherwise.
pub fn attr_name(name: &str) -> String {
    let plain = !name.is_empty()
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | ':'))
        && !name.starts_with(['.', ':']);
    if plain { name.to_owned() } else { quote(name) }
}

/// A model value as a TraceQL literal, for a condition that matches it exactly; `None` for values
/// TraceQL cannot compare (bytes, arrays, maps, empty).
#[cfg(feature = "model")]
pub fn value_literal(set: &spanlens_model::TraceSet, value: &spanlens_model::AnyValue) -> Option<String> {
    use spanlens_model::AnyValue;
    match value {
        AnyValue::Str(s) => Some(quote(set.resolve(*s))),
        AnyValue::Int(i) => Some(i.to_string()),
        AnyValue::Bool(b) => Some(b.to_string()),
        // `{:?}` keeps a decimal point, so the literal lexes as a float.
        AnyValue::Float(f) if f.is_finite() => Some(format!("{f:?}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{attr_name, quote};

    #[test]
    fn attribute_names_are_quoted_only_when_needed() {
        assert_eq!(attr_name("http.status_code"), "http.status_code");
        assert_eq!(attr_name("has space"), r#""has space""#);
        assert_eq!(attr_name(".lead"), r#"".lead""#);
    }

    #[test]
    fn quoted_strings_escape_what_the_lexer_unescapes() {
        assert_eq!(quote("cart"), r#""cart""#);
        assert_eq!(quote("a\"b\\c\nd\te"), r#""a\"b\\c\nd\te""#);
    }
}
