//! The TraceQL editor: a transparent `<textarea>` over a highlighted `<pre>` mirror (same font,
//! padding and scroll position), errors underlined as you type, and an autocomplete popup.
//!
//! The mirror is built from `spanlens_traceql::highlight::tokens` as text-only `<span>`s. Checking
//! (`check_extended` plus compilation: spanlens' extensions such as `parent.` run locally) is
//! debounced 150 ms; underlines are shown only while they belong to the current text. When the
//! query goes to Tempo, what only spanlens accepts is noted (Tempo would refuse it).
//!
//! Suggestions come from `spanlens_traceql::suggest`, plus the metrics functions after `|` and
//! quantiles inside `quantile_over_time(…, ` (the crate has no metrics suggestions yet). With a
//! `tag_source` (Tempo), tag names and values at the cursor are asked of the backend, narrowed by
//! the query so far (`use_tag_lookup`); its answer replaces the index's entries while it is fresh.

use crate::components::CompletionPopup;
use crate::hooks::{TagSource, use_tag_lookup};
use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use spanlens_traceql::ast::Root;
use spanlens_traceql::complete::{Completion, CompletionKind, completion_at};
use spanlens_traceql::eval::CompiledQuery;
use spanlens_traceql::highlight::{TokenClass, tokens};
use spanlens_traceql::metrics::compile_check;
use spanlens_traceql::narrow::{Answer, answer_suggestions, lookup_at};
use spanlens_traceql::suggest::{AttrIndex, Suggestion, suggestions};
use spanlens_traceql::{Error, ErrorKind};
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

const CHECK_DELAY: Duration = Duration::from_millis(150);

/// Parses, validates (with spanlens' extensions) and compiles: the errors a run would report
/// before evaluating.
pub fn check_query(text: &str) -> Vec<Error> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    match spanlens_traceql::check_extended(text) {
        Ok(q) if matches!(q.root, Root::Metrics(_)) => match compile_check(&q, text) {
            Ok(()) => Vec::new(),
            Err(e) => vec![e],
        },
        Ok(q) => match CompiledQuery::compile(&q, &|_| (), text) {
            Ok(_) => Vec::new(),
            Err(e) => vec![e],
        },
        Err(errors) => errors.0,
    }
}

/// What Tempo would refuse in a query spanlens accepts (`parent.`, pipeline comparisons, …).
pub fn tempo_notes(text: &str) -> Vec<String> {
    if text.trim().is_empty() || spanlens_traceql::check_extended(text).is_err() {
        return Vec::new();
    }
    match spanlens_traceql::check(text) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.0.iter().map(|e| format!("{}:{}: {}", e.line, e.col, plain_message(e))).collect(),
    }
}

/// Metrics functions offered after `|`: (label, insert, caret back from the end, detail).
const METRICS_FUNCTIONS: [(&str, &str, usize, &str); 9] = [
    ("rate()", "rate()", 0, "metrics"),
    ("count_over_time()", "count_over_time()", 0, "metrics"),
    ("quantile_over_time(duration, .5, .95, .99)", "quantile_over_time(duration, .5, .95, .99)", 0, "metrics"),
    ("avg_over_time()", "avg_over_time()", 1, "metrics"),
    ("min_over_time()", "min_over_time()", 1, "metrics"),
    ("max_over_time()", "max_over_time()", 1, "metrics"),
    ("sum_over_time()", "sum_over_time()", 1, "metrics"),
    ("histogram_over_time()", "histogram_over_time()", 1, "metrics"),
    ("compare({ })", "compare({  })", 3, "metrics"),
];

/// The function whose argument list the text ends in (`by`, `rate`, `quantile_over_time`, …), if
/// its `(` is still open.
fn open_call(before: &str) -> Option<&str> {
    let mut depth = 0usize;
    for (i, c) in before.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' if depth == 0 => {
                let head = before[..i].trim_end();
                let start = head.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |j| j + 1);
                return Some(&head[start..]);
            }
            '(' => depth -= 1,
            '{' | '}' | '|' => return None,
            _ => {}
        }
    }
    None
}

fn is_metrics_name(name: &str) -> bool {
    METRICS_FUNCTIONS.iter().any(|(label, ..)| label.split('(').next() == Some(name))
}

