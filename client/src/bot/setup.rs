//! The bot's start-up: its user, its address and address settings, its profile, each changed
//! only where it differs from what the core has.

use std::time::Duration;

use simplex_api_types::commands::{
    ApiCreateMyAddress, ApiSetAddressSettings, ApiShowMyAddress, ApiShowMyAddressResponse,
    ApiUpdateProfile, CreateActiveUser, ShowActiveUser, ShowActiveUserResponse, StartChat,
};
use simplex_api_types::types::{
    chat_bot_command, AddressSettings, AutoAccept, ChatBotCommand, ChatError, ChatErrorType,
    ChatPeerType, CreatedConnLink, FeatureAllowed, LocalProfile, MsgContent, NewUser, Preferences,
    Profile, SimplePreference, StoreError, User, UserContactLink,
};

use super::run::ShutdownHandle;
use super::Bot;
use crate::files::ReceiveOptions;
use crate::{connect_with, Client, ClientError, Config, Events};

/// The bot's settings, applied when it connects: its profile, command menu, address and
/// welcome message. Made by [`Bot::builder`]; [`start`](BotBuilder::start) connects.
///
/// The defaults are those of upstream's own bot packages: a bot profile (`peerType: "bot"`,
/// calls and voice messages off, files off), an address created when there is none, contacts
/// accepted automatically, no welcome message, not a business address, the address settings
/// and the profile updated when they differ from the core's, contacts connecting logged.
#[derive(Debug, Clone)]
pub struct BotBuilder {
    pub(super) display_name: Option<String>,
    pub(super) full_name: Option<String>,
    pub(super) short_description: Option<String>,
    pub(super) description: Option<String>,
    pub(super) image: Option<String>,
    pub(super) commands: Vec<ChatBotCommand>,
    pub(super) welcome: Option<MsgContent>,
    pub(super) auto_accept: bool,
    pub(super) business_address: bool,
    pub(super) allow_files: bool,
    pub(super) accept_files: Option<ReceiveOptions>,
    pub(super) create_address: bool,
    pub(super) update_address: bool,
    pub(super) update_profile: bool,
    pub(super) bot_profile: bool,
    pub(super) log_contacts: bool,
    pub(super) config: Config,
    pub(super) max_in_flight: usize,
    pub(super) max_queued: usize,
    pub(super) shutdown_timeout: Duration,
    pub(super) handle_signals: bool,
    pub(super) reconnect: Option<Backoff>,
    /// Whether [`reconnect`](Self::reconnect) was set (a spawned core reconnects by default).
    pub(super) reconnect_chosen: bool,
}

impl Default for BotBuilder {
    fn default() -> Self {
        BotBuilder {
            display_name: None,
            full_name: None,
            short_description: None,
            description: None,
            image: None,
            commands: Vec::new(),
            welcome: None,
            auto_accept: true,
            business_address: false,
            allow_files: false,
            accept_files: None,
            create_address: true,
            update_address: true,
            update_profile: true,
            bot_profile: true,
            log_contacts: true,
            config: Config::default(),
            max_in_flight: 128,
            max_queued: 10_000,
            shutdown_timeout: Duration::from_secs(10),
            handle_signals: true,
            reconnect: None,
            reconnect_chosen: false,
        }
    }
}

