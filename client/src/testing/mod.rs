//! A test core: an in-process stand-in for the SimpleX chat core, for testing bots without one.
//!
//! [`TestCore::start`] listens on a loopback port; a bot connects to [`TestCore::url`] exactly
//! as to `simplex-chat -p PORT` (with [`connect`](crate::connect) or
//! [`Bot::start`](crate::bot::Bot::start)), and the test plays the other side: contacts that
//! connect and write, groups that invite the bot, files offered, the core stopping. Then it
//! asserts, typed, what the bot did.
//!
//! ```
//! # // The doctest runs the test function below: `#[tokio::test]` is only compiled under
//! # // `cargo test`, so here the same function is run by `#[tokio::main]` under its name.
//! # mod tokio { pub use ::tokio::*; pub use ::tokio::main as test; }
//! use simplex_api_client::{bot::Bot, testing::TestCore};
//!
//! #[tokio::test]
//! async fn the_bot_echoes() {
//!     let core = TestCore::start().await;
//!     let bot = Bot::start(core.url()).await.unwrap();
//!     tokio::spawn(bot.on_message(|msg| async move { msg.reply(msg.text().unwrap_or("")).await }).run());
//!
//!     let alice = core.contact("alice");
//!     alice.sends_text("hello").await;
//!     assert_eq!(alice.next_message().await, "hello");
//! }
//! # fn main() { the_bot_echoes() }
//! ```
//!
//! The module is behind the `testing` feature:
//!
//! ```toml
//! [dev-dependencies]
//! simplex-api-client = { version = "0.1", features = ["testing"] }
//! tokio = { version = "1", features = ["macros", "rt"] }
//! ```
//!
//! # What it answers
//!
//! Every command the bot sends is read with the generated parsers of `simplex-api-types`
//! ([`AnyCommand::parse`](simplex_api_types::AnyCommand::parse)), which read a command string
//! the way the core does:
//!
//! * Text that is no documented command (`Undocumented`), or a documented command the core
//!   would refuse to read (a malformed parameter, something left over), gets the error the core
//!   sends for text it cannot read: `chatCmdError` with
//!   `{"type":"error","errorType":{"type":"commandError","message":"Failed reading: empty"}}`.
//!   The core says the same for every such text, so what was wrong is kept in the test core's
//!   log instead ([`ReceivedCommand::refusal`]), logged with `tracing::warn!`, and shown when
//!   an assertion fails. (An undocumented command that the real core knows, such as
//!   `/_get chat`, is refused too: the test core cannot tell it from garbage.)
//! * A frame that is not a `{"corrId": ..., "cmd": ...}` request gets `chatCmdError`
//!   "invalid request" without a corrId, as from the core's WebSocket server.
//! * Documented commands are answered from a small model of the bot's world ([`World`]), with
//!   the response the core sends, and the events that follow it where the core sends some.
//!
//! The model holds one user (the bot; [`TestCoreBuilder::no_user`] starts without one), its
//! profile, its address and address settings (none until the bot creates it), contacts and
//! contact requests, groups and their members, chat items (ids increasing from 1), and files.
//! The commands it answers, and how:
//!
//! | command | answer (and events after it) |
//! |---|---|
//! | `ShowActiveUser`, `CreateActiveUser`, `ListUsers`, `APISetActiveUser` | the user; `noActiveUser` (the real frame) without one; one user only |
//! | `StartChat`, `APIStopChat` | `chatStarted` / `chatRunning`, `chatStopped`; sending needs the chat running |
//! | `APIShowMyAddress`, `APICreateMyAddress`, `APIDeleteMyAddress` | the address; `userContactLinkNotFound` until created |
//! | `APISetAddressSettings`, `APISetProfileAddress`, `APIUpdateProfile` | the settings and the profile, recorded; `userProfileNoChange` when nothing changes |
//! | `APISendMessages` | `newChatItems` with the sent items; the contact (or group) receives them; a file is read when sent (`sndFileCompleteXFTP` follows) |
//! | `APIUpdateChatItem`, `APIDeleteChatItem`, `APIDeleteMemberChatItem`, `APIChatItemReaction` | the item, changed, marked deleted or removed, moderated, reacted to |
//! | `APIListContacts`, `APIListGroups`, `APIListMembers` | the model's lists |
//! | `APIAcceptContact`, `APIRejectContact` | a pending contact request (`contactConnected` follows an accept) |
//! | `APIJoinGroup` | `userAcceptedGroupSent` (`userJoinedGroup` follows) |
//! | `ReceiveFile`, `CancelFile` | `rcvFileAccepted`, then `rcvFileStart` and `rcvFileComplete` with the file written to the path (or to a temporary folder, see [`TestCoreBuilder::files_dir`]); cancelling |
//! | `APIDeleteChat`, `APISetContactPrefs`, `APISetContactCustomData`, `APISetGroupCustomData` | the contact or group, changed |
//! | `APINewGroup`, `APIUpdateGroupProfile`, `APIAddMember`, `APIAcceptMember`, `APIMembersRole`, `APIBlockMembersForAll`, `APIRemoveMembers`, `APILeaveGroup` | the group and its members, changed |
//! | `APISetUserAutoAcceptMemberContacts`, `APISetUserAutoAcceptGroupInvitations` | `cmdOk` |
//!
//! Errors are the ones the core gives: a `userId` that is not the active user's gets
//! `differentActiveUser`, an unknown contact, group, item or file the store's `...NotFound`,
//! sending to a contact that deleted the bot `contactNotActive`, and so on. What it does not
//! model (links to groups, invitations to connect, chat lists, relays, remote control, user
//! deletion, encrypted local files) it answers with `chatCmdError` `commandError` saying so.
//! Any answer can be replaced: [`TestCore::on`].
//!
//! # Real frames first
//!
//! Responses and events start from real captured frames where one exists for their tag
//! (`activeUser`, `chatCmdError`, `contactsList`, `newChatItems`, `receivedGroupInvitation`,
//! `userContactLink`), and the model's records (the user, contacts, groups, members, chat items,
//! the address) are copies of the records in those frames with the model's ids, names and
//! times put in. So the test core sends what cores send, including the fields the docs do not
//! list, and leaves out the fields those cores did not send. The frames are copies of
//! `api-types/tests/data/` embedded in this crate; a test keeps them identical.
//!
//! # The other side
//!
//! * [`TestCore::contact`]: a contact. On first use it connects through the bot's address:
//!   `contactConnected` (and the encryption notice item the core adds to a new chat), or, when
//!   the address does not accept automatically, `receivedContactRequest`, and it waits for the
//!   bot's `APIAcceptContact`. Without an address it connects directly. It sends texts, any
//!   content, or files with their bytes ([`TestContact::sends_file`]:
//!   `newChatItems`, then `rcvFileDescrReady`), and can delete the bot
//!   (`contactDeletedByContact`).
//! * [`TestCore::group`]: a group. A contact invites the bot (`receivedGroupInvitation`, from
//!   the real frame; the bot joins with `APIJoinGroup`), or the bot is a member from the start
//!   ([`TestGroup::with_bot_as_member`]). Members join (`joinedGroupMember`), write and leave.
//! * [`TestCore::restart`] closes every connection as a core that stops does (the world stays,
//!   as the core's database does) and [`TestCore::drop_connections`] drops them as a killed
//!   core does; the test core keeps listening, so a bot may connect again.
//!   [`TestCore::send_event`] and [`TestCore::send_frame`] send anything else.
//!
//! Events go to the oldest open connection (the core's server gives each event to one client)
//! and wait while no bot is connected, so a test may act before its bot connects. The
//! actions resolve once their events are written to the bot.
//!
//! Contacts connect through the address as it is when they first act: act once the bot's
//! set-up is done (after [`Bot::start`](crate::bot::Bot::start) returns, or after waiting for
//! its last set-up command with [`TestCore::next_command`]).
//!
//! # Asserting
//!
//! * [`TestCore::next_command`]: the next command of a type that the bot sent (and that the
//!   test has not taken yet), typed; it waits for it and fails the test with the list of what
//!   the bot sent instead. [`TestCore::commands`] is the whole log.
//! * [`TestContact::next_message`] and [`TestContact::received`]: what the bot sent to a contact
//!   (the same for groups).
//! * [`TestCore::profile`], [`TestCore::address_settings`], [`TestCore::world`]: the state the
//!   bot left.
//!
//! Every wait has a timeout, 5 seconds by default ([`TestCoreBuilder::timeout`],
//! [`TestCore::set_timeout`]), and fails the test with what happened instead. The assertion
//! helpers panic, as test assertions do; nothing a bot sends makes the test core panic.

