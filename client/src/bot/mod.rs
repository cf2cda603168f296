//! A bot runner on top of the [`Client`]: the bot's profile, command menu and address set up
//! as upstream's own bot packages do, handlers for messages, `/commands` and events, run
//! concurrently per chat, and a clean stop.
//!
//! ```
//! # mod tokio { pub use ::tokio::*; }
//! use simplex_api_client::bot::Bot;
//! # use simplex_api_client::testing::TestCore;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), simplex_api_client::ClientError> {
//! # let core = TestCore::start().await;
//! # let url = core.url().to_owned();
//! # let alice = core.contact("alice");
//! # let bot_task = tokio::spawn(async move {
//! Bot::builder()
//!     .display_name("SquaringBot")
//!     .welcome("Send me a number.")
//!     .start(&url) // "ws://127.0.0.1:5225"
//!     .await?
//!     .on_message(|msg| async move {
//!         let n: i64 = msg.text().unwrap_or("").trim().parse()?;
//!         msg.reply((n * n).to_string()).await?;
//!         Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
//!     })
//!     .run()
//!     .await
//! # });
//! # alice.sends_text("12").await;
//! # assert_eq!(alice.next_message().await, "144");
//! # core.restart().await;
//! # bot_task.await.unwrap()
//! # }
//! ```
//!
//! # The builder
//!
//! [`Bot::builder`] holds upstream's options ([`BotBuilder`]); [`BotBuilder::start`] connects
//! and sets the bot up:
//!
//! 1. the active user; when the core has none, a bot user is created with the profile;
//! 2. the address (`/_show_address`); when there is none it is created (unless
//!    [`create_address(false)`](BotBuilder::create_address)). An error other than "no address"
//!    fails the start: it never leads to creating a second address;
//! 3. the address settings: the core's, with the bot's auto-accept, business address and
//!    welcome message put in (what the bot does not manage is kept), sent only when they
//!    differ;
//! 4. the profile: the core's, with the bot's names, descriptions, image, address link,
//!    `peerType: "bot"` and preferences (calls and voice off, files as
//!    [`allow_files`](BotBuilder::allow_files), the command menu) put in, sent only when it
//!    differs. So a bot that restarts with the same settings sends nothing new.
//!
//! ```
//! # mod tokio { pub use ::tokio::*; }
//! use simplex_api_client::bot::Bot;
//! # use simplex_api_client::testing::TestCore;
//! use simplex_api_types::types::ChatPeerType;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), simplex_api_client::ClientError> {
//! # let core = TestCore::start().await;
//! let bot = Bot::builder()
//!     .display_name("MenuBot")
//!     .command("help", "Show help")
//!     .command_with_params("square", "Square a number", "<number>")
//!     .welcome("Hello! Send /help.")
//!     .start(core.url())
//!     .await?;
//! let profile = core.profile().unwrap();
//! assert_eq!(profile.peer_type, Some(ChatPeerType::Bot));
//! assert!(bot.address().is_some());
//! # Ok(())
//! # }
//! ```
//!
//! [`Bot::start`] is the builder with its defaults.
//!
//! # Handlers
//!
//! Register handlers on the started [`Bot`], then [`run`](Bot::run) it. A message goes to
//! exactly one handler, the first that fits, in this order:
//!
//! 1. [`on_command`](Bot::on_command): a `/keyword` handler (keyword without `/`); the message's
//!    [`params`](Message::params) and [`args`](Message::args) are the rest of the text;
//! 2. [`on`](Bot::on) with a [`Filter`] (content type, exact text or a predicate, direct or
//!    group, a given contact or group), and [`on_message`](Bot::on_message) (every message), in
//!    the order they were registered;
//! 3. the [`fallback`](Bot::fallback).
//!
//! Events: [`on_event`](Bot::on_event) takes a handler for one event type of
//! [`simplex_api_types::events`] (a contact connected, a group invitation, a file received,
//! ...), typed by its argument; [`on_any_event`](Bot::on_any_event) takes the other events.
//! `NewChatItems` goes to its event handler (when there is one) as well as to the message
//! handlers.
//!
//! A handler returns `Ok(())` or any error (it is logged with `tracing::warn!`; the bot goes
//! on). [`middleware`](Bot::middleware) runs around every handler: it gets the [`Update`] and
//! the [`Next`] step, and may log, measure, or drop the update by not running `next`.
//!
//! ## Shared state
//!
//! Handlers are `Fn` closures that are `Send + Sync + 'static`: share state by moving an
//! [`Arc`](std::sync::Arc) into them, cloned for each handler (and into the `async` block):
//!
//! ```
//! # mod tokio { pub use ::tokio::*; }
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use std::sync::Arc;
//! use simplex_api_client::bot::{Bot, Filter, Update};
//! # use simplex_api_client::testing::TestCore;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), simplex_api_client::ClientError> {
//! # let core = TestCore::start().await;
//! let seen = Arc::new(AtomicU64::new(0));
//! let bot = Bot::start(core.url()).await?
//!     .middleware({
//!         let seen = seen.clone();
//!         move |update, next| {
//!             seen.fetch_add(1, Ordering::Relaxed);
//!             next.run(update)
//!         }
//!     })
//!     .on_command("count", {
//!         let seen = seen.clone();
//!         move |msg| {
//!             let seen = seen.clone();
//!             async move { msg.reply(seen.load(Ordering::Relaxed).to_string()).await }
//!         }
//!     })
//!     .on(Filter::text().equals("hi"), |msg| async move { msg.reply("hello").await });
//! # let alice = core.contact("alice");
//! # tokio::spawn(bot.run());
//! # alice.sends_text("hi").await;
//! # assert_eq!(alice.next_message().await, "hello");
//! # alice.sends_text("/count").await;
//! # assert_eq!(alice.next_message().await, "2");
//! # Ok(())
//! # }
//! ```
//!
//! # Concurrency
//!
//! One task reads from the core. Each chat (a contact, a group) has its own queue: its
//! messages are handled one at a time, in the order they arrived, while different chats run
//! concurrently, at most [`max_in_flight`](BotBuilder::max_in_flight) handlers at once (128 by
//! default). Events other than messages share one queue of their own, in order.
//!
//! A handler that panics is caught: the panic is logged (`tracing::error!`) and the next
//! message of that chat is handled as usual. A slow handler holds up only its own chat.
//! At most [`max_queued`](BotBuilder::max_queued) messages and events wait for their handler
//! (10,000 by default); beyond that the bot stops reading from the core until they are
//! handled, so a flood is slowed down, not dropped, and memory stays bounded.
//!
//! ```
//! # mod tokio { pub use ::tokio::*; }
//! use std::time::Duration;
//! use simplex_api_client::bot::Bot;
//! # use simplex_api_client::testing::TestCore;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), simplex_api_client::ClientError> {
//! # let core = TestCore::start().await;
//! let bot = Bot::builder()
//!     .max_in_flight(16) // handlers at once, across chats
//!     .max_queued(1_000) // messages waiting before reading pauses
//!     .start(core.url())
//!     .await?
//!     .on_message(|msg| async move {
//!         tokio::time::sleep(Duration::from_millis(100)).await; // holds up this chat only
//!         msg.reply("done").await
//!     });
//! # let (alice, bob) = (core.contact("alice"), core.contact("bob"));
//! # tokio::spawn(bot.run());
//! # alice.sends_text("1").await;
//! # bob.sends_text("2").await;
//! # assert_eq!(alice.next_message().await, "done");
//! # assert_eq!(bob.next_message().await, "done");
//! # Ok(())
//! # }
//! ```
//!
//! # Files
//!
//! [`accept_files_up_to`](BotBuilder::accept_files_up_to) has the runner receive every file of
//! at most that size before the message's handler runs, which finds it in
//! [`Message::received_file`] (or why not: too large, failed, cancelled, timed out). Without
//! it, a handler receives a file with [`Message::receive_file`] when it wants to. Either way
//! the call returns once the file is complete, and later messages of the same chat wait
//! meanwhile. [`Message::reply_with`] sends a file, an image, a voice message, a video or a
//! link preview (the constructors of
//! [`ComposedMessage`](simplex_api_types::types::ComposedMessage)), and
//! [`reply_with_upload`](Message::reply_with_upload) also waits until it is uploaded.
//!
//! ```
//! # mod tokio { pub use ::tokio::*; }
//! # use simplex_api_client::{bot::Bot, testing::TestCore};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), simplex_api_client::ClientError> {
//! # let core = TestCore::start().await;
//! let bot = Bot::builder().accept_files_up_to(1 << 20).start(core.url()).await?;
//! let bot = bot.on_message(|msg| async move {
//!     match msg.received_file() {
//!         Some(Ok(file)) => msg.reply(format!("{} bytes", file.read()?.len())).await?,
//!         Some(Err(e)) => msg.reply(e.to_string()).await?,
//!         None => msg.reply("Send me a file.").await?,
//!     }
//!     simplex_api_client::bot::HandlerResult::Ok(())
//! });
//! # let alice = core.contact("alice");
//! # tokio::spawn(bot.run());
//! # alice.sends_file("a.bin", vec![0; 300]).await;
//! # assert_eq!(alice.next_message().await, "300 bytes");
//! # Ok(())
//! # }
//! ```
//!
//! # Shutdown
//!
//! [`run`](Bot::run) returns `Ok` when the core closes the connection, on Ctrl-C or SIGTERM
//! (unless [`handle_signals(false)`](BotBuilder::handle_signals)), or when a
//! [`ShutdownHandle`] (from [`Bot::shutdown_handle`], usable from any task) asks it to. It
//! then stops reading, gives the handlers in flight and the messages already queued
//! [`shutdown_timeout`](BotBuilder::shutdown_timeout) (10 s by default) to finish, cancels what
//! still runs, and drops the connection.
//!
//! ```
//! # mod tokio { pub use ::tokio::*; }
//! # use simplex_api_client::{bot::Bot, testing::TestCore};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), simplex_api_client::ClientError> {
//! # let core = TestCore::start().await;
//! let bot = Bot::start(core.url()).await?;
//! let stop = bot.shutdown_handle();
//! let running = tokio::spawn(bot.run());
//! stop.shutdown();
//! running.await.unwrap()?;
//! # Ok(())
//! # }
//! ```
//!
//! # Reconnecting
//!
//! By default `run` returns when the connection ends (except for a core that
//! [`run_main`](BotBuilder::run_main) spawns: its bot reconnects, and stops with a failure
//! when the CLI itself exits). With [`reconnect(true)`](BotBuilder::reconnect) it connects
//! again instead, with exponential
//! backoff and jitter, runs the start-up steps again (which send nothing when nothing
//! changed), and goes on with the same handlers. Commands in flight at the drop fail with
//! `Disconnected` and are never sent again. What the core delivered while the bot was away is
//! not replayed by this crate: read the recent items of the bot's chats to catch up.