impl BotBuilder {
    /// The display name (the name contacts see). Without it the core's is kept; it is also the
    /// name of the user created when the core has none (default `bot`).
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = Some(name.into());
        self
    }

    /// The full name shown under the display name.
    pub fn full_name(mut self, name: impl Into<String>) -> Self {
        self.full_name = Some(name.into());
        self
    }

    /// The short description (bio) shown with the profile (`shortDescr`).
    pub fn short_description(mut self, text: impl Into<String>) -> Self {
        self.short_description = Some(text.into());
        self
    }

    /// The longer description of the profile (`description`).
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// The profile image, as a data URI (`data:image/jpg;base64,...`, a few kilobytes).
    pub fn image(mut self, data_uri: impl Into<String>) -> Self {
        self.image = Some(data_uri.into());
        self
    }

    /// Adds a command to the menu the SimpleX apps show (v6.4.3 and later): `keyword` without
    /// the `/` (`"help"`), `label` the menu text. Tapping it sends `/keyword` at once.
    pub fn command(mut self, keyword: impl Into<String>, label: impl Into<String>) -> Self {
        let command = chat_bot_command::Command::new(keyword.into(), label.into());
        self.commands.push(command.into());
        self
    }

    /// Adds a command that takes parameters: tapping it pastes `/keyword params` into the
    /// input box for the user to complete (`params` is the placeholder, e.g. `"<number>"`).
    pub fn command_with_params(
        mut self,
        keyword: impl Into<String>,
        label: impl Into<String>,
        params: impl Into<String>,
    ) -> Self {
        let mut command = chat_bot_command::Command::new(keyword.into(), label.into());
        command.params = Some(params.into());
        self.commands.push(command.into());
        self
    }

    /// Adds any menu entry, such as a nested menu (`ChatBotCommand::Menu`).
    pub fn menu_entry(mut self, entry: ChatBotCommand) -> Self {
        self.commands.push(entry);
        self
    }

    /// The welcome message a new contact sees before connecting (the address's `autoReply`):
    /// a text or any `MsgContent`.
    pub fn welcome(mut self, message: impl Into<MsgContent>) -> Self {
        self.welcome = Some(message.into());
        self
    }

    /// Whether contact requests are accepted automatically (default `true`). When off, the bot
    /// sees `ReceivedContactRequest` events and accepts with `APIAcceptContact`.
    pub fn auto_accept(mut self, on: bool) -> Self {
        self.auto_accept = on;
        self
    }

    /// Whether the address is a business address (default `false`): each contact gets a
    /// business chat (a group) where other members can be added.
    pub fn business_address(mut self, on: bool) -> Self {
        self.business_address = on;
        self
    }

    /// Whether contacts may send files (the profile's `files` preference; default `false`).
    pub fn allow_files(mut self, on: bool) -> Self {
        self.allow_files = on;
        self
    }

    /// Receive every file sent to the bot of at most `max_bytes` (as its sender announced it),
    /// before the message's handler runs: the handler finds it, or why it failed, in
    /// [`Message::received_file`](super::Message::received_file). Larger files are not
    /// accepted; their messages reach the handler with [`FileError::TooLarge`](crate::files::FileError::TooLarge).
    /// Also allows files in the profile ([`allow_files`](Self::allow_files)).
    ///
    /// Files are stored where the core stores them by default, unencrypted; for other choices
    /// use [`accept_files_with`](Self::accept_files_with). While a file is received, later
    /// messages of the same chat wait (messages of one chat are handled in order).
    pub fn accept_files_up_to(self, max_bytes: u64) -> Self {
        self.accept_files_with(ReceiveOptions::new().max_size(max_bytes))
    }

    /// Like [`accept_files_up_to`](Self::accept_files_up_to), with the given options (a
    /// size limit, encryption, where to store, how long to wait).
    pub fn accept_files_with(mut self, options: ReceiveOptions) -> Self {
        self.accept_files = Some(options);
        self.allow_files = true;
        self
    }

    /// Whether to create the address when the bot has none (default `true`). Without one,
    /// [`Bot::address`] is `None` and a warning is logged.
    pub fn create_address(mut self, on: bool) -> Self {
        self.create_address = on;
        self
    }

    /// Whether to change the address settings when they differ from the core's (default
    /// `true`). When off, a difference is only logged.
    pub fn update_address(mut self, on: bool) -> Self {
        self.update_address = on;
        self
    }

    /// Whether to change the profile when it differs from the core's (default `true`). When
    /// off, a difference is only logged.
    pub fn update_profile(mut self, on: bool) -> Self {
        self.update_profile = on;
        self
    }

    /// Whether the profile is a bot's (default `true`): `peerType: "bot"`, calls and voice
    /// messages off, files as [`allow_files`](Self::allow_files) says, and the command menu.
    /// When off, those preferences are left as the core has them and the menu is not sent.
    pub fn bot_profile(mut self, on: bool) -> Self {
        self.bot_profile = on;
        self
    }

    /// Whether to log contacts connecting and deleting the bot (`tracing::info!`; default
    /// `true`).
    pub fn log_contacts(mut self, on: bool) -> Self {
        self.log_contacts = on;
        self
    }

    /// The connection settings (timeouts, sizes).
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// How many handlers run at once at most, across all chats (default 128; 0 is taken as 1).
    /// Messages of one chat are always handled one at a time, in order.
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = n.max(1);
        self
    }

    /// How many received messages and events may wait for their handler at most (default
    /// 10,000). When that many wait, the bot stops reading from the core until handlers catch
    /// up: nothing is dropped, and memory stays bounded.
    pub fn max_queued(mut self, n: usize) -> Self {
        self.max_queued = n.max(1);
        self
    }

    /// How long [`Bot::run`] waits for handlers in flight when it stops (default 10 s).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Whether Ctrl-C (SIGINT) and, on Unix, SIGTERM stop the bot (default `true`).
    pub fn handle_signals(mut self, on: bool) -> Self {
        self.handle_signals = on;
        self
    }

    /// The whole `main` of a bot program: reads where the core is from the command line
    /// ([`core_arg`](super::core_arg): a `ws://` URL, `--spawn PATH --db PREFIX` to start
    /// the `simplex-chat` CLI at `PATH` with that database, the bot user named by
    /// [`display_name`](Self::display_name), or, with the `ffi` feature, `--lib PATH --db
    /// PREFIX` to run the core in the process from libsimplex at `PATH`
    /// (`start_library`)), starts the bot on a Tokio runtime of its own,
    /// lets `handlers` register its handlers, and runs it. A spawned core is stopped when the
    /// bot stops. Exits with success when the bot stops (the core closed the connection,
    /// Ctrl-C, SIGTERM), with failure (the error printed) when it cannot start.
    ///
    /// ```no_run
    /// use simplex_api_client::bot::Bot;
    ///
    /// fn main() -> std::process::ExitCode {
    ///     Bot::builder().display_name("EchoBot").run_main(|bot| {
    ///         bot.on_message(|msg| async move { msg.reply(msg.text().unwrap_or("")).await })
    ///     })
    /// }
    /// ```
    pub fn run_main(mut self, handlers: impl FnOnce(Bot) -> Bot) -> std::process::ExitCode {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => {
                eprintln!("cannot start the Tokio runtime: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        let core = match super::core_arg() {
            Ok(core) => core,
            Err(e) => {
                eprintln!("{e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        let result: Result<(), String> = runtime.block_on(async {
            let (url, process) = match core {
                super::CoreArg::Url(url) => (url, None),
                super::CoreArg::Library { library, db } => {
                    return self.run_library(&library, &db, handlers).await;
                }
                super::CoreArg::Spawn { program, db } => {
                    // The bot owns this core: a connection that drops while the CLI runs is
                    // made again, unless the bot chose otherwise.
                    if !self.reconnect_chosen {
                        self.reconnect = Some(Backoff::default());
                    }
                    let mut spawn = crate::process::CoreProcess::builder(db).program(program);
                    if let Some(name) = &self.display_name {
                        spawn = spawn.bot_name(name.clone()).allow_files(self.allow_files);
                    }
                    let process = spawn.spawn().await.map_err(|e| e.to_string())?;
                    (process.url().to_owned(), Some(process))
                }
            };
            let mut process = process;
            let ran = async {
                let bot = self.start(&url).await?;
                handlers(bot).run().await
            };
            let ran = match process.as_mut() {
                None => ran.await.map_err(|e| format!("{url}: {e}")),
                // A spawned core that exits ends the bot, with what it printed last.
                Some(core) => {
                    let exited = tokio::select! {
                        ran = ran => Ok(ran),
                        status = core.wait() => Err(status),
                    };
                    match exited {
                        Ok(ran) => ran.map_err(|e| format!("{url}: {e}")),
                        Err(status) => Err(core_exited(status, &core.last_lines())),
                    }
                }
            };
            if let Some(process) = process {
                if let Err(e) = process.stop().await {
                    tracing::warn!("stopping the core: {e}");
                }
            }
            ran
        });
        match result {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                std::process::ExitCode::FAILURE
            }
        }
    }

    /// `run_main` on `--lib PATH --db PREFIX`: the bot on the in-process core, which is shut
    /// down when the bot stops.
    #[cfg(feature = "ffi")]
    async fn run_library(
        self,
        library: &std::path::Path,
        db: &std::path::Path,
        handlers: impl FnOnce(Bot) -> Bot,
    ) -> Result<(), String> {
        let where_ = library.display().to_string();
        let lib = crate::ffi::ChatLibrary::load(library).map_err(|e| e.to_string())?;
        let options = crate::ffi::OpenOptions::new(db).config(self.config.clone());
        let bot = self
            .start_library(&lib, options)
            .await
            .map_err(|e| format!("{where_}: {e}"))?;
        let core = bot.client().library_core().cloned();
        let ran = handlers(bot)
            .run()
            .await
            .map_err(|e| format!("{where_}: {e}"));
        if let Some(core) = core {
            if let Err(e) = core.shutdown().await {
                tracing::warn!("stopping the core: {e}");
            }
        }
        ran
    }

    #[cfg(not(feature = "ffi"))]
    async fn run_library(
        self,
        _library: &std::path::Path,
        _db: &std::path::Path,
        _handlers: impl FnOnce(Bot) -> Bot,
    ) -> Result<(), String> {
        Err("--lib: this program was built without the `ffi` feature of simplex-api-client".into())
    }

    /// Opens the chat in libsimplex ([`ffi::open`](crate::ffi::open)) and sets the bot up as
    /// [`start`](Self::start) does, then starts the chat (`/_start`: the in-process core sends
    /// no events before it; a new database has no user, so this comes after creating it).
    /// [`reconnect`](Self::reconnect) does not apply: the core is in the process.
    ///
    /// When the bot stops, shut the core down with
    /// [`LibraryCore::shutdown`](crate::ffi::LibraryCore::shutdown) (from
    /// [`Client::library_core`]); dropping the bot does so too, without waiting.
    #[cfg(feature = "ffi")]
    #[cfg_attr(docsrs, doc(cfg(feature = "ffi")))]
    pub async fn start_library(
        mut self,
        library: &crate::ffi::ChatLibrary,
        options: crate::ffi::OpenOptions,
    ) -> Result<Bot, ClientError> {
        if self.reconnect.take().is_some() {
            tracing::info!("reconnecting does not apply to the in-process core");
        }
        let (client, events) = crate::ffi::open(library, options).await?;
        let set_up = self.set_up_on(client, events, true).await?;
        Ok(Bot {
            client: set_up.client,
            events: set_up.events,
            user: set_up.user,
            address: set_up.address,
            url: format!("libsimplex:{}", library.path().display()),
            routes: Default::default(),
            shutdown: ShutdownHandle::new(),
            settings: self,
        })
    }

    /// Connects to the core at `url` (`ws://127.0.0.1:5225`) and sets the bot up: the active
    /// user (created as a bot user when there is none), the address and its settings, the
    /// profile; each is changed only where it differs from what the core has, so a restart
    /// sends nothing new. Then register handlers and [`run`](Bot::run) it.
    pub async fn start(self, url: &str) -> Result<Bot, ClientError> {
        let set_up = self.set_up(url).await?;
        Ok(Bot {
            client: set_up.client,
            events: set_up.events,
            user: set_up.user,
            address: set_up.address,
            url: url.to_owned(),
            routes: Default::default(),
            shutdown: ShutdownHandle::new(),
            settings: self,
        })
    }

    /// Whether [`Bot::run`] connects again when the connection ends (default `false`, but
    /// `true` for a core that [`run_main`](Self::run_main) spawns with `--spawn`, which ends the
    /// bot only when the CLI itself exits): after
    /// a growing pause (from 0.5 s, doubled each failed attempt up to 30 s, with random
    /// jitter), it connects, runs the start-up checks again, and goes on with the same
    /// handlers. Commands in flight when the connection dropped fail with
    /// [`ClientError::Disconnected`]; nothing is sent again.
    pub fn reconnect(mut self, on: bool) -> Self {
        self.reconnect = on.then_some(self.reconnect.unwrap_or_default());
        self.reconnect_chosen = true;
        self
    }

    /// Turns reconnecting on with this pause before the first attempt and this cap.
    pub fn reconnect_backoff(mut self, first: Duration, max: Duration) -> Self {
        self.reconnect = Some(Backoff { first, max });
        self.reconnect_chosen = true;
        self
    }

    /// Connects and runs the start-up steps.
    pub(super) async fn set_up(&self, url: &str) -> Result<SetUp, ClientError> {
        let (client, events) = connect_with(url, self.config.clone()).await?;
        self.set_up_on(client, events, false).await
    }

    /// The start-up steps on a connected client; `start_chat` for the in-process core, which
    /// is not started yet (the CLI starts its chat itself).
    async fn set_up_on(
        &self,
        client: Client,
        events: Events,
        start_chat: bool,
    ) -> Result<SetUp, ClientError> {
        let user = active_user(&client, self).await?;
        if start_chat {
            client.send(&StartChat::new(true)).await?.into_result()?;
        }
        let address = address(&client, self, user.user_id).await?;
        let link = address.as_ref().map(|a| link_text(&a.conn_link_contact));
        update_profile(&client, self, &user, link.as_deref()).await?;
        Ok(SetUp {
            client,
            events,
            user,
            address: link,
        })
    }
}