mod answer;
mod frames;
mod server;
mod world;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use simplex_api_types::types::{
    AddressSettings, Contact, GroupInfo, GroupMember, GroupMemberRole, MsgContent, Profile, User,
    UserContactLink,
};
use simplex_api_types::{ChatEvent, ChatResponse, Command, ParseCommand};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message as Frame;

use server::{Out, Shared, State};
use world::{Chat, ConnectState, FilesDir};
pub use world::{ReceivedMessage, SentFile, Transfer, World};

/// How long the test core's waits last unless set otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The display name of the bot user a test core starts with.
const DEFAULT_BOT_NAME: &str = "bot";

/// A stand-in for the chat core that bots connect to over a loopback WebSocket (see the
/// [module docs](self)).
///
/// Dropping it closes every connection (with a close frame) and stops listening.
pub struct TestCore {
    shared: Arc<Shared>,
    url: String,
}

impl std::fmt::Debug for TestCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCore").field("url", &self.url).finish()
    }
}

/// Settings for a [`TestCore`]: [`TestCore::builder`].
#[derive(Debug, Clone)]
pub struct TestCoreBuilder {
    bot_name: Option<String>,
    chat_running: bool,
    timeout: Duration,
    files_dir: Option<PathBuf>,
}

impl Default for TestCoreBuilder {
    fn default() -> Self {
        TestCoreBuilder {
            bot_name: Some(DEFAULT_BOT_NAME.to_owned()),
            chat_running: true,
            timeout: DEFAULT_TIMEOUT,
            files_dir: None,
        }
    }
}

