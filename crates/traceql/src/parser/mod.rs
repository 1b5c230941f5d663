//! Recursive-descent parser. Field expressions (inside `{ }`) are parsed
//! with precedence climbing that reproduces Tempo's yacc precedence table.
//! The query level is first parsed into a loose tree (`QNode`) with the same
//! operator table and then lowered into the typed AST, rejecting the shapes
//! Tempo's grammar rejects. Errors are collected, not thrown: after an error
//! inside `{ ... }` the parser skips to the matching `}` and goes on.

mod field;
mod lower;
mod query;

use crate::ast::{Intrinsic, Query};
use crate::error::{Error, ErrorKind, Errors};
use crate::lexer::lex;
use crate::token::{Keyword, ScopeColon};
use crate::token::{Token, TokenKind};
use std::ops::Range;

/// `scope:name` intrinsic, for autocomplete.
pub fn field_scoped_intrinsic(scope: ScopeColon, k: Keyword) -> Option<Intrinsic> {
    field::scoped_intrinsic(scope, k)
}

/// Bare intrinsic keyword, for autocomplete.
pub fn field_bare_intrinsic(k: Keyword) -> Option<Intrinsic> {
    field::bare_intrinsic(k)
}

/// Past this nesting depth the parser gives up, so deep input cannot
/// overflow the stack here or in the recursive passes that follow.
pub const MAX_DEPTH: u32 = 512;

/// Parses a query. On failure returns every syntax error found.
pub fn parse(src: &str) -> Result<Query, Errors> {
    let mut p = Parser::new(src);
    let root = p.root();
    match root {
        Some(q) if p.errors.is_empty() => Ok(q),
        _ => {
            if p.errors.is_empty() {
                let end = src.len();
                p.error_at(end..end, "syntax error");
            }
            p.errors.sort_by_key(|e| e.range.start);
            p.errors.dedup();
            Err(Errors(p.errors))
        }
    }
}

pub(crate) struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    errors: Vec<Error>,
    depth: u32,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Self {
        Parser { src, tokens: lex(src), pos: 0, errors: Vec::new(), depth: 0 }
    }

    fn peek(&self) -> Option<&TokenKind> {
        self.tokens.get(self.pos).map(|t| &t.kind)
    }

    fn peek_at(&self, n: usize) -> Option<&TokenKind> {
        self.tokens.get(self.pos + n).map(|t| &t.kind)
    }

    fn prev(&self) -> Option<&TokenKind> {
        self.pos.checked_sub(1).and_then(|i| self.tokens.get(i)).map(|t| &t.kind)
    }

    /// Byte range of the current token, or an empty range at the end.
    fn here(&self) -> Range<usize> {
        match self.tokens.get(self.pos) {
            Some(t) => t.range.clone(),
            None => self.src.len()..self.src.len(),
        }
    }

    /// End offset of the previously consumed token.
    fn last_end(&self) -> usize {
        self.pos.checked_sub(1).and_then(|i| self.tokens.get(i)).map_or(0, |t| t.range.end)
    }

    fn bump(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn at(&self, kind: &TokenKind) -> bool {
        self.peek() == Some(kind)
    }

    fn eat(&mut self, kind: &TokenKind) -> bool {
        if self.at(kind) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn error_at(&mut self, range: Range<usize>, message: impl Into<String>) {
        self.errors.push(Error::new(ErrorKind::Syntax, message, range, self.src));
    }

    /// Records "unexpected X[, expecting Y]" at the current token.
    fn unexpected(&mut self, expecting: &str) {
        let found = match self.peek() {
            None => "end of input".to_string(),
            Some(TokenKind::Invalid(msg)) => {
                let msg = msg.clone();
                let range = self.here();
                self.error_at(range, msg);
                return;
            }
            Some(k) => k.describe(),
        };
        let message = if expecting.is_empty() {
            format!("syntax error: unexpected {found}")
        } else {
            format!("syntax error: unexpected {found}, expecting {expecting}")
        };
        let range = self.here();
        self.error_at(range, message);
    }

    fn expect(&mut self, kind: &TokenKind, expecting: &str) -> Option<()> {
        if self.eat(kind) {
            Some(())
        } else {
            self.unexpected(expecting);
            None
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let range = self.here();
            self.error_at(range, format!("query nested too deeply (more than {MAX_DEPTH} levels)"));
            // Stop parsing: everything after would only add noise.
            self.pos = self.tokens.len();
            return None;
        }
        Some(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Checks the depth of a node built by an operator loop (left-deep
    /// chains like `a + a + a ...` do not recurse while parsing but would
    /// in every later pass).
    fn check_node_depth(&mut self, depth: u32, range: Range<usize>) -> Option<()> {
        if depth + self.depth > MAX_DEPTH {
            self.error_at(range, format!("expression nested too deeply (more than {MAX_DEPTH} levels)"));
            self.pos = self.tokens.len();
            return None;
        }
        Some(())
    }

    /// Skips to just past the `}` matching an already-consumed `{`.
    fn recover_to_close_brace(&mut self) {
        let mut depth = 1u32;
        while let Some(k) = self.peek() {
            match k {
                TokenKind::OpenBrace => depth += 1,
                TokenKind::CloseBrace => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos += 1;
                        return;
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
    }

    /// Every lexer error becomes a syntax error, even in skipped regions.
    fn report_lexer_errors(&mut self) {
        let invalid: Vec<(Range<usize>, String)> = self
            .tokens
            .iter()
            .filter_map(|t| match &t.kind {
                TokenKind::Invalid(m) => Some((t.range.clone(), m.clone())),
                _ => None,
            })
            .collect();
        for (range, message) in invalid {
            self.error_at(range, message);
        }
    }
}
