//! The lexer. It mirrors Tempo's, which wraps Go's `text/scanner`: Go
//! comments, Go string literals, greedy multi-character operators, an
//! attribute mode after `.`/`span.`/..., and duration detection right after
//! a number. It never fails: unreadable text becomes `TokenKind::Invalid`.

use crate::duration::parse_duration_nanos;
use crate::token::{Keyword, OPERATORS, ScopeColon, ScopeDot, Token, TokenKind};

/// Lexes the whole input. The result never contains an end-of-input token.
pub fn lex(src: &str) -> Vec<Token> {
    let mut lexer = Lexer { src, pos: 0, tokens: Vec::new() };
    lexer.run();
    lexer.tokens
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    tokens: Vec<Token>,
}

/// Runes that end an unquoted attribute name.
fn ends_attribute(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '{' | '}' | '(' | ')' | '=' | '~' | '!' | '<' | '>' | '&' | '|' | '^' | ',')
}

fn is_duration_rune(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '.' | 'n' | 's' | 'u' | 'm' | 'h' | 'µ' | 'd' | 'w' | 'y')
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.rest().chars().nth(n)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        self.tokens.push(Token { kind, range: start..self.pos });
    }

    fn run(&mut self) {
        while let Some(c) = self.peek() {
            let start = self.pos;
            match c {
                ' ' | '\t' | '\n' | '\r' => {
                    self.bump();
                }
                '/' if self.peek_at(1) == Some('/') => {
                    while let Some(c) = self.bump() {
                        if c == '\n' {
                            break;
                        }
                    }
                }
                '/' if self.peek_at(1) == Some('*') => self.block_comment(start),
                '"' => self.string(start),
                '`' => self.raw_string(start),
                '\'' => self.char_literal(start),
                '.' if self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) => self.number(start),
                '.' => {
                    self.bump();
                    self.push(TokenKind::Dot, start);
                    self.attribute(false);
                }
                c if c.is_ascii_digit() => self.number(start),
                c if is_ident_start(c) => self.word(start),
                _ => self.operator(start),
            }
        }
    }

    fn block_comment(&mut self, start: usize) {
        self.pos += 2;
        match self.rest().find("*/") {
            Some(end) => self.pos += end + 2,
            None => {
                self.pos = self.src.len();
                self.push(TokenKind::Invalid("comment not terminated".into()), start);
            }
        }
    }

    fn operator(&mut self, start: usize) {
        let rest = self.rest();
        if let Some((text, kind)) = OPERATORS.iter().find(|(t, _)| rest.starts_with(t)) {
            self.pos += text.len();
            self.push(kind.clone(), start);
            return;
        }
        // Go's scanner hands any other rune over as a one-rune token, which
        // Tempo turns into an IDENTIFIER (and the grammar then rejects).
        if let Some(c) = self.bump() {
            self.push(TokenKind::Ident(c.to_string()), start);
        }
    }

    fn word(&mut self, start: usize) {
        while self.peek().is_some_and(is_ident_continue) {
            self.bump();
        }
        let word = &self.src[start..self.pos];
        match self.peek() {
            Some('.') => {
                if let Some(scope) = ScopeDot::from_word(word) {
                    self.bump();
                    self.push(TokenKind::ScopeDot(scope), start);
                    self.attribute(scope == ScopeDot::Parent);
                    return;
                }
            }
            Some(':') => {
                if let Some(scope) = ScopeColon::from_word(word) {
                    self.bump();
                    self.push(TokenKind::ScopeColon(scope), start);
                    return;
                }
            }
            _ => {}
        }
        let kind = match Keyword::lookup(word) {
            Some(k) => TokenKind::Keyword(k),
            None => TokenKind::Ident(word.to_string()),
        };
        self.push(kind, start);
    }

    /// Attribute mode: everything up to whitespace or a structural rune is
    /// the name; quoted segments may contain anything.
    fn attribute(&mut self, after_parent: bool) {
        if after_parent {
            for (prefix, scope) in [("span.", ScopeDot::Span), ("resource.", ScopeDot::Resource)] {
                if self.rest().starts_with(prefix) {
                    let start = self.pos;
                    self.pos += prefix.len();
                    self.push(TokenKind::ScopeDot(scope), start);
                    break;
                }
            }
        }
        let start = self.pos;
        let mut name = String::new();
        let mut segment_start = true;
        while let Some(c) = self.peek() {
            if ends_attribute(c) {
                break;
            }
            if c == '"' && segment_start {
                self.bump();
                if let Err(message) = self.quoted_segment(&mut name) {
                    self.push(TokenKind::Invalid(message), start);
                    self.push(TokenKind::EndAttribute, self.pos);
                    return;
                }
                segment_start = false;
                continue;
            }
            self.bump();
            name.push(c);
            segment_start = c == '.';
        }
        if self.pos > start {
            self.push(TokenKind::AttrName(name), start);
        }
        self.push(TokenKind::EndAttribute, self.pos);
    }

    fn quoted_segment(&mut self, name: &mut String) -> Result<(), String> {
        loop {
            match self.bump() {
                None => return Err("unexpected EOF, expecting \"".into()),
                Some('"') => return Ok(()),
                Some('\\') => match self.bump() {
                    Some(c @ ('"' | '\\')) => name.push(c),
                    None => return Err("unexpected EOF, expecting \"".into()),
                    Some(_) => {
                        // Skip to the closing quote so lexing can resume.
                        while let Some(c) = self.bump() {
                            if c == '"' {
                                break;
                            }
                        }
                        return Err("invalid escape sequence".into());
                    }
                },
                Some(c) => name.push(c),
            }
        }
    }

    fn number(&mut self, start: usize) {
        let bytes = self.src.as_bytes();
        let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
        let mut i = self.pos;
        let mut is_float = false;
        let mut malformed = false;
        if at(i) == b'0' && matches!(at(i + 1), b'x' | b'X' | b'o' | b'O' | b'b' | b'B') {
            i += 2;
            while at(i).is_ascii_alphanumeric() || at(i) == b'_' {
                i += 1;
            }
            self.pos = i;
            self.push(TokenKind::Invalid("invalid integer: only decimal numbers are allowed".into()), start);
            return;
        }
        while at(i).is_ascii_digit() || at(i) == b'_' {
            malformed |= at(i) == b'_';
            i += 1;
        }
        if at(i) == b'.' {
            is_float = true;
            i += 1;
            while at(i).is_ascii_digit() || at(i) == b'_' {
                malformed |= at(i) == b'_';
                i += 1;
            }
        }
        if matches!(at(i), b'e' | b'E') {
            let mut j = i + 1;
            if matches!(at(j), b'+' | b'-') {
                j += 1;
            }
            if at(j).is_ascii_digit() {
                is_float = true;
                i = j;
                while at(i).is_ascii_digit() {
                    i += 1;
                }
            }
        }
        self.pos = i;
        let text = &self.src[start..i];
        let number = if malformed {
            TokenKind::Invalid(format!("invalid number: {text}"))
        } else if is_float {
            match text.parse::<f64>() {
                Ok(f) => TokenKind::Float(f),
                Err(_) => TokenKind::Invalid(format!("invalid float: {text}")),
            }
        } else {
            match text.parse::<i64>() {
                Ok(n) => TokenKind::Integer(n),
                Err(_) => TokenKind::Invalid(format!("integer out of range: {text}")),
            }
        };
        if !matches!(number, TokenKind::Invalid(_)) && self.peek().is_some_and(is_duration_rune) {
            let suffix_len: usize = self.rest().chars().take_while(|c| is_duration_rune(*c)).map(char::len_utf8).sum();
            let candidate = &self.src[start..self.pos + suffix_len];
            if let Some(nanos) = parse_duration_nanos(candidate) {
                self.pos += suffix_len;
                self.push(TokenKind::DurationNanos(nanos), start);
                return;
            }
        }
        self.push(number, start);
    }

    fn string(&mut self, start: usize) {
        self.bump();
        let mut value = String::new();
        let mut error: Option<String> = None;
        loop {
            match self.peek() {
                None | Some('\n') => {
                    self.push(TokenKind::Invalid("literal not terminated".into()), start);
                    return;
                }
                Some('"') => {
                    self.bump();
                    break;
                }
                Some('\\') => {
                    self.bump();
                    if let Err(e) = self.escape(&mut value) {
                        error.get_or_insert(e);
                    }
                }
                Some(c) => {
                    self.bump();
                    value.push(c);
                }
            }
        }
        let kind = match error {
            Some(e) => TokenKind::Invalid(e),
            None => TokenKind::String(value),
        };
        self.push(kind, start);
    }

    /// One Go escape sequence after the backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), String> {
        let Some(c) = self.peek() else {
            return Err("literal not terminated".into());
        };
        if c == '\n' {
            return Err("literal not terminated".into());
        }
        self.bump();
        let simple = match c {
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\u{b}'),
            '\\' => Some('\\'),
            '"' => Some('"'),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s);
            return Ok(());
        }
        let (digits, radix) = match c {
            'x' => (2, 16),
            'u' => (4, 16),
            'U' => (8, 16),
            '0'..='7' => (2, 8),
            _ => return Err("invalid escape sequence in string".into()),
        };
        let mut value: u32 = if radix == 8 { c.to_digit(8).unwrap_or(0) } else { 0 };
        for _ in 0..digits {
            let d = self.peek().and_then(|d| d.to_digit(radix)).ok_or("invalid escape sequence in string")?;
            self.bump();
            value = value * radix + d;
        }
        if c == 'x' || radix == 8 {
            // Byte escapes: Go strings may hold invalid UTF-8; keep ASCII,
            // map the rest to the Latin-1 code point.
            if value > 255 {
                return Err("octal escape value > 255".into());
            }
            out.push(char::from(value as u8));
        } else {
            out.push(char::from_u32(value).ok_or("escape sequence is invalid Unicode code point")?);
        }
        Ok(())
    }

    fn raw_string(&mut self, start: usize) {
        self.bump();
        match self.rest().find('`') {
            Some(end) => {
                let value = self.rest()[..end].replace('\r', "");
                self.pos += end + 1;
                self.push(TokenKind::String(value), start);
            }
            None => {
                self.pos = self.src.len();
                self.push(TokenKind::Invalid("literal not terminated".into()), start);
            }
        }
    }

    /// Go char literals are not strings in TraceQL; Tempo passes their text
    /// on as an identifier, which the grammar rejects.
    fn char_literal(&mut self, start: usize) {
        self.bump();
        while let Some(c) = self.bump() {
            match c {
                '\\' => {
                    self.bump();
                }
                '\'' | '\n' => break,
                _ => {}
            }
        }
        let text = self.src[start..self.pos].to_string();
        self.push(TokenKind::Ident(text), start);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn names(src: &str) -> Vec<&'static str> {
        lex(src).iter().map(|t| t.kind.tempo_name()).collect()
    }

    #[test]
    fn attributes() {
        assert_eq!(names(".foo"), ["DOT", "IDENTIFIER", "END_ATTRIBUTE"]);
        assert_eq!(names(". foo"), ["DOT", "END_ATTRIBUTE", "IDENTIFIER"]);
        assert_eq!(names("parent.span.foo"), ["PARENT_DOT", "SPAN_DOT", "IDENTIFIER", "END_ATTRIBUTE"]);
        assert_eq!(
            names(".foo}.bar"),
            ["DOT", "IDENTIFIER", "END_ATTRIBUTE", "CLOSE_BRACE", "DOT", "IDENTIFIER", "END_ATTRIBUTE"]
        );
        let toks = lex(r#"span."a b".c"#);
        assert_eq!(toks[1].kind, TokenKind::AttrName("a b.c".into()));
        let toks = lex(r#".foo."bar \" baz""#);
        assert_eq!(toks[1].kind, TokenKind::AttrName("foo.bar \" baz".into()));
        assert_eq!(names(".a+1"), ["DOT", "IDENTIFIER", "END_ATTRIBUTE"]);
    }

    #[test]
    fn numbers_and_durations() {
        assert_eq!(lex("1.5m")[0].kind, TokenKind::DurationNanos(90_000_000_000));
        assert_eq!(names("1.5d"), ["FLOAT", "IDENTIFIER"]);
        assert_eq!(names("1t"), ["INTEGER", "IDENTIFIER"]);
        assert_eq!(names(".3"), ["FLOAT"]);
        assert_eq!(names(".24h"), ["DURATION"]);
        assert_eq!(names("1e3"), ["FLOAT"]);
        assert_eq!(names("0x10"), ["INVALID"]);
        assert_eq!(names("1_000"), ["INVALID"]);
        assert_eq!(names("100000000000000000000000"), ["INVALID"]);
    }

    #[test]
    fn operators_and_strings() {
        assert_eq!(names("!<< &>> == & :"), ["NOT_ANCE", "UNION_DESC", "EQ", "EQ", "IDENTIFIER", "IDENTIFIER"]);
        assert_eq!(lex(r#""a\tb\x41""#)[0].kind, TokenKind::String("a\tbA".into()));
        assert_eq!(lex("`raw\\n`")[0].kind, TokenKind::String("raw\\n".into()));
        assert_eq!(names("/* c */ 1 // x"), ["INTEGER"]);
        assert_eq!(names("\"open"), ["INVALID"]);
        assert_eq!(names("span:id trace:x"), ["SPAN_COLON", "ID", "TRACE_COLON", "IDENTIFIER"]);
    }

    #[test]
    fn ranges_are_byte_offsets() {
        let toks = lex("{ span.µ = 1 }");
        assert_eq!(toks[2].range, 7..9);
        assert_eq!(toks[3].range, 9..9);
    }
}