impl TestCoreBuilder {
    /// The display name of the bot's user (default `bot`).
    pub fn bot_name(mut self, name: impl Into<String>) -> Self {
        self.bot_name = Some(name.into());
        self
    }

    /// Starts without a user, as a new database: the bot must create one
    /// (`CreateActiveUser`); until then commands get `noActiveUser`.
    pub fn no_user(mut self) -> Self {
        self.bot_name = None;
        self
    }

    /// Starts with the chat stopped, as the in-process core before `/_start` (the CLI's
    /// WebSocket server starts it itself, and so does the test core by default).
    pub fn chat_stopped(mut self) -> Self {
        self.chat_running = false;
        self
    }

    /// How long the waits for what the bot does last before they fail the test (default 5 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Where received files are written when `ReceiveFile` names no path. By default, a
    /// fresh folder under the system's temporary folder, removed with the test core.
    pub fn files_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.files_dir = Some(dir.into());
        self
    }

    /// Starts the test core on a free port of 127.0.0.1.
    ///
    /// # Panics
    ///
    /// If no loopback port can be bound, or outside a Tokio runtime.
    pub async fn start(self) -> TestCore {
        let files_dir = match self.files_dir {
            Some(dir) => FilesDir::Given(dir),
            None => FilesDir::Temporary(None),
        };
        let world = World::new(self.bot_name.as_deref(), self.chat_running, files_dir);
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("the test core cannot listen on 127.0.0.1: {e}"));
        let url = match listener.local_addr() {
            Ok(addr) => format!("ws://{addr}"),
            Err(e) => panic!("the test core's listening address: {e}"),
        };
        let shared = Shared::new(world, self.timeout);
        tokio::spawn(server::accept_loop(listener, Arc::clone(&shared)));
        TestCore { shared, url }
    }
}

/// A command the bot sent, as the test core received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedCommand {
    corr_id: Option<String>,
    text: String,
    name: &'static str,
    refusal: Option<String>,
    response: Option<String>,
}

impl ReceivedCommand {
    /// The command string (for a frame that was not a request, the frame).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Its correlation id.
    pub fn corr_id(&self) -> Option<&str> {
        self.corr_id.as_deref()
    }

    /// The upstream name of the documented command it is (or, when refused, the command that
    /// read furthest); empty for text that is no documented command.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Why the core would refuse it, if it would (then it was answered with `commandError`).
    pub fn refusal(&self) -> Option<&str> {
        self.refusal.as_deref()
    }

    /// The tag of the response it got (`None` when a test silenced it).
    pub fn response(&self) -> Option<&str> {
        self.response.as_deref()
    }
}

impl std::fmt::Display for ReceivedCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.text)?;
        match (&self.refusal, self.name) {
            (Some(why), "") => write!(f, "  (refused: {why})"),
            (Some(why), name) => write!(f, "  (refused as {name}: {why})"),
            (None, name) => match &self.response {
                Some(resp) => write!(f, "  ({name}, answered {resp})"),
                None => write!(f, "  ({name}, not answered)"),
            },
        }
    }
}

impl TestCore {
    /// Starts a test core with the defaults: a bot user named `bot`, the chat running, no
    /// address yet, waits of 5 s.
    pub async fn start() -> TestCore {
        TestCore::builder().start().await
    }