/// A connection with the bot set up on it.
pub(super) struct SetUp {
    pub(super) client: Client,
    pub(super) events: Events,
    pub(super) user: Box<User>,
    pub(super) address: Option<String>,
}

/// The pauses between reconnection attempts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Backoff {
    pub(super) first: Duration,
    pub(super) max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_millis(500),
            max: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The pause before attempt `n` (from 0): doubled each time up to the cap, then between
    /// half of it and all of it, at random (so that many bots do not come back at once).
    pub(super) fn pause(&self, n: u32) -> Duration {
        let full = self.first.saturating_mul(1 << n.min(20)).min(self.max);
        let random = std::collections::hash_map::RandomState::new();
        let fraction = (std::hash::BuildHasher::hash_one(&random, n) % 1000) as u32;
        full / 2 + full / 2 * fraction / 1000
    }
}

/// The core's active user, or a new bot user when there is none.
async fn active_user(client: &Client, settings: &BotBuilder) -> Result<Box<User>, ClientError> {
    match client.send(&ShowActiveUser::new()).await? {
        ShowActiveUserResponse::ActiveUser(active) => return Ok(active.user),
        ShowActiveUserResponse::ChatCmdError(e) if is_no_active_user(&e.chat_error) => {}
        other => {
            return Err(other
                .into_result()
                .err()
                .map_or(ClientError::Disconnected, Into::into))
        }
    }
    let name = settings
        .display_name
        .clone()
        .unwrap_or_else(|| "bot".into());
    tracing::info!("the core has no user: creating the bot user {name:?}");
    let mut profile = Profile::new(name, settings.full_name.clone().unwrap_or_default());
    apply_profile(settings, &mut profile, None);
    let mut new_user = NewUser::default();
    new_user.profile = Some(Box::new(profile));
    let created = client
        .send(&CreateActiveUser::new(new_user))
        .await?
        .into_result()?;
    Ok(created.user)
}

