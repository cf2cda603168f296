//! What handlers receive ([`Message`], [`Event`]), how messages are chosen for them
//! ([`Filter`]), and the middleware chain ([`Update`], [`Next`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use simplex_api_types::commands::ReceiveFile;
use simplex_api_types::types::{
    AChatItem, ChatInfo, ChatRef, CiDirection, CiFile, ComposedMessage, MsgContent,
};
use simplex_api_types::{BotCommand, ChatEvent, Sender};

use super::event::FromEvent;
use crate::files::{FileError, ReceiveOptions, ReceivedFile};
use crate::{Client, ClientError};

/// What a handler returns: `Ok`, or an error that is logged (`tracing::warn!`) with the
/// message or event it was handling. Any error type converts into it with `?`.
pub type HandlerResult = Result<(), BoxError>;

/// A handler's error.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

pub(super) type BoxFuture = Pin<Box<dyn Future<Output = HandlerResult> + Send>>;
type MessageFn = Arc<dyn Fn(Message) -> BoxFuture + Send + Sync>;
type EventFn = Arc<dyn Fn(Client, ChatEvent) -> Option<BoxFuture> + Send + Sync>;
type TextPredicate = Arc<dyn Fn(&str) -> bool + Send + Sync>;
type MiddlewareFn = Arc<dyn Fn(Update, Next) -> BoxFuture + Send + Sync>;

/// Boxes a user's handler future, converting its error.
fn boxed<Fut, E>(fut: Fut) -> BoxFuture
where
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Into<BoxError>,
{
    Box::pin(async move { fut.await.map_err(Into::into) })
}

/// An incoming message (never one the bot sent itself), with what a handler needs to answer
/// it. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Message {
    client: Client,
    item: Arc<AChatItem>,
    /// What receiving the file gave, when the bot accepts files by itself.
    download: Option<Arc<Result<ReceivedFile, FileError>>>,
}

impl Message {
    pub(super) fn new(client: Client, item: AChatItem) -> Message {
        Message {
            client,
            item: Arc::new(item),
            download: None,
        }
    }

    /// Receives the message's file when it has one, as
    /// [`accept_files_up_to`](super::BotBuilder::accept_files_up_to) asks.
    pub(super) async fn download(&mut self, options: &ReceiveOptions) {
        if let Some(file) = self.file() {
            let result = self.client.receive_file(file, options).await;
            self.download = Some(Arc::new(result));
        }
    }

    /// The message's text (possibly empty, for example for an image without a caption);
    /// `None` for content without text.
    pub fn text(&self) -> Option<&str> {
        self.item.text()
    }

    /// The message's text, trimmed, parsed as a `T` (`msg.parse_text::<i64>()`); `None` when
    /// there is no text or it does not parse.
    pub fn parse_text<T: std::str::FromStr>(&self) -> Option<T> {
        self.text()?.trim().parse().ok()
    }

    /// The message's content.
    pub fn content(&self) -> Option<&MsgContent> {
        self.item.chat_item.content.msg_content()
    }

    /// The kind of content: `"text"`, `"image"`, `"file"`, `"voice"`, `"link"`, ...
    pub fn content_type(&self) -> Option<&str> {
        self.content()?.tag()
    }