    /// Settings for a test core.
    pub fn builder() -> TestCoreBuilder {
        TestCoreBuilder::default()
    }

    /// The URL to connect the bot to: `ws://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How long the waits last.
    pub fn timeout(&self) -> Duration {
        self.shared.lock().timeout
    }

    /// Sets how long the waits last.
    pub fn set_timeout(&self, timeout: Duration) {
        self.shared.lock().timeout = timeout;
    }

    // --- what the bot did ------------------------------------------------------------------

    /// The next command of type `C` the bot sent that the test has not taken yet (commands of
    /// other types stay for their own `next_command`), waiting for it.
    ///
    /// # Panics
    ///
    /// When none arrives within the timeout, with the list of the commands the bot sent.
    pub async fn next_command<C: ParseCommand>(&self) -> C {
        let timeout = self.timeout();
        match self.try_next_command::<C>(timeout).await {
            Some(c) => c,
            None => panic!(
                "no {} command arrived within {timeout:?}; {}",
                C::NAME,
                describe_log(&self.shared.lock())
            ),
        }
    }

    /// Like [`next_command`](Self::next_command), waiting at most `within`; `None` when none
    /// arrived.
    pub async fn try_next_command<C: ParseCommand>(&self, within: Duration) -> Option<C> {
        wait(&self.shared, within, |st| {
            for i in 0..st.log.len() {
                let entry = &st.log[i];
                if st.taken[i] || entry.name != C::NAME || entry.refusal.is_some() {
                    continue;
                }
                st.taken[i] = true;
                if let Ok(c) = C::parse_command(&st.log[i].text) {
                    return Some(c);
                }
            }
            None
        })
        .await
    }

    /// Every command the bot sent, in order.
    pub fn commands(&self) -> Vec<ReceivedCommand> {
        self.shared.lock().log.clone()
    }

    /// Every frame the test core sent to a bot (responses and events), in order.
    pub fn frames(&self) -> Vec<String> {
        self.shared.lock().sent.clone()
    }

    /// The bot's user.
    pub fn user(&self) -> Option<User> {
        self.shared.lock().world.user().cloned()
    }

    /// The bot's profile, as it set it.
    pub fn profile(&self) -> Option<Profile> {
        self.shared.lock().world.profile()
    }

    /// The bot's address, if it created one.
    pub fn address(&self) -> Option<UserContactLink> {
        self.shared.lock().world.address().cloned()
    }

    /// The settings of the bot's address, if it created one.
    pub fn address_settings(&self) -> Option<AddressSettings> {
        self.address().map(|a| a.address_settings)
    }

