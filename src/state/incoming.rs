//! A load's result as it arrives from the parsing worker: its parts (`FromWorker::Parts`, the head
//! first, then `Done`) are decoded on this thread as they come, a few per task. The worker posts
//! each part as soon as it has encoded it, so at a million spans this thread decodes the first parts
//! while the worker still encodes the last ones, instead of waiting for all of them.

use js_sys::{ArrayBuffer, Uint8Array};
use spanlens_protocol::{Assembly, LoadResult};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// How long decoding may hold the UI thread before it lets the browser paint and handle input.
const TASK_BUDGET_MILLIS: f64 = 40.0;

#[derive(Default)]
struct Queue {
    parts: VecDeque<ArrayBuffer>,
    /// No part will follow: the worker said `Done`, or the load ended otherwise.
    ended: bool,
    waker: Option<Waker>,
}

/// The parts of one result that have arrived and not been decoded yet; shared by the loader, which
/// adds what the worker posts, and the task that decodes them.
#[derive(Clone, Default)]
pub struct IncomingParts(Rc<RefCell<Queue>>);

impl IncomingParts {
    pub fn push(&self, buffers: Vec<ArrayBuffer>) {
        let waker = {
            let mut queue = self.0.borrow_mut();
            queue.parts.extend(buffers);
            queue.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// No more parts: the decoding task finishes with what it has (or stops, if its load is no
    /// longer current).
    pub fn end(&self) {
        let waker = {
            let mut queue = self.0.borrow_mut();
            queue.ended = true;
            queue.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn next(&self) -> NextPart {
        NextPart { incoming: self.clone(), waited: false }
    }
}

/// The next part, or `None` once the parts have ended; with whether it had to wait for it (a wait
/// means a new task: the browser has had its turn).
struct NextPart {
    incoming: IncomingParts,
    waited: bool,
}

impl Future for NextPart {
    type Output = (Option<ArrayBuffer>, bool);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let next = {
            let mut queue = self.incoming.0.borrow_mut();
            match queue.parts.pop_front() {
                Some(part) => Some(Some(part)),
                None if queue.ended => Some(None),
                None => {
                    queue.waker = Some(cx.waker().clone());
                    None
                }
            }
        };
        match next {
            Some(part) => Poll::Ready((part, self.waited)),
            None => {
                self.waited = true;
                Poll::Pending
            }
        }
    }
}

/// Decodes the parts as they arrive, giving the browser a turn between parts so the page keeps
/// painting and answering input while a large result is decoded. `None` when the load was
/// cancelled meanwhile (`current` turned false). Returns only once the parts have ended, even after
/// an error, so that a part arriving late never starts a second decoding of the same request.
pub async fn assemble(parts: IncomingParts, current: impl Fn() -> bool) -> Option<Result<LoadResult, String>> {
    let outcome = decode(&parts, &current).await?;
    if outcome.is_err() {
        while let (Some(_), _) = parts.next().await {
            if !current() {
                return None;
            }
        }
    }
    Some(outcome)
}

async fn decode(parts: &IncomingParts, current: &impl Fn() -> bool) -> Option<Result<LoadResult, String>> {
    let (head, _) = parts.next().await;
    if !current() {
        return None;
    }
    crate::timing::mark(crate::timing::RECEIVED);
    let Some(head) = head.map(|b| Uint8Array::new(&b).to_vec()) else {
        return Some(Err("the parsing worker sent an empty result".to_owned()));
    };
    let mut assembly = match Assembly::start(&head) {
        Ok(a) => a,
        Err(e) => return Some(Err(e)),
    };
    drop(head);
    let mut task_start = crate::timing::now_millis();
    loop {
        if crate::timing::now_millis() - task_start > TASK_BUDGET_MILLIS {
            crate::state::schedule::next_task().await;
            if !current() {
                return None;
            }
            task_start = crate::timing::now_millis();
        }
        let (part, waited) = parts.next().await;
        if !current() {
            return None;
        }
        if waited {
            task_start = crate::timing::now_millis();
        }
        let Some(part) = part else { break };
        if let Err(e) = assembly.add(&Uint8Array::new(&part).to_vec()) {
            return Some(Err(e));
        }
    }
    Some(assembly.finish())
}