mod event;
mod handlers;
mod run;
mod setup;

use std::future::Future;

use simplex_api_types::types::User;
use simplex_api_types::ChatEvent;

pub use event::FromEvent;
pub use handlers::{BoxError, Event, Filter, HandlerResult, Message, Next, Update};
pub use run::ShutdownHandle;
pub use setup::BotBuilder;

use crate::{Client, ClientError, Events};

/// The address of the core for an example or a small bot: the first command-line argument
/// unless it is an option (`--...`), else `ws://127.0.0.1:5225`.
pub fn core_url() -> String {
    core_url_from(std::env::args().skip(1))
}

/// The values given to a repeatable command-line option: for `--ban` and the arguments
/// `ws://... --ban spam --ban scam`, `["spam", "scam"]`.
pub fn option_values(option: &str) -> Vec<String> {
    option_values_from(option, std::env::args().skip(1))
}

fn option_values_from(option: &str, args: impl Iterator<Item = String>) -> Vec<String> {
    let args: Vec<String> = args.collect();
    args.windows(2)
        .filter(|w| w[0] == option)
        .map(|w| w[1].clone())
        .collect()
}

/// Where the core of a bot program is, from its command line (see [`core_arg`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoreArg {
    /// A running core's WebSocket server: the first argument, `ws://127.0.0.1:5225` when none.
    Url(String),
    /// `--spawn PATH --db PREFIX`: start the `simplex-chat` CLI at `PATH` with the database
    /// prefix `PREFIX` ([`CoreProcess`](crate::process::CoreProcess)).
    Spawn {
        /// The CLI.
        program: std::path::PathBuf,
        /// The database prefix.
        db: std::path::PathBuf,
    },
    /// `--lib PATH --db PREFIX`: run the core in the bot's process, `libsimplex` at `PATH`
    /// with the database prefix `PREFIX` (the `ffi` feature: the module `ffi`).
    Library {
        /// The library.
        library: std::path::PathBuf,
        /// The database prefix.
        db: std::path::PathBuf,
    },
}

