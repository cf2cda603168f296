//! Async client for the SimpleX Chat bot API: talks to the WebSocket server of the
//! `simplex-chat` CLI (`simplex-chat -p 5225`), sends typed commands from
//! [`simplex-api-types`](simplex_api_types) and matches each response to its command, and hands
//! everything that arrives unprompted to an [`Events`] stream.
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use simplex_api_client::{connect, Incoming};
//! use simplex_api_types::commands::{ShowActiveUser, ShowActiveUserResponse};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let (client, mut events) = connect("ws://127.0.0.1:5225").await?;
//!
//! // A command: rendered, sent with a fresh corrId, its response converted to the
//! // command's response type.
//! match client.send(&ShowActiveUser::new()).await? {
//!     ShowActiveUserResponse::ActiveUser(user) => println!("active user: {user:?}"),
//!     other => println!("unexpected response: {other:?}"),
//! }
//!
//! // Events, in the order they arrived. The `Client` can be cloned into other tasks.
//! while let Some(item) = events.next().await {
//!     match item {
//!         Incoming::Event(event) => println!("event {:?}", event.resp.tag()),
//!         Incoming::Unmatched(resp) => println!("late response {:?}", resp.corr_id),
//!         other => eprintln!("could not read a frame: {other:?}"),
//!     }
//! }
//! // The stream ended: the connection is closed.
//! # Ok(())
//! # }
//! ```
//!
//! # Commands
//!
//! [`Client::send`] renders the command (a [`CommandError`](simplex_api_types::CommandError)
//! fails before anything is sent), gives it the next correlation id of a counter (`"1"`, `"2"`,
//! ...), and waits for the response with that id, at most [`Config::timeout`] (60 s by default;
//! [`Client::send_with_timeout`] takes its own). Any number of commands can be in flight from
//! any number of tasks; responses are matched in whatever order they arrive.
//! [`Client::send_raw`] sends a command string as it is and returns the whole
//! [`ResponseMessage`](simplex_api_types::ResponseMessage).
//!
//! Dropping a `send` future (or its timing out) forgets its command at once. The core may still
//! carry the command out.
//!
//! # Unmatched responses and undecodable frames
//!
//! Nothing received is lost, and no frame ends the connection because of its content:
//!
//! * A response whose `corrId` no pending command waits for (its command timed out or was
//!   dropped, the id is not one this client sent, or there is none) is logged with
//!   `tracing::warn!` and delivered as [`Incoming::Unmatched`].
//! * A text frame that does not decode (not JSON, or not a message) is logged with
//!   `tracing::warn!` and delivered as [`Incoming::Undecodable`] with the text and the
//!   [`DecodeError`](simplex_api_types::DecodeError); a binary frame as [`Incoming::Binary`].
//!   Except: when such a frame still carries the `corrId` of a waiting command, that command
//!   fails at once with [`ClientError::Decode`] (holding the text and the error) rather than
//!   waiting for its timeout.
//!
//! What the WebSocket protocol itself forbids (a text frame that is not UTF-8, a message larger
//! than [`Config::max_message_size`]) makes the WebSocket library end the connection; that is
//! handled like the core closing it.
//!
//! # Back-pressure
//!
//! The [`Events`] channel holds [`Config::event_capacity`] items (1024 by default). When the bot
//! reads events more slowly than they arrive and the channel is full:
//!
//! * **While no command waits for a response**, the client stops reading the socket until the
//!   bot takes an item. The socket buffers fill up, and the core waits to send more. Nothing is
//!   dropped.
//! * **While a command waits for its response**, the client keeps reading, so that the response
//!   gets through: responses never wait behind events. Events read meanwhile are held in memory,
//!   in order, and delivered before anything newer once the bot reads again. This is what keeps
//!   the usual bot loop from deadlocking: a bot that handles an event by sending a command and
//!   awaiting its response, before it reads the next event, gets its response even when
//!   thousands of events arrived in between. Held events are kept as the text they arrived
//!   as and decoded when they move on, so the memory held is about what the core sends while
//!   commands are outstanding (1.16x the frames for 20,000 captured `newChatItems` events,
//!   `cargo bench --bench held_memory`; each command waits at most its timeout); a warning is
//!   logged each time it doubles past [`Config::event_capacity`] items.
//!
//! While the client does not read the socket it does not see pings either; they are answered
//! when it reads again (or with the next command it writes).
//!
//! Dropping [`Events`] is allowed: commands keep working, and what arrives unprompted is
//! discarded.
//!
//! # Connection
//!
//! Pings are answered by the WebSocket library. Messages up to [`Config::max_message_size`]
//! (64 MiB by default; the core sends each message as one frame, limited by
//! [`Config::max_frame_size`], also 64 MiB) are accepted: chat item lists can be several
//! megabytes. Only plain `ws://` is supported, as the core serves it.
//!
//! When the connection ends (the core closes it or stops, or reading or writing fails), every
//! pending command fails with [`ClientError::Disconnected`], later commands fail the same way at
//! once, and the [`Events`] stream ends (yields `None`) after the items received before.
//! Dropping every [`Client`] clone closes the connection too.
//!
//! # Reconnecting
//!
//! The client does not reconnect by itself: whether commands in flight should be sent again,
//! and what state must be read again from the core, is for the bot to decide. A bot that wants to
//! keep running connects again when its event stream ends:
//!
//! ```no_run
//! use std::time::Duration;
//! use simplex_api_client::{connect, Client, Incoming};
//!
//! async fn handle(client: &Client, item: Incoming) {
//!     // ... react to the event, sending commands with `client` ...
//! #   let _ = (client, item);
//! }
//!
//! # async fn run() {
//! loop {
//!     match connect("ws://127.0.0.1:5225").await {
//!         Ok((client, mut events)) => {
//!             while let Some(item) = events.next_event().await {
//!                 handle(&client, item).await;
//!             }
//!             eprintln!("disconnected from the chat core");
//!         }
//!         Err(e) => eprintln!("{e}"),
//!     }
//!     tokio::time::sleep(Duration::from_secs(5)).await;
//! }
//! # }
//! ```
//!
//! # Files
//!
//! [`Client::receive_file`] accepts a file and waits until it is complete;
//! [`Client::send_with_files`] sends messages with files and waits for their upload. The
//! reader matches each file event to the call waiting for that file id (see [`files`]); the
//! events are delivered on [`Events`] as well. With the `image` feature, `media` makes the
//! image previews the apps show.
//!
//! # Testing bots
//!
//! With the `testing` feature, `testing::TestCore` is an in-process stand-in for the chat
//! core: a bot connects to it as to the real one, over a loopback WebSocket, and the test plays
//! the contacts and groups and asserts what the bot did. See the module docs of `testing`.
//!
//! # Logs
//!
//! The client logs with [`tracing`](https://docs.rs/tracing): each frame at `debug` (its whole
//! text at `trace`); unmatched responses, undecodable frames and a connection that fails at
//! `warn`; a connection closed cleanly at `info`.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod bot;
mod client;
mod config;
mod connection;
#[cfg(feature = "crypto-file")]
#[cfg_attr(docsrs, doc(cfg(feature = "crypto-file")))]
pub mod crypto_file;
mod error;
mod events;
#[cfg(feature = "ffi")]
#[cfg_attr(docsrs, doc(cfg(feature = "ffi")))]
pub mod ffi;
pub mod files;
#[cfg(feature = "image")]
#[cfg_attr(docsrs, doc(cfg(feature = "image")))]
pub mod media;
pub mod process;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;

pub use client::{connect, connect_with, Client};
pub use config::Config;
pub use error::ClientError;
pub use events::{Events, Incoming};

/// The types this client sends and receives, re-exported so that a bot can depend on this
/// crate alone and keep both in step: `simplex_api_client::api::commands::ShowActiveUser`.
pub use simplex_api_types as api;

/// The WebSocket library, for naming the error inside [`ClientError::WebSocket`].
pub use tokio_tungstenite::tungstenite;