    /// Reads or changes the world.
    pub fn world<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        let mut st = self.shared.lock();
        let out = f(&mut st.world);
        self.shared.flush_events(&mut st);
        out
    }

    // --- answers ---------------------------------------------------------------------------

    /// Answers every later command of type `C` with `answer` instead of the model. It gets
    /// the command and the world (to read, to change, to queue events after the answer with
    /// [`World::push_event`]).
    ///
    /// For example, to answer `APIShowMyAddress` with the error of a missing address whatever
    /// the world holds: `core.on::<ApiShowMyAddress>(|_cmd, world|
    /// ApiShowMyAddressResponse::ChatCmdError(Box::new(world.store_error(
    /// StoreError::UserContactLinkNotFound))))`.
    pub fn on<C>(&self, mut answer: impl FnMut(&C, &mut World) -> C::Response + Send + 'static)
    where
        C: ParseCommand,
        C::Response: Into<ChatResponse>,
    {
        let answer: server::Override = Box::new(move |text, world| match C::parse_command(text) {
            Ok(c) => Some(answer(&c, world).into()),
            Err(_) => Some(world.refusal()),
        });
        self.shared.lock().overrides.insert(C::NAME, answer);
    }

    /// Leaves every later command of type `C` unanswered (it is still recorded), as a core
    /// that is busy or stuck: the bot's command times out.
    pub fn silence<C: Command>(&self) {
        self.shared
            .lock()
            .overrides
            .insert(C::NAME, Box::new(|_, _| None));
    }

    /// Answers commands of type `C` from the model again.
    pub fn clear_override<C: Command>(&self) {
        self.shared.lock().overrides.remove(C::NAME);
    }

    // --- the other side --------------------------------------------------------------------

    /// The contact the test plays under `name`: connected on first use.
    pub fn contact(&self, name: &str) -> TestContact {
        TestContact {
            shared: Arc::clone(&self.shared),
            name: name.to_owned(),
        }
    }

    /// The group the test plays under `name`.
    pub fn group(&self, name: &str) -> TestGroup {
        TestGroup {
            shared: Arc::clone(&self.shared),
            name: name.to_owned(),
        }
    }

    /// Sends an event to the bot (to the oldest open connection; it waits for one while none
    /// is open).
    pub async fn send_event(&self, event: impl Into<ChatEvent>) {
        self.act(|w| w.push_event(event)).await;
    }

    /// Sends a text frame as it is: garbage, a response to a command the bot did not send, an
    /// undocumented event.
    pub async fn send_frame(&self, text: impl Into<String>) {
        if let Some(written) = self.shared.send_out(Out::Text(text.into(), None)) {
            let _ = tokio::time::timeout(self.timeout(), written).await;
        }
    }

    /// Sends any WebSocket frame (binary, ping, ...) to the oldest open connection.
    pub fn send_raw_frame(&self, frame: Frame) {
        self.shared.send_out(Out::Raw(frame));
    }

    /// How the uploads of the files the bot sends from now on go (they complete by default).
    pub fn set_uploads(&self, transfer: Transfer) {
        self.shared.lock().world.uploads = transfer;
    }

    /// Completes the transfer of received file `file_id` now, whatever state it is in
    /// (stalled, cancelled by the bot, failed): its bytes are written where the bot asked and
    /// `rcvFileComplete` is sent, as a core may still do for a transfer already under way.
    /// `false` when the bot never accepted that file.
    pub async fn completes_file(&self, file_id: i64) -> bool {
        self.act(|w| w.complete_file(file_id)).await
    }

    /// Closes every connection with a close frame, as a core that stops does, and waits until
    /// they are closed. The world stays as it is (as the core's database does), the test core
    /// goes on listening, and events wait for the next connection.
    pub async fn restart(&self) {
        self.shared.to_all(|| Out::Close);
        self.wait_closed().await;
    }

    /// Drops every connection without a close frame, as when the core is killed, and waits
    /// until they are gone. The test core goes on listening.
    pub async fn drop_connections(&self) {
        self.shared.to_all(|| Out::Drop);
        self.wait_closed().await;
    }

    async fn wait_closed(&self) {
        let timeout = self.timeout();
        let closed = wait(&self.shared, timeout, |st| st.open().eq(&0).then_some(())).await;
        if closed.is_none() {
            panic!("the test core's connections did not close within {timeout:?}");
        }
    }

    /// How many bots are connected now.
    pub fn connections(&self) -> usize {
        self.shared.lock().open()
    }

    /// Waits until `n` connections have been accepted since the start (so `2` after a
    /// restart: the bot connected again).
    ///
    /// # Panics
    ///
    /// When that does not happen within the timeout.
    pub async fn wait_for_connections(&self, n: usize) {
        let timeout = self.timeout();
        if wait(&self.shared, timeout, |st| (st.accepted >= n).then_some(()))
            .await
            .is_none()
        {
            let accepted = self.shared.lock().accepted;
            panic!("{n} connections were not made within {timeout:?}: {accepted} were");
        }
    }

    /// Runs `f` on the world, sends the events it queued and waits until they are written.
    async fn act<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        act(&self.shared, f).await
    }
}

impl Drop for TestCore {
    fn drop(&mut self) {
        self.shared.shutdown.send_replace(true);
    }
}

/// Runs `check` on the state each time it changes until it gives a value, for at most
/// `within`.
async fn wait<T>(
    shared: &Shared,
    within: Duration,
    mut check: impl FnMut(&mut State) -> Option<T>,
) -> Option<T> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let changed = shared.changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        if let Some(out) = check(&mut shared.lock()) {
            return Some(out);
        }
        if tokio::time::timeout_at(deadline, changed).await.is_err() {
            return None;
        }
    }
}

/// Runs `f` on the world, sends the events it queued and waits (at most the timeout) until
/// they are written to the bot.
async fn act<R>(shared: &Shared, f: impl FnOnce(&mut World) -> R) -> R {
    let (out, written, timeout) = {
        let mut st = shared.lock();
        let out = f(&mut st.world);
        let written = shared.flush_events(&mut st);
        (out, written, st.timeout)
    };
    if let Some(written) = written {
        let _ = tokio::time::timeout(timeout, written).await;
    }
    out
}