fn is_no_active_user(e: &ChatError) -> bool {
    matches!(e, ChatError::Error(e) if matches!(e.error_type, ChatErrorType::NoActiveUser))
}

fn is_no_address(e: &ChatError) -> bool {
    matches!(e, ChatError::ErrorStore(e) if matches!(e.store_error, StoreError::UserContactLinkNotFound))
}

/// The address: `None` only when there is none and none is to be created. Any answer but the
/// address or "no address" is an error, never a reason to create one.
async fn show_address(
    client: &Client,
    user_id: i64,
) -> Result<Option<UserContactLink>, ClientError> {
    match client.send(&ApiShowMyAddress::new(user_id)).await? {
        ApiShowMyAddressResponse::UserContactLink(l) => Ok(Some(*l.contact_link)),
        ApiShowMyAddressResponse::ChatCmdError(e) if is_no_address(&e.chat_error) => Ok(None),
        other => Err(other
            .into_result()
            .err()
            .map_or(ClientError::Disconnected, Into::into)),
    }
}

async fn address(
    client: &Client,
    settings: &BotBuilder,
    user_id: i64,
) -> Result<Option<UserContactLink>, ClientError> {
    let mut address = show_address(client, user_id).await?;
    if address.is_none() {
        if !settings.create_address {
            tracing::warn!("the bot has no address: contacts cannot find it");
            return Ok(None);
        }
        tracing::info!("the bot has no address: creating it");
        client
            .send(&ApiCreateMyAddress::new(user_id))
            .await?
            .into_result()?;
        address = show_address(client, user_id).await?;
    }
    let Some(mut address) = address else {
        tracing::warn!("the address just created cannot be read");
        return Ok(None);
    };
    let wanted = address_settings(settings, &address.address_settings);
    if wanted != address.address_settings {
        if settings.update_address {
            tracing::info!("the address settings differ: updating them");
            client
                .send(&ApiSetAddressSettings::new(user_id, wanted.clone()))
                .await?
                .into_result()?;
            address.address_settings = wanted;
        } else {
            tracing::info!("the address settings differ from the bot's (not updating them)");
        }
    }
    Ok(Some(address))
}