    /// The `/command` the message is, if any: its keyword (without `/`) and parameters.
    pub fn command(&self) -> Option<BotCommand<'_>> {
        self.item.bot_command()
    }

    /// The keyword of a `/command` (without the `/`; empty when the message is no command).
    pub fn keyword(&self) -> &str {
        self.command().map_or("", |c| c.keyword)
    }

    /// The parameters of a `/command` (the text after the keyword, trimmed; empty when there
    /// are none, or when the message is no command).
    pub fn params(&self) -> &str {
        self.command().map_or("", |c| c.params)
    }

    /// The parameters of a `/command`, split at whitespace.
    pub fn args(&self) -> impl Iterator<Item = &str> {
        self.params().split_whitespace()
    }

    /// Who sent it.
    pub fn sender(&self) -> Option<Sender<'_>> {
        self.item.sender()
    }

    /// The contact that sent it: in a direct chat the contact, in a group the member's
    /// contact when the bot has one.
    pub fn contact_id(&self) -> Option<i64> {
        match (&self.item.chat_info, &self.item.chat_item.chat_dir) {
            (ChatInfo::Direct(d), _) => Some(d.contact.contact_id),
            (ChatInfo::Group(_), CiDirection::GroupRcv(m)) => m.group_member.member_contact_id,
            _ => None,
        }
    }

    /// The group it was sent in; `None` in a direct chat.
    pub fn group_id(&self) -> Option<i64> {
        match &self.item.chat_info {
            ChatInfo::Group(g) => Some(g.group_info.group_id),
            _ => None,
        }
    }

    /// True in a direct chat with a contact.
    pub fn is_direct(&self) -> bool {
        matches!(self.item.chat_info, ChatInfo::Direct(_))
    }

    /// The id of the message's chat item (to quote, react to, or delete it).
    pub fn item_id(&self) -> i64 {
        self.item.chat_item.id()
    }

    /// The file the message carries (its id, name, size, status), if any.
    pub fn file(&self) -> Option<&CiFile> {
        self.item.chat_item.file.as_deref()
    }

    /// The file the bot received by itself, when it accepts files
    /// ([`accept_files_up_to`](super::BotBuilder::accept_files_up_to)): the received file, or
    /// why it was not received ([`FileError::TooLarge`] for a file over the limit, which was
    /// not accepted). `None` when the message has no file or the bot does not accept files by
    /// itself.
    pub fn received_file(&self) -> Option<Result<&ReceivedFile, &FileError>> {
        self.download.as_deref().map(Result::as_ref)
    }

    /// Receives the message's file and waits until it is complete
    /// ([`Client::receive_file`]); `Ok(None)` when the message has no file. When the bot has
    /// received it by itself already ([`received_file`](Self::received_file)), returns that.
    ///
    /// While it waits, later messages of the same chat wait too (messages of one chat are
    /// handled in order); other chats go on.
    pub async fn receive_file(
        &self,
        options: &ReceiveOptions,
    ) -> Result<Option<ReceivedFile>, FileError> {
        if let Some(Ok(file)) = self.received_file() {
            return Ok(Some(file.clone()));
        }
        match self.file() {
            Some(file) => self.client.receive_file(file, options).await.map(Some),
            None => Ok(None),
        }
    }

    /// Accepts the message's file (`ReceiveFile` with the core's defaults: stored in the
    /// core's files folder) without waiting for it; `false` when the message has no file. The
    /// core then sends `RcvFileStart` and `RcvFileComplete` (or `RcvFileError`): handle those
    /// with [`on_event`](super::Bot::on_event). To wait for the file, use
    /// [`receive_file`](Self::receive_file).
    pub async fn accept_file(&self) -> Result<bool, ClientError> {
        let Some(file) = self.file() else {
            return Ok(false);
        };
        self.client
            .send(&ReceiveFile::new(file.file_id))
            .await?
            .into_result()?;
        Ok(true)
    }

    /// The chat item, with its chat.
    pub fn item(&self) -> &AChatItem {
        &self.item
    }

    /// The client, to send any command.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Sends `content` (a text, or any `MsgContent`) to the chat the message came from (in a
    /// group, to the same member-support scope).
    pub async fn reply(&self, content: impl Into<MsgContent>) -> Result<(), ClientError> {
        self.send_reply(content.into(), false).await
    }

    /// Like [`reply`](Self::reply), quoting the message.
    pub async fn reply_quoting(&self, content: impl Into<MsgContent>) -> Result<(), ClientError> {
        self.send_reply(content.into(), true).await
    }

    /// Sends `message` (a file, an image, a voice message, a video, a link preview, ...: see
    /// [`ComposedMessage`]'s constructors) to the chat the message came from, without
    /// waiting for its file to be uploaded. Returns the new items.
    pub async fn reply_with(
        &self,
        message: ComposedMessage,
    ) -> Result<Vec<AChatItem>, ClientError> {
        let command = self.reply_command(message)?;
        Ok(self.client.send(&command).await?.into_result()?.chat_items)
    }

    /// Like [`reply_with`](Self::reply_with), waiting until the file is uploaded
    /// (`sndFileCompleteXFTP`), at most `timeout` ([`Client::send_with_files`]).
    pub async fn reply_with_upload(
        &self,
        message: ComposedMessage,
        timeout: std::time::Duration,
    ) -> Result<Vec<AChatItem>, FileError> {
        let command = self
            .reply_command(message)
            .map_err(|source| FileError::Command { file_id: 0, source })?;
        self.client.send_with_files(&command, timeout).await
    }

    fn reply_command(
        &self,
        message: ComposedMessage,
    ) -> Result<simplex_api_types::commands::ApiSendMessages, ClientError> {
        let chat: ChatRef = self.item.chat_ref().ok_or_else(|| {
            let tag = self.item.chat_info.tag().unwrap_or("(undocumented)");
            ClientError::CannotReply(tag.to_owned())
        })?;
        Ok(simplex_api_types::commands::ApiSendMessages::new(
            chat,
            vec![message],
        ))
    }

    async fn send_reply(&self, content: MsgContent, quote: bool) -> Result<(), ClientError> {
        let Some(command) = self.item.reply(content, quote) else {
            tracing::warn!("cannot reply in this chat: {:?}", self.item.chat_info.tag());
            return Ok(());
        };
        self.client.send(&command).await?.into_result()?;
        Ok(())
    }
}