/// The crate's suggestions, plus what it does not know about metrics queries: the functions after
/// `|`, `by ()` after one, attributes inside `by (` and `*_over_time(`, and quantiles.
fn all_suggestions(index: &AttrIndex, completion: &Completion, text: &str) -> Vec<Suggestion> {
    let before = text.get(..completion.replace.start).unwrap_or_default();
    let prefix = completion.prefix.to_lowercase();
    let matches = |label: &str| prefix.is_empty() || (label.starts_with(&prefix) && label != prefix);
    match open_call(before) {
        Some("quantile_over_time") if before.rsplit('(').next().is_some_and(|args| args.contains(',')) => {
            return vec![Suggestion {
                label: ".5, .95, .99".into(),
                insert: ".5, .95, .99".into(),
                detail: "quantiles",
                caret: 12,
            }];
        }
        Some(name)
            if (name == "by" || is_metrics_name(name))
                && matches!(completion.kind, CompletionKind::QueryStart | CompletionKind::None) =>
        {
            // An attribute (or intrinsic) argument: the crate's field suggestions.
            let field = Completion { kind: CompletionKind::Field, ..completion.clone() };
            return suggestions(index, &field);
        }
        _ => {}
    }
    let mut items = suggestions(index, completion);
    let ends_in_metrics_call = before.trim_end().strip_suffix(')').is_some_and(|head| {
        let open = head.rfind('(').map_or(head, |i| &head[..i]);
        let start = open.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |j| j + 1);
        is_metrics_name(&open[start..])
    });
    match completion.kind {
        CompletionKind::SpansetOperator if ends_in_metrics_call => {
            items = vec![Suggestion { label: "by ()".into(), insert: "by ()".into(), detail: "group", caret: 4 }];
        }
        CompletionKind::PipelineStage => {
            items.extend(METRICS_FUNCTIONS.iter().filter(|(label, ..)| matches(label)).map(
                |(label, insert, back, detail)| Suggestion {
                    label: (*label).to_owned(),
                    insert: (*insert).to_owned(),
                    detail,
                    caret: insert.len() - back,
                },
            ));
        }
        _ => {}
    }
    items
}

/// `Syntax error` / `Invalid query` / `Unsupported`, for the message list.
pub fn kind_label(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Syntax => "Syntax error",
        ErrorKind::Validation => "Invalid query",
        ErrorKind::Unsupported => "Unsupported",
        ErrorKind::Runtime => "Evaluation error",
    }
}

/// Messages read `syntax error: unexpected …`; the kind is shown as a badge already.
pub fn plain_message(e: &Error) -> &str {
    e.message.strip_prefix("syntax error: ").unwrap_or(&e.message)
}

fn class_name(class: TokenClass) -> &'static str {
    match class {
        TokenClass::Punctuation => "sl-tok-punct",
        TokenClass::Operator => "sl-tok-op",
        TokenClass::String => "sl-tok-string",
        TokenClass::Number | TokenClass::Duration => "sl-tok-number",
        TokenClass::Constant => "sl-tok-const",
        TokenClass::Intrinsic => "sl-tok-intrinsic",
        TokenClass::Function => "sl-tok-fn",
        TokenClass::Scope => "sl-tok-scope",
        TokenClass::Attribute => "sl-tok-attr",
        TokenClass::Identifier => "sl-tok-ident",
        TokenClass::Invalid => "sl-tok-invalid",
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// An error's range made visible: clamped to the text, and an empty range widened to the next
/// character (or, at the very end, to the extra space the mirror appends).
fn visible_range(text: &str, r: &Range<usize>) -> Range<usize> {
    let start = floor_boundary(text, r.start);
    let mut end = floor_boundary(text, r.end.max(start));
    if end == start {
        end = text[start..].chars().next().map_or(start + 1, |c| start + c.len_utf8());
    }
    start..end
}

/// One highlighted piece of the mirror.
#[derive(Clone, Debug, PartialEq)]
struct Segment {
    text: String,
    class: &'static str,
    error: bool,
}

/// Splits `text` into runs of one token class and error state. A trailing space is appended so an
/// error at the end and a final newline both have something to draw on.
fn segments(text: &str, errors: &[Range<usize>]) -> Vec<Segment> {
    let padded = format!("{text} ");
    let toks = tokens(text);
    let mut cuts: Vec<usize> = vec![0, padded.len()];
    for t in &toks {
        cuts.extend([t.range.start, t.range.end]);
    }
    for r in errors {
        cuts.extend([r.start, r.end]);
    }
    cuts.retain(|&c| c <= padded.len() && padded.is_char_boundary(c));
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<Segment> = Vec::with_capacity(cuts.len());
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let class = toks.iter().find(|t| t.range.start <= a && b <= t.range.end).map_or("", |t| class_name(t.class));
        let error = errors.iter().any(|r| r.start <= a && b <= r.end);
        match out.last_mut() {
            Some(last) if last.class == class && last.error == error => last.text.push_str(&padded[a..b]),
            _ => out.push(Segment { text: padded[a..b].to_owned(), class, error }),
        }
    }
    out
}