/// The address settings the bot wants: the core's, with the bot's options put in (so fields
/// it does not manage, such as an auto-accept's incognito flag, stay as they are).
pub(super) fn address_settings(
    settings: &BotBuilder,
    current: &AddressSettings,
) -> AddressSettings {
    let mut wanted = current.clone();
    wanted.business_address = settings.business_address;
    wanted.auto_accept = if settings.auto_accept {
        Some(
            current
                .auto_accept
                .clone()
                .unwrap_or_else(|| AutoAccept::new(false)),
        )
    } else {
        None
    };
    wanted.auto_reply = settings.welcome.clone();
    wanted
}

/// Puts the bot's options into `profile`.
fn apply_profile(settings: &BotBuilder, profile: &mut Profile, link: Option<&str>) {
    if let Some(name) = &settings.display_name {
        profile.display_name = name.clone();
    }
    if let Some(name) = &settings.full_name {
        profile.full_name = name.clone();
    }
    if let Some(text) = &settings.short_description {
        profile.short_descr = Some(text.clone());
    }
    if let Some(text) = &settings.description {
        profile.description = Some(text.clone());
    }
    if let Some(image) = &settings.image {
        profile.image = Some(image.clone());
    }
    if let Some(link) = link {
        profile.contact_link = Some(link.to_owned());
    }
    if settings.bot_profile {
        profile.peer_type = Some(ChatPeerType::Bot);
        let prefs = profile.preferences.get_or_insert_with(Default::default);
        let allow = |on| {
            Some(SimplePreference::new(if on {
                FeatureAllowed::Yes
            } else {
                FeatureAllowed::No
            }))
        };
        prefs.files = allow(settings.allow_files);
        prefs.calls = allow(false);
        prefs.voice = allow(false);
        prefs.commands = (!settings.commands.is_empty()).then(|| settings.commands.clone());
    }
}