/// The commands the bot sent, for a failure message.
fn describe_log(st: &State) -> String {
    const SHOWN: usize = 40;
    if st.log.is_empty() {
        return "the bot sent no command".to_owned();
    }
    let mut out = format!("the bot sent {} commands:", st.log.len());
    let skip = st.log.len().saturating_sub(SHOWN);
    if skip > 0 {
        let _ = write!(out, "\n  ... {skip} earlier ones");
    }
    for (entry, taken) in st.log.iter().zip(&st.taken).skip(skip) {
        let mark = if *taken { " [taken]" } else { "" };
        let _ = write!(out, "\n  {entry}{mark}");
    }
    out
}

/// A contact the test plays (see [`TestCore::contact`]). Cheap to clone; it can move into
/// other tasks.
#[derive(Clone)]
pub struct TestContact {
    shared: Arc<Shared>,
    name: String,
}

impl std::fmt::Debug for TestContact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestContact")
            .field("name", &self.name)
            .finish()
    }
}

impl TestContact {
    /// The name the test gave it (also its display name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its contact record, once it connected.
    pub fn contact(&self) -> Option<Contact> {
        self.shared
            .lock()
            .world
            .contact_named(&self.name)
            .map(|c| c.contact.clone())
    }

    /// Its contact id, once it connected.
    pub fn id(&self) -> Option<i64> {
        self.contact().map(|c| c.contact_id)
    }

    /// Connects to the bot if it is not connected (see the [module docs](self)), waiting for
    /// the bot to accept its request if its address does not accept automatically. Returns
    /// its contact id.
    ///
    /// # Panics
    ///
    /// When the bot rejects it, or does not accept it within the timeout.
    pub async fn connects(&self) -> i64 {
        let name = self.name.clone();
        match act(&self.shared, |w| w.connect_contact(&name)).await {
            Ok(id) => return id,
            Err(ConnectState::Rejected) => {
                panic!("{name} cannot connect: {}", ConnectState::Rejected)
            }
            Err(ConnectState::Waiting) => {}
        }
        let timeout = self.shared.lock().timeout;
        let outcome = wait(&self.shared, timeout, |st| {
            match st.world.connect_state(&name) {
                Err(ConnectState::Waiting) => None,
                other => Some(other),
            }
        })
        .await;
        match outcome {
            Some(Ok(id)) => id,
            Some(Err(state)) => panic!("{name} cannot connect: {state}"),
            None => panic!(
                "{name} sent a contact request (the bot's address does not accept \
                 automatically), and the bot did not accept it within {timeout:?}; {}",
                describe_log(&self.shared.lock())
            ),
        }
    }

    /// Sends a text message to the bot; returns its item id.
    pub async fn sends_text(&self, text: &str) -> i64 {
        self.sends(MsgContent::from(text)).await
    }

    /// Sends a message with any content to the bot; returns its item id.
    pub async fn sends(&self, content: impl Into<MsgContent>) -> i64 {
        let id = self.connects().await;
        let name = self.name.clone();
        let content = content.into();
        act(&self.shared, move |w| {
            w.receive(
                Chat::Direct(id),
                simplex_api_types::types::CiDirection::DirectRcv,
                content,
                None,
                &name,
            )
            .0
        })
        .await
    }

    /// Offers a file to the bot: a message with the file (`newChatItems`), then its
    /// description (`rcvFileDescrReady`). When the bot receives it (`ReceiveFile`), the test
    /// core writes `bytes` where the bot asked. Returns the file id.
    pub async fn sends_file(&self, file_name: &str, bytes: impl Into<Vec<u8>>) -> i64 {
        self.sends_file_with(file_name, bytes, Transfer::Completes)
            .await
    }

    /// Offers a file to the bot, like [`sends_file`](Self::sends_file), whose transfer goes
    /// as `transfer` says once the bot receives it (fails, is cancelled by the sender, never
    /// ends...). Returns the file id.
    pub async fn sends_file_with(
        &self,
        file_name: &str,
        bytes: impl Into<Vec<u8>>,
        transfer: Transfer,
    ) -> i64 {
        let id = self.connects().await;
        let name = self.name.clone();
        let file = (file_name.to_owned(), bytes.into());
        let mut content = simplex_api_types::types::msg_content::File::default();
        content.text = String::new();
        act(&self.shared, move |w| {
            let file_id = w
                .receive(
                    Chat::Direct(id),
                    simplex_api_types::types::CiDirection::DirectRcv,
                    MsgContent::from(content),
                    Some(file),
                    &name,
                )
                .1
                .unwrap_or_default();
            w.set_transfer(file_id, transfer);
            file_id
        })
        .await
    }