/// Where the core is, from the command line: `--spawn PATH --db PREFIX` or
/// `--lib PATH --db PREFIX` (in any order, among other options), or else [`core_url`].
/// `--spawn` or `--lib` without `--db`, both, or any of them without its value, is an error that
/// says so.
pub fn core_arg() -> Result<CoreArg, String> {
    core_arg_from(std::env::args().skip(1).collect())
}

fn core_arg_from(args: Vec<String>) -> Result<CoreArg, String> {
    let value = |option: &str| -> Result<Option<String>, String> {
        match args.iter().position(|a| a == option) {
            None => Ok(None),
            Some(i) => match args.get(i + 1) {
                Some(v) if !v.starts_with("--") => Ok(Some(v.clone())),
                _ => Err(format!("{option} needs a value")),
            },
        }
    };
    match (value("--spawn")?, value("--lib")?, value("--db")?) {
        (Some(_), Some(_), _) => Err("--spawn PATH and --lib PATH: give one of them".into()),
        (Some(program), None, Some(db)) => Ok(CoreArg::Spawn {
            program: program.into(),
            db: db.into(),
        }),
        (None, Some(library), Some(db)) => Ok(CoreArg::Library {
            library: library.into(),
            db: db.into(),
        }),
        (Some(_), None, None) => Err("--spawn PATH needs --db PREFIX (the database prefix)".into()),
        (None, Some(_), None) => Err("--lib PATH needs --db PREFIX (the database prefix)".into()),
        (None, None, Some(_)) => Err("--db PREFIX is for --spawn PATH or --lib PATH".into()),
        (None, None, None) => Ok(CoreArg::Url(core_url_from(args.into_iter()))),
    }
}