/// An event for an [`on_event`](super::Bot::on_event) handler: the event, typed, and the
/// client to act on it. It dereferences to the event.
#[derive(Debug, Clone)]
pub struct Event<E> {
    /// The event.
    pub event: E,
    /// The client, to send any command.
    pub client: Client,
}

impl<E> std::ops::Deref for Event<E> {
    type Target = E;
    fn deref(&self) -> &E {
        &self.event
    }
}

/// What a middleware sees: a message on its way to its handler, or an event.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Update {
    /// An incoming message.
    Message(Message),
    /// Any other event (and `NewChatItems` itself, when a handler is registered for it).
    Event(Client, Box<ChatEvent>),
}

/// The rest of the chain, for a middleware: [`run`](Next::run) it to go on to the next
/// middleware and at the end the handler; return without running it to stop the update.
pub struct Next {
    routes: Arc<Routes>,
    index: usize,
}

impl std::fmt::Debug for Next {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Next").field("index", &self.index).finish()
    }
}

impl Next {
    /// Runs the rest of the chain on `update` (usually the one the middleware received).
    pub async fn run(self, update: Update) -> HandlerResult {
        self.routes.dispatch_from(self.index, update).await
    }
}

/// Which messages a handler is for, registered with [`Bot::on`](super::Bot::on). Every
/// condition set must hold.
///
/// ```
/// use simplex_api_client::bot::Filter;
///
/// let greetings = Filter::text().matching(|t| t.to_lowercase().starts_with("hello")).direct();
/// let images_in_group_7 = Filter::content("image").in_group(7);
/// # let _ = (greetings, images_in_group_7);
/// ```
#[derive(Clone, Default)]
pub struct Filter {
    content: Option<String>,
    command: bool,
    text: Option<TextPredicate>,
    direct: Option<bool>,
    contact: Option<i64>,
    group: Option<i64>,
}

impl std::fmt::Debug for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Filter")
            .field("content", &self.content)
            .field("command", &self.command)
            .field("text", &self.text.is_some())
            .field("direct", &self.direct)
            .field("contact", &self.contact)
            .field("group", &self.group)
            .finish()
    }
}

impl Filter {
    /// Every message.
    pub fn any() -> Filter {
        Filter::default()
    }

    /// Text messages (content type `"text"`). A text with a link preview is a `"link"`, and
    /// images, files and the like may have text too: to match on the text of any message,
    /// start from [`any`](Filter::any) and add [`matching`](Filter::matching).
    pub fn text() -> Filter {
        Filter::content("text")
    }

    /// Messages whose content is of this type: `"text"`, `"image"`, `"file"`, `"voice"`,
    /// `"video"`, `"link"`, ...
    pub fn content(content_type: &str) -> Filter {
        Filter {
            content: Some(content_type.to_owned()),
            ..Filter::default()
        }
    }

    /// Messages that are a `/command` (any keyword). Handlers registered with
    /// [`on_command`](super::Bot::on_command) are tried first, so this catches the others.
    pub fn command() -> Filter {
        Filter {
            command: true,
            ..Filter::default()
        }
    }

    /// Only messages whose text is exactly `text`.
    pub fn equals(self, text: impl Into<String>) -> Filter {
        let text = text.into();
        self.matching(move |t| t == text)
    }

    /// Only messages whose text satisfies `predicate`.
    pub fn matching(mut self, predicate: impl Fn(&str) -> bool + Send + Sync + 'static) -> Filter {
        self.text = Some(Arc::new(predicate));
        self
    }

    /// Only messages in direct chats.
    pub fn direct(mut self) -> Filter {
        self.direct = Some(true);
        self
    }

    /// Only messages in groups.
    pub fn group(mut self) -> Filter {
        self.direct = Some(false);
        self
    }

    /// Only messages from this contact (in a direct chat, or as a member of a group).
    pub fn from_contact(mut self, contact_id: i64) -> Filter {
        self.contact = Some(contact_id);
        self
    }