/// UTF-16 offset (what the DOM reports) → byte offset into `s`.
fn utf16_to_byte(s: &str, units: u32) -> usize {
    let mut seen = 0u32;
    for (i, c) in s.char_indices() {
        if seen >= units {
            return i;
        }
        seen += c.len_utf16() as u32;
    }
    s.len()
}

fn byte_to_utf16(s: &str, byte: usize) -> u32 {
    s[..floor_boundary(s, byte)].encode_utf16().count() as u32
}

/// 0-based line and character column of a byte offset.
fn line_col(s: &str, byte: usize) -> (usize, usize) {
    let before = &s[..floor_boundary(s, byte)];
    let line = before.matches('\n').count();
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count());
    (line, col)
}

#[component]
pub fn QueryEditor(
    /// The query text; the page owns it (URL, history).
    text: RwSignal<String>,
    /// Attribute names and values of the loaded traces, for autocomplete.
    #[prop(into)]
    index: Signal<Arc<AttrIndex>>,
    /// Ctrl/Cmd+Enter.
    on_run: Callback<()>,
    /// The query goes to Tempo: note what only spanlens accepts.
    #[prop(optional)]
    tempo: bool,
    /// A backend whose tag APIs complete names and values (narrowed by the query so far).
    #[prop(optional)]
    tag_source: Option<TagSource>,
) -> impl IntoView {
    let textarea = NodeRef::<html::Textarea>::new();
    let mirror = NodeRef::<html::Pre>::new();
    // Errors of the last check, with the text they belong to.
    let checked = RwSignal::new((String::new(), Vec::<Error>::new()));
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let cursor = RwSignal::new(0usize);
    let popup_open = RwSignal::new(false);
    let selected = RwSignal::new(0usize);

    let schedule_check = move || {
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                // The editor may be gone by now (the user navigated away).
                let Some(now) = text.try_get_untracked() else { return };
                let errors = check_query(&now);
                checked.try_set((now, errors));
            },
            CHECK_DELAY,
        );
        pending.set_value(handle.ok());
    };
    on_cleanup(move || {
        if let Some(Some(h)) = pending.try_get_value() {
            h.clear();
        }
    });
    // Text the page puts there (a restored URL, a history pick) is checked like typed text.
    Effect::new(move |_| {
        let now = text.get();
        if checked.with_untracked(|(t, _)| *t != now) {
            schedule_check();
        }
    });

    let fresh_errors = move || checked.with(|(t, e)| if *t == text.get() { e.clone() } else { Vec::new() });
    let view_segments = move || {
        let now = text.get();
        let ranges: Vec<Range<usize>> = fresh_errors().iter().map(|e| visible_range(&now, &e.range)).collect();
        segments(&now, &ranges)
    };

    let completion = Memo::new(move |_| text.with(|t| completion_at(t, cursor.get())));
    let remote = tag_source.is_some();
    let lookup = Memo::new(move |_| if remote { text.with(|t| lookup_at(t, cursor.get())) } else { None });
    let answer = use_tag_lookup(tag_source, lookup);
    // The backend's answer, while it answers what the cursor asks now.
    let fresh_answer = move || {
        answer.with(|a| match a {
            Some((asked, got)) if lookup.with(|l| l.as_ref() == Some(asked)) && **got != Answer::Nothing => {
                Some(got.clone())
            }
            _ => None,
        })
    };
    let from_backend = Memo::new(move |_| fresh_answer().is_some());
    let items = Memo::new(move |_| match fresh_answer() {
        Some(got) => completion.with(|c| answer_suggestions(c, &got)),
        None => index.with(|ix| completion.with(|c| text.with(|t| all_suggestions(ix, c, t)))),
    });
    let notes = move || {
        if !tempo {
            return Vec::new();
        }
        checked.with(|(t, e)| if *t == text.get() && e.is_empty() { tempo_notes(t) } else { Vec::new() })
    };
    let show_popup = move || popup_open.get() && items.with(|i| !i.is_empty());
    let popup_pos = Signal::derive(move || {
        let start = completion.with(|c| c.replace.start);
        text.with(|t| line_col(t, start))
    });

    let read_cursor = move || {
        if let Some(el) = textarea.get_untracked() {
            let units = el.selection_start().ok().flatten().unwrap_or(0);
            cursor.set(text.with_untracked(|t| utf16_to_byte(t, units)));
        }
    };
    let sync_scroll = move || {
        if let (Some(t), Some(m)) = (textarea.get_untracked(), mirror.get_untracked()) {
            m.set_scroll_top(t.scroll_top());
            m.set_scroll_left(t.scroll_left());
        }
    };

    let accept = move |i: usize| {
        let Some(s): Option<Suggestion> = items.with_untracked(|v| v.get(i).cloned()) else { return };
        let c = completion.get_untracked();
        let mut next = text.get_untracked();
        let range = floor_boundary(&next, c.replace.start)..floor_boundary(&next, c.replace.end);
        next.replace_range(range.clone(), &s.insert);
        let caret = range.start + s.caret;
        if let Some(el) = textarea.get_untracked() {
            el.set_value(&next);
            let at = byte_to_utf16(&next, caret);
            el.set_selection_range(at, at).ok();
        }
        text.set(next);
        cursor.set(caret);
        selected.set(0);
        popup_open.set(s.continues());
        schedule_check();
        sync_scroll();
    };

    let on_input = move |e: ev::Event| {
        text.set(event_target_value(&e));
        read_cursor();
        selected.set(0);
        popup_open.set(true);
        schedule_check();
        sync_scroll();
    };
    let on_keydown = move |e: ev::KeyboardEvent| {
        let key = e.key();
        if key == "Enter" && (e.ctrl_key() || e.meta_key()) {
            e.prevent_default();
            popup_open.set(false);
            on_run.run(());
            return;
        }
        if key == " " && e.ctrl_key() {
            e.prevent_default();
            read_cursor();
            popup_open.set(true);
            return;
        }
        if !(popup_open.get_untracked() && items.with_untracked(|i| !i.is_empty())) {
            return;
        }
        let count = items.with_untracked(Vec::len);
        match key.as_str() {
            "ArrowDown" => {
                e.prevent_default();
                selected.update(|s| *s = (*s + 1) % count.max(1));
            }
            "ArrowUp" => {
                e.prevent_default();
                selected.update(|s| *s = (*s + count.max(1) - 1) % count.max(1));
            }
            "Enter" | "Tab" => {
                e.prevent_default();
                accept(selected.get_untracked());
            }
            "Escape" => {
                e.prevent_default();
                popup_open.set(false);
            }
            _ => {}
        }
    };
    let on_keyup = move |e: ev::KeyboardEvent| {
        let key = e.key();
        let moves_caret = matches!(key.as_str(), "ArrowLeft" | "ArrowRight" | "Home" | "End" | "PageUp" | "PageDown")
            || (!popup_open.get_untracked() && matches!(key.as_str(), "ArrowUp" | "ArrowDown"));
        if moves_caret {
            read_cursor();
            selected.set(0);
        }
    };
    let rows = move || text.with(|t| t.lines().count().max(1) + usize::from(t.ends_with('\n')));

    view! {
        <div class="sl-query">
            <div class="sl-query__box" class:sl-query__box--invalid=move || !fresh_errors().is_empty()>
                <pre class="sl-query__mirror" node_ref=mirror aria-hidden="true">
                    {move || {
                        view_segments()
                            .into_iter()
                            .map(|s| {
                                let class = if s.error { format!("{} sl-tok-error", s.class) } else { s.class.to_owned() };
                                view! { <span class=class>{s.text}</span> }
                            })
                            .collect_view()
                    }}
                </pre>
                <textarea
                    node_ref=textarea
                    class="sl-query__input"
                    data-testid="query-input"
                    aria-label="TraceQL query"
                    placeholder="{ status = error }   ·   Ctrl+Enter to run, Ctrl+Space for suggestions"
                    spellcheck="false"
                    autocomplete="off"
                    autocapitalize="off"
                    wrap="off"
                    rows=rows
                    prop:value=move || text.get()
                    on:input=on_input
                    on:keydown=on_keydown
                    on:keyup=on_keyup
                    on:click=move |_| {
                        read_cursor();
                        selected.set(0);
                    }
                    on:scroll=move |_| sync_scroll()
                    on:blur=move |_| popup_open.set(false)
                ></textarea>
                <Show when=show_popup>
                    <CompletionPopup
                        items=Signal::derive(move || items.get())
                        selected=selected
                        position=popup_pos
                        from_backend=from_backend
                        on_pick=Callback::new(accept)
                    />
                </Show>
            </div>
            <ul class="sl-query__errors" data-testid="query-errors" aria-live="polite">
                {move || {
                    fresh_errors()
                        .into_iter()
                        .map(|e| {
                            let syntax = e.kind == ErrorKind::Syntax;
                            view! {
                                <li class="sl-query__error" class:sl-query__error--syntax=syntax class:sl-query__error--semantic=!syntax>
                                    <span class="sl-query__error-kind">{kind_label(e.kind)}</span>
                                    <span class="sl-mono">{format!("{}:{}", e.line, e.col)}</span>
                                    ": "
                                    {plain_message(&e).to_owned()}
                                </li>
                            }
                        })
                        .collect_view()
                }}
                {move || notes().into_iter().map(|n| view! {
                    <li class="sl-query__error sl-query__error--note" data-testid="query-tempo-note">
                        <span class="sl-query__error-kind">"Tempo would refuse"</span>
                        {n}
                        " (spanlens runs this over loaded traces; Tempo answers with an error)"
                    </li>
                }).collect_view()}
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cover_the_text_and_mark_errors() {
        let s = segments("{ x }", &[Range { start: 2, end: 3 }]);
        let joined: String = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(joined, "{ x } ");
        assert!(s.iter().any(|s| s.error && s.text == "x"));
    }

    #[test]
    fn metrics_functions_are_offered_after_a_pipe() {
        let text = "{ } | ";
        let c = completion_at(text, text.len());
        let items = all_suggestions(&AttrIndex::default(), &c, text);
        assert!(items.iter().any(|s| s.label == "rate()"), "{items:?}");
        let text = "{ } | quantile_over_time(duration, ";
        let c = completion_at(text, text.len());
        let items = all_suggestions(&AttrIndex::default(), &c, text);
        assert!(items.iter().any(|s| s.detail == "quantiles"), "{c:?} {items:?}");
        let text = "{ } | rate() ";
        let items = all_suggestions(&AttrIndex::default(), &completion_at(text, text.len()), text);
        assert_eq!(items.first().map(|s| s.label.as_str()), Some("by ()"));
        let text = "{ } | rate() by (";
        let items = all_suggestions(&AttrIndex::default(), &completion_at(text, text.len()), text);
        assert!(items.iter().any(|s| s.label == "duration"), "{items:?}");
        let text = "{ } | avg_over_time(dur";
        let items = all_suggestions(&AttrIndex::default(), &completion_at(text, text.len()), text);
        assert!(items.iter().any(|s| s.label == "duration"), "{items:?}");
    }

    #[test]
    fn extensions_pass_locally_and_are_noted_for_tempo() {
        assert!(check_query("{ parent.resource.service.name = \"a\" }").is_empty());
        assert!(!tempo_notes("{ parent.resource.service.name = \"a\" }").is_empty());
        assert!(check_query("{ } | rate() by (resource.service.name)").is_empty());
        assert!(tempo_notes("{ } | rate()").is_empty());
    }

    #[test]
    fn offsets_convert_between_utf16_and_bytes() {
        let s = "{ .a = \"µ😀\" }";
        let b = s.find('}').unwrap_or(0);
        assert_eq!(utf16_to_byte(s, byte_to_utf16(s, b)), b);
        assert_eq!(line_col("a\nbc", 3), (1, 1));
        assert_eq!(visible_range("ab", &(2..2)), 2..3);
    }
}