fn core_url_from(mut args: impl Iterator<Item = String>) -> String {
    match args.next() {
        Some(arg) if !arg.starts_with("--") => arg,
        _ => "ws://127.0.0.1:5225".to_owned(),
    }
}

/// A started bot: connected, its user, address and profile set up. Register handlers, then
/// [`run`](Bot::run) it (see the [module docs](self)).
pub struct Bot {
    client: Client,
    events: Events,
    user: Box<User>,
    address: Option<String>,
    url: String,
    routes: handlers::Routes,
    shutdown: ShutdownHandle,
    settings: BotBuilder,
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot")
            .field("user_id", &self.user.user_id)
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl Bot {
    /// The bot's settings, with upstream's defaults; [`BotBuilder::start`] connects.
    pub fn builder() -> BotBuilder {
        BotBuilder::default()
    }

    /// Connects to the core at `url` and sets the bot up with the default settings (the
    /// core's user and profile, made a bot profile; an address that accepts contacts
    /// automatically). The same as `Bot::builder().start(url)`.
    pub async fn start(url: &str) -> Result<Bot, ClientError> {
        Bot::builder().start(url).await
    }

    /// The client, to send any command.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The bot's user.
    pub fn user(&self) -> &User {
        &self.user
    }

    /// The bot's address (its short link when it has one): share it to be contacted. `None`
    /// when it has none and [`create_address`](BotBuilder::create_address) is off.
    pub fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }

    /// A handle that stops [`run`](Bot::run) from any task.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.shutdown.clone()
    }

    /// Handles `/keyword` messages (`keyword` without the `/`; a leading `/` is ignored).
    pub fn on_command<F, Fut, E>(mut self, keyword: &str, handler: F) -> Bot
    where
        F: Fn(Message) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        self.routes.add_command(keyword, handler);
        self
    }

    /// Handles the messages that pass `filter`.
    pub fn on<F, Fut, E>(mut self, filter: Filter, handler: F) -> Bot
    where
        F: Fn(Message) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        self.routes.add_message(filter, handler);
        self
    }

    /// Handles every message (that no handler registered before took).
    pub fn on_message<F, Fut, E>(self, handler: F) -> Bot
    where
        F: Fn(Message) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        self.on(Filter::any(), handler)
    }

    /// Handles the messages no other handler takes.
    pub fn fallback<F, Fut, E>(mut self, handler: F) -> Bot
    where
        F: Fn(Message) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        self.routes.set_fallback(handler);
        self
    }

    /// Handles events of type `T` (a struct of [`simplex_api_types::events`], named by the
    /// handler's argument: `|e: Event<ContactConnected>| ...`). The first handler registered
    /// for a type takes it.
    pub fn on_event<T, F, Fut, E>(mut self, handler: F) -> Bot
    where
        T: FromEvent,
        F: Fn(Event<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        self.routes.add_event(handler);
        self
    }

    /// Handles the events no [`on_event`](Bot::on_event) handler takes, as a [`ChatEvent`].
    pub fn on_any_event<F, Fut, E>(mut self, handler: F) -> Bot
    where
        F: Fn(Event<ChatEvent>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        self.routes.set_any_event(handler);
        self
    }

    /// Runs `middleware` around every handler, in the order registered (the first is the
    /// outermost). It gets the update and the rest of the chain; returning without running
    /// [`next`](Next::run) drops the update.
    pub fn middleware<F, Fut, E>(mut self, middleware: F) -> Bot
    where
        F: Fn(Update, Next) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        self.routes.add_middleware(middleware);
        self
    }

    /// Handles messages and events until the core closes the connection, Ctrl-C or SIGTERM,
    /// or a [`ShutdownHandle`]; each ends the run with `Ok` once the handlers in flight are
    /// done (see the module docs, "Shutdown").
    pub async fn run(self) -> Result<(), ClientError> {
        run::run(self).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_core_url_is_the_first_argument_and_options_are_read_by_name() {
        let args = |a: &[&str]| {
            a.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .into_iter()
        };
        assert_eq!(core_url_from(args(&[])), "ws://127.0.0.1:5225");
        assert_eq!(core_url_from(args(&["ws://h:1"])), "ws://h:1");
        assert_eq!(core_url_from(args(&["--ban", "x"])), "ws://127.0.0.1:5225");
        let given = args(&["ws://h:1", "--ban", "a", "--x", "--ban", "b", "--ban"]);
        assert_eq!(option_values_from("--ban", given), ["a", "b"]);
    }

    #[test]
    fn spawn_and_db_name_the_cli_and_the_database_in_any_order() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let spawn = CoreArg::Spawn {
            program: "/opt/simplex-chat".into(),
            db: "./data/bot".into(),
        };
        assert_eq!(
            core_arg_from(args(&[
                "--spawn",
                "/opt/simplex-chat",
                "--db",
                "./data/bot"
            ])),
            Ok(spawn.clone())
        );
        assert_eq!(
            core_arg_from(args(&[
                "--ban",
                "x",
                "--db",
                "./data/bot",
                "--spawn",
                "/opt/simplex-chat"
            ])),
            Ok(spawn)
        );
        assert_eq!(
            core_arg_from(args(&["ws://h:1", "--ban", "x"])),
            Ok(CoreArg::Url("ws://h:1".into()))
        );
        assert!(core_arg_from(args(&["--spawn", "/opt/simplex-chat"]))
            .unwrap_err()
            .contains("--db"));
        assert!(core_arg_from(args(&["--spawn", "--db", "x"]))
            .unwrap_err()
            .contains("--spawn needs a value"));
        assert!(core_arg_from(args(&["--db", "x"])).is_err());
    }

    #[test]
    fn lib_and_db_name_the_library_and_the_database_and_exclude_spawn() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            core_arg_from(args(&["--db", "/d/bot", "--lib", "/l/libsimplex.so"])),
            Ok(CoreArg::Library {
                library: "/l/libsimplex.so".into(),
                db: "/d/bot".into()
            })
        );
        for bad in [
            &["--lib", "/l/libsimplex.so"][..],
            &["--lib", "--db", "x"],
            &["--lib", "l", "--spawn", "s", "--db", "x"],
        ] {
            let e = core_arg_from(args(bad)).expect_err("an error");
            assert!(e.contains("--"), "{bad:?}: {e}");
        }
    }
}