    /// Only messages in this group.
    pub fn in_group(mut self, group_id: i64) -> Filter {
        self.group = Some(group_id);
        self
    }

    /// Whether `msg` passes.
    pub fn matches(&self, msg: &Message) -> bool {
        if let Some(kind) = &self.content {
            if msg.content_type() != Some(kind.as_str()) {
                return false;
            }
        }
        if self.command && msg.command().is_none() {
            return false;
        }
        if let Some(pred) = &self.text {
            if !msg.text().is_some_and(|t| pred(t)) {
                return false;
            }
        }
        if let Some(direct) = self.direct {
            if msg.is_direct() != direct {
                return false;
            }
        }
        if self.contact.is_some() && msg.contact_id() != self.contact {
            return false;
        }
        if self.group.is_some() && msg.group_id() != self.group {
            return false;
        }
        true
    }
}

/// The handlers of a bot, in the order they are tried.
#[derive(Default)]
pub(super) struct Routes {
    commands: Vec<(String, MessageFn)>,
    messages: Vec<(Filter, MessageFn)>,
    fallback: Option<MessageFn>,
    events: Vec<(&'static str, EventFn)>,
    any_event: Option<EventFn>,
    middleware: Vec<MiddlewareFn>,
}

impl Routes {
    pub(super) fn add_command<F, Fut, E>(&mut self, keyword: &str, handler: F)
    where
        F: Fn(Message) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        let keyword = keyword.trim_start_matches('/').to_owned();
        self.commands
            .push((keyword, Arc::new(move |m| boxed(handler(m)))));
    }

    pub(super) fn add_message<F, Fut, E>(&mut self, filter: Filter, handler: F)
    where
        F: Fn(Message) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        self.messages
            .push((filter, Arc::new(move |m| boxed(handler(m)))));
    }

    pub(super) fn set_fallback<F, Fut, E>(&mut self, handler: F)
    where
        F: Fn(Message) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        self.fallback = Some(Arc::new(move |m| boxed(handler(m))));
    }

    pub(super) fn add_event<T, F, Fut, E>(&mut self, handler: F)
    where
        T: FromEvent,
        F: Fn(Event<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        self.events.push((
            T::TAG,
            Arc::new(move |client, event| {
                let event = T::from_event(event).ok()?;
                Some(boxed(handler(Event { event, client })))
            }),
        ));
    }

    pub(super) fn set_any_event<F, Fut, E>(&mut self, handler: F)
    where
        F: Fn(Event<ChatEvent>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        self.any_event = Some(Arc::new(move |client, event| {
            Some(boxed(handler(Event { event, client })))
        }));
    }

    pub(super) fn add_middleware<F, Fut, E>(&mut self, middleware: F)
    where
        F: Fn(Update, Next) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError>,
    {
        self.middleware
            .push(Arc::new(move |u, n| boxed(middleware(u, n))));
    }

    /// Whether some handler takes events with this tag (so they must be dispatched).
    pub(super) fn wants_event(&self, tag: Option<&str>) -> bool {
        self.any_event.is_some() || self.events.iter().any(|(t, _)| Some(*t) == tag)
    }

    /// Runs `update` through the middleware from `index` on, then its handler.
    pub(super) fn dispatch_from(self: &Arc<Self>, index: usize, update: Update) -> BoxFuture {
        if let Some(middleware) = self.middleware.get(index) {
            let next = Next {
                routes: Arc::clone(self),
                index: index + 1,
            };
            return middleware(update, next);
        }
        match update {
            Update::Message(msg) => match self.message_handler(&msg) {
                Some(handler) => handler(msg),
                None => {
                    tracing::debug!("no handler for message {}", msg.item_id());
                    Box::pin(async { Ok(()) })
                }
            },
            Update::Event(client, event) => {
                let tag = event.tag();
                let handler = self
                    .events
                    .iter()
                    .find(|(t, _)| Some(*t) == tag)
                    .map(|(_, h)| h)
                    .or(self.any_event.as_ref());
                match handler.and_then(|h| h(client, *event)) {
                    Some(fut) => fut,
                    None => Box::pin(async { Ok(()) }),
                }
            }
        }
    }

    fn message_handler(&self, msg: &Message) -> Option<&MessageFn> {
        if let Some(command) = msg.command() {
            if let Some((_, h)) = self.commands.iter().find(|(k, _)| k == command.keyword) {
                return Some(h);
            }
        }
        self.messages
            .iter()
            .find(|(f, _)| f.matches(msg))
            .map(|(_, h)| h)
            .or(self.fallback.as_ref())
    }
}