/// The core's profile of the user, as a `Profile` (the fields the bot may set).
fn profile_of(local: &LocalProfile) -> Profile {
    let mut profile = Profile::new(local.display_name.clone(), local.full_name.clone());
    profile.short_descr = local.short_descr.clone();
    profile.description = local.description.clone();
    profile.image = local.image.clone();
    profile.contact_link = local.contact_link.clone();
    profile.preferences = local.preferences.clone();
    profile.peer_type = local.peer_type.clone();
    profile.contact_domain = local.contact_domain.clone();
    // Fields of newer cores that the docs do not list go back as they came, not erased.
    profile.extra_fields = local.extra_fields.clone();
    profile
}

/// An empty command list is the same as none.
fn normalized(mut profile: Profile) -> Profile {
    if let Some(prefs) = profile.preferences.as_mut() {
        if prefs.commands.as_ref().is_some_and(Vec::is_empty) {
            prefs.commands = None;
        }
        if **prefs == Preferences::default() {
            profile.preferences = None;
        }
    }
    profile
}

async fn update_profile(
    client: &Client,
    settings: &BotBuilder,
    user: &User,
    link: Option<&str>,
) -> Result<(), ClientError> {
    let current = normalized(profile_of(&user.profile));
    let mut wanted = current.clone();
    apply_profile(settings, &mut wanted, link);
    let wanted = normalized(wanted);
    if wanted == current {
        return Ok(());
    }
    if !settings.update_profile {
        tracing::info!("the profile differs from the bot's (not updating it)");
        return Ok(());
    }
    tracing::info!("the profile differs: updating it");
    let response = client
        .send(&ApiUpdateProfile::new(user.user_id, wanted))
        .await?
        .into_result()?;
    tracing::debug!("profile update: {:?}", response);
    Ok(())
}

fn link_text(link: &CreatedConnLink) -> String {
    link.conn_short_link
        .clone()
        .unwrap_or_else(|| link.conn_full_link.clone())
}

/// What `run_main` reports when the core it spawned exits under the bot.
fn core_exited(status: std::io::Result<std::process::ExitStatus>, last_lines: &[String]) -> String {
    let status = match status {
        Ok(status) => status.to_string(),
        Err(e) => format!("its status is unknown: {e}"),
    };
    format!(
        "the chat core exited ({status}); its last lines:\n{}",
        last_lines.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_the_cap_with_jitter_below_them() {
        let b = Backoff {
            first: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        for (n, full) in [
            (0, 100),
            (1, 200),
            (2, 400),
            (3, 800),
            (4, 1000),
            (40, 1000),
        ] {
            let full = Duration::from_millis(full);
            let pause = b.pause(n);
            assert!(pause >= full / 2 && pause <= full, "attempt {n}: {pause:?}");
        }
    }
}