    /// Deletes the bot as a contact: `contactDeletedByContact`. A later message from this
    /// contact connects it again, as a new contact.
    ///
    /// # Panics
    ///
    /// When the contact is not connected.
    pub async fn deletes_contact(&self) {
        let name = self.name.clone();
        if !act(&self.shared, |w| w.contact_deletes(&name)).await {
            panic!(
                "{} is not connected to the bot: it cannot delete it",
                self.name
            );
        }
    }

    /// The texts the bot sent to this contact, in order.
    pub fn received(&self) -> Vec<String> {
        self.received_messages()
            .iter()
            .map(|m| m.text().unwrap_or_default().to_owned())
            .collect()
    }

    /// The messages the bot sent to this contact, in order.
    pub fn received_messages(&self) -> Vec<ReceivedMessage> {
        let st = self.shared.lock();
        st.world
            .contacts
            .iter()
            .filter(|c| c.name == self.name)
            .flat_map(|c| c.inbox.messages.iter().cloned())
            .collect()
    }

    /// The text of the next message the bot sends to this contact (that the test has not
    /// read with `next_message` yet), waiting for it.
    ///
    /// # Panics
    ///
    /// When none arrives within the timeout, with what the bot did instead.
    pub async fn next_message(&self) -> String {
        let m = self.next_received().await;
        m.text().unwrap_or_default().to_owned()
    }

    /// Like [`next_message`](Self::next_message), the whole message.
    pub async fn next_received(&self) -> ReceivedMessage {
        let timeout = self.shared.lock().timeout;
        let name = self.name.clone();
        let next = wait(&self.shared, timeout, |st| {
            let entry = st
                .world
                .contacts
                .iter_mut()
                .rev()
                .find(|c| c.name == name)?;
            let m = entry.inbox.messages.get(entry.inbox.read)?.clone();
            entry.inbox.read += 1;
            Some(m)
        })
        .await;
        match next {
            Some(m) => m,
            None => panic!(
                "the bot sent no message to {} within {timeout:?} (it sent {:?} before); {}",
                self.name,
                self.received(),
                describe_log(&self.shared.lock())
            ),
        }
    }
}

/// A group the test plays (see [`TestCore::group`]). Cheap to clone.
#[derive(Clone)]
pub struct TestGroup {
    shared: Arc<Shared>,
    name: String,
}

impl std::fmt::Debug for TestGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestGroup")
            .field("name", &self.name)
            .finish()
    }
}

impl TestGroup {
    /// The name the test gave it (also its display name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its group record, once it exists.
    pub fn info(&self) -> Option<GroupInfo> {
        self.shared
            .lock()
            .world
            .group_named(&self.name)
            .map(|g| g.info.clone())
    }

    /// Its group id, once it exists.
    pub fn id(&self) -> Option<i64> {
        self.info().map(|g| g.group_id)
    }

    /// Its members other than the bot.
    pub fn members(&self) -> Vec<GroupMember> {
        self.shared
            .lock()
            .world
            .group_named(&self.name)
            .map(|g| g.members.iter().map(|m| m.member.clone()).collect())
            .unwrap_or_default()
    }

    /// Contact `inviter` (connected first if it is not) invites the bot to this group as a
    /// member: `receivedGroupInvitation`. The bot joins with `APIJoinGroup`. Returns the
    /// group id.
    pub async fn invites_bot(&self, inviter: &str) -> i64 {
        self.invites_bot_as(inviter, GroupMemberRole::Member).await
    }

    /// Like [`invites_bot`](Self::invites_bot), with the role the bot is invited with.
    pub async fn invites_bot_as(&self, inviter: &str, role: GroupMemberRole) -> i64 {
        TestContact {
            shared: Arc::clone(&self.shared),
            name: inviter.to_owned(),
        }
        .connects()
        .await;
        let name = self.name.clone();
        let inviter = inviter.to_owned();
        act(&self.shared, move |w| w.invite(&name, &inviter, role)).await
    }

    /// Makes the group exist with the bot as a connected member, without any event (as if the
    /// bot had joined before the test). Returns the group id.
    pub fn with_bot_as_member(&self) -> i64 {
        let mut st = self.shared.lock();
        st.world.group_with_bot(&self.name)
    }

    /// Waits until the bot is a member (it joined after an invitation); returns the group id.
    ///
    /// # Panics
    ///
    /// When it does not join within the timeout.
    pub async fn bot_joined(&self) -> i64 {
        let timeout = self.shared.lock().timeout;
        let name = self.name.clone();
        let joined = wait(&self.shared, timeout, |st| {
            let g = st.world.group_named(&name)?;
            world::is_active(&g.info.membership.member_status).then_some(g.info.group_id)
        })
        .await;
        match joined {
            Some(id) => id,
            None => panic!(
                "the bot did not join group {} within {timeout:?}; {}",
                self.name,
                describe_log(&self.shared.lock())
            ),
        }
    }

