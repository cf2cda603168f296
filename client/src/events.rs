//! What arrives from the core without being the response to a pending command.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use simplex_api_types::{DecodeError, EventMessage, ResponseMessage};
use tokio::sync::mpsc;

/// One item of the [`Events`] stream: something the core sent that is not the response to a
/// pending command.
///
/// Nothing received is dropped silently: what cannot be decoded is handed over too, so a bot can
/// log it or report it, and the connection goes on.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Incoming {
    /// An event, e.g. a new message or a contact request.
    Event(EventMessage),
    /// A response that no pending command waits for: its command timed out or its
    /// [`send`](crate::Client::send) future was dropped, its `corrId` is not one this client
    /// sent, or it has no `corrId` (the core answers commands typed in its terminal that way).
    Unmatched(ResponseMessage),
    /// A text frame that is not a message this version of `simplex-api-types` can decode: not
    /// JSON, not a `{"resp": ...}` object, or a known field of the wrong type.
    Undecodable {
        /// The frame as received.
        text: String,
        /// What is wrong, and where.
        error: DecodeError,
    },
    /// A binary frame. The core sends only text frames, so it is not decoded.
    Binary(Vec<u8>),
    /// A decoded message of a kind this client does not know (a newer `simplex-api-types` may
    /// add kinds of messages), as received.
    Other(String),
}

/// The items that arrive unprompted, in the order they arrived: a [`Stream`] of [`Incoming`].
///
/// It ends (yields `None`) once the connection is closed and everything received before that
/// has been read. Dropping it is fine: commands keep working and what would have been delivered
/// is discarded.
///
/// Read it steadily: while it is full and no command waits for a response, the client stops
/// reading the socket (see the crate docs, "Back-pressure").
#[derive(Debug)]
pub struct Events {
    rx: mpsc::Receiver<Incoming>,
}

impl Events {
    pub(crate) fn new(rx: mpsc::Receiver<Incoming>) -> Self {
        Events { rx }
    }

    /// The next item, or `None` once the connection is closed and every item was read.
    pub async fn next_event(&mut self) -> Option<Incoming> {
        self.rx.recv().await
    }
}

impl Stream for Events {
    type Item = Incoming;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Incoming>> {
        self.rx.poll_recv(cx)
    }
}