    /// Member `name` of this group.
    pub fn member(&self, name: &str) -> TestMember {
        TestMember {
            group: self.clone(),
            name: name.to_owned(),
        }
    }

    fn group_id(&self) -> i64 {
        match self.id() {
            Some(id) => id,
            None => panic!(
                "there is no group {}: invite the bot first (invites_bot), or make it with \
                 with_bot_as_member",
                self.name
            ),
        }
    }

    /// The texts the bot sent to this group, in order.
    pub fn received(&self) -> Vec<String> {
        self.received_messages()
            .iter()
            .map(|m| m.text().unwrap_or_default().to_owned())
            .collect()
    }

    /// The messages the bot sent to this group, in order.
    pub fn received_messages(&self) -> Vec<ReceivedMessage> {
        self.shared
            .lock()
            .world
            .group_named(&self.name)
            .map(|g| g.inbox.messages.clone())
            .unwrap_or_default()
    }

    /// The text of the next message the bot sends to this group, waiting for it.
    ///
    /// # Panics
    ///
    /// When none arrives within the timeout, with what the bot did instead.
    pub async fn next_message(&self) -> String {
        self.next_received()
            .await
            .text()
            .unwrap_or_default()
            .to_owned()
    }

    /// Like [`next_message`](Self::next_message), the whole message.
    pub async fn next_received(&self) -> ReceivedMessage {
        let timeout = self.shared.lock().timeout;
        let name = self.name.clone();
        let next = wait(&self.shared, timeout, |st| {
            let g = st
                .world
                .groups
                .iter_mut()
                .rev()
                .find(|g| g.name == name && !g.deleted)?;
            let m = g.inbox.messages.get(g.inbox.read)?.clone();
            g.inbox.read += 1;
            Some(m)
        })
        .await;
        match next {
            Some(m) => m,
            None => panic!(
                "the bot sent no message to group {} within {timeout:?} (it sent {:?} \
                 before); {}",
                self.name,
                self.received(),
                describe_log(&self.shared.lock())
            ),
        }
    }
}

/// A member of a group the test plays (see [`TestGroup::member`]).
#[derive(Clone, Debug)]
pub struct TestMember {
    group: TestGroup,
    name: String,
}

impl TestMember {
    /// Joins the group if it has not: `joinedGroupMember`. Returns its group member id.
    ///
    /// # Panics
    ///
    /// When the group does not exist or the bot is not a member of it.
    pub async fn joins(&self) -> i64 {
        let group_id = self.group.group_id();
        let name = self.name.clone();
        act(&self.group.shared, move |w| w.member(group_id, &name)).await
    }

    /// Sends a text message to the group (joining it first if it has not); returns the item
    /// id.
    pub async fn sends_text(&self, text: &str) -> i64 {
        self.sends(MsgContent::from(text)).await
    }

    /// Sends a message with any content to the group; returns the item id.
    pub async fn sends(&self, content: impl Into<MsgContent>) -> i64 {
        let member_id = self.joins().await;
        let group_id = self.group.group_id();
        let name = self.name.clone();
        let content = content.into();
        act(&self.group.shared, move |w| {
            let dir = w.sent_by_member(group_id, member_id);
            w.receive(Chat::Group(group_id), dir, content, None, &name)
                .0
        })
        .await
    }

    /// Offers a file to the group (see [`TestContact::sends_file`]); returns the file id.
    pub async fn sends_file(&self, file_name: &str, bytes: impl Into<Vec<u8>>) -> i64 {
        let member_id = self.joins().await;
        let group_id = self.group.group_id();
        let name = self.name.clone();
        let file = (file_name.to_owned(), bytes.into());
        let content = simplex_api_types::types::msg_content::File::default();
        act(&self.group.shared, move |w| {
            let dir = w.sent_by_member(group_id, member_id);
            w.receive(
                Chat::Group(group_id),
                dir,
                MsgContent::from(content),
                Some(file),
                &name,
            )
            .1
            .unwrap_or_default()
        })
        .await
    }

    /// Leaves the group: `leftMember`.
    pub async fn leaves(&self) {
        let member_id = self.joins().await;
        let group_id = self.group.group_id();
        act(&self.group.shared, move |w| {
            w.member_leaves(group_id, member_id)
        })
        .await;
    }
}
