//! A small bot runner on top of the [`Client`]: start-up (the active user, the bot's address
//! with auto-accept on), one handler for every incoming message, replies, and a clean stop when
//! the core closes the connection or on Ctrl-C.
//!
//! ```no_run
//! use simplex_api_client::bot::Bot;
//!
//! # async fn run() -> Result<(), simplex_api_client::ClientError> {
//! let bot = Bot::start("ws://127.0.0.1:5225").await?;
//! bot.run(|msg| async move {
//!     match msg.text() {
//!         Some(text) if !text.is_empty() => msg.reply(text).await,
//!         _ => Ok(()),
//!     }
//! })
//! .await
//! # }
//! ```
//!
//! Handlers filter with ordinary Rust: [`BotMessage::command`] parses `/keyword params`,
//! [`BotMessage::content_type`] names the kind of content (`"text"`, `"image"`, ...), and
//! [`BotMessage::text`] is there to match against.

use std::future::Future;

use simplex_api_types::commands::{
    ApiCreateMyAddress, ApiSetAddressSettings, ApiShowMyAddress, ApiShowMyAddressResponse,
    ShowActiveUser,
};
use simplex_api_types::types::{AChatItem, AddressSettings, AutoAccept, User};
use simplex_api_types::{BotCommand, ChatEvent, Sender};

use crate::{connect, Client, ClientError, Events, Incoming};

/// A connected bot: the client, its events and its user.
#[derive(Debug)]
pub struct Bot {
    client: Client,
    events: Events,
    user: Box<User>,
    address: String,
}

impl Bot {
    /// Connects to the core at `url`, takes its active user, and makes sure that user has an
    /// address that accepts contacts automatically (creating the address if there is none).
    ///
    /// The core must have an active user: start `simplex-chat` once interactively to create
    /// one.
    pub async fn start(url: &str) -> Result<Bot, ClientError> {
        let (client, events) = connect(url).await?;
        let user = client
            .send(&ShowActiveUser::new())
            .await?
            .into_result()?
            .user;
        let user_id = user.user_id;
        let link = match client.send(&ApiShowMyAddress::new(user_id)).await? {
            ApiShowMyAddressResponse::UserContactLink(l) => l.contact_link,
            _ => {
                let created = client
                    .send(&ApiCreateMyAddress::new(user_id))
                    .await?
                    .into_result()?;
                let link = created.conn_link_contact.clone();
                let mut settings = AddressSettings::new(false);
                settings.auto_accept = Some(AutoAccept::new(false));
                client
                    .send(&ApiSetAddressSettings::new(user_id, settings))
                    .await?
                    .into_result()?;
                return Ok(Bot {
                    address: address_text(&link),
                    client,
                    events,
                    user,
                });
            }
        };
        if link.address_settings.auto_accept.is_none() {
            let mut settings = link.address_settings.clone();
            settings.auto_accept = Some(AutoAccept::new(false));
            client
                .send(&ApiSetAddressSettings::new(user_id, settings))
                .await?
                .into_result()?;
        }
        Ok(Bot {
            address: address_text(&link.conn_link_contact),
            client,
            events,
            user,
        })
    }

    /// The client, to send any command.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The bot's user.
    pub fn user(&self) -> &User {
        &self.user
    }

    /// The bot's address (its short link when it has one): share it to be contacted.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Calls `handler` for every incoming message (never for what the bot itself sent), one at
    /// a time, in order, until the core closes the connection or Ctrl-C is pressed; both end
    /// the run with `Ok`. A handler's error is logged (`tracing::warn!`) and the run goes on.
    pub async fn run<F, Fut>(mut self, mut handler: F) -> Result<(), ClientError>
    where
        F: FnMut(BotMessage) -> Fut,
        Fut: Future<Output = Result<(), ClientError>>,
    {
        loop {
            let next = tokio::select! {
                next = self.events.next_event() => next,
                _ = tokio::signal::ctrl_c() => {
                    tracing::info!("Ctrl-C: stopping");
                    return Ok(());
                }
            };
            let Some(next) = next else {
                tracing::info!("the core closed the connection");
                return Ok(());
            };
            let Incoming::Event(event) = next else {
                continue;
            };
            let ChatEvent::NewChatItems(items) = event.resp else {
                continue;
            };
            let items = *items;
            for item in items.chat_items {
                if !item.is_incoming() || item.chat_item.content.msg_content().is_none() {
                    continue;
                }
                let msg = BotMessage {
                    client: self.client.clone(),
                    item,
                };
                if let Err(e) = handler(msg).await {
                    tracing::warn!("the message handler failed: {e}");
                }
            }
        }
    }
}

fn address_text(link: &simplex_api_types::types::CreatedConnLink) -> String {
    link.conn_short_link
        .clone()
        .unwrap_or_else(|| link.conn_full_link.clone())
}

/// An incoming message, with what a handler needs to answer it.
#[derive(Debug, Clone)]
pub struct BotMessage {
    client: Client,
    item: AChatItem,
}

impl BotMessage {
    /// The message's text (possibly empty, for example for an image without a caption).
    pub fn text(&self) -> Option<&str> {
        self.item.text()
    }

    /// The `/command` it is, if any.
    pub fn command(&self) -> Option<BotCommand<'_>> {
        self.item.bot_command()
    }

    /// The kind of content: `"text"`, `"image"`, `"file"`, `"voice"`, ...
    pub fn content_type(&self) -> Option<&str> {
        self.item.chat_item.content.msg_content()?.tag()
    }

    /// Who sent it.
    pub fn sender(&self) -> Option<Sender<'_>> {
        self.item.sender()
    }

    /// The chat item, with its chat.
    pub fn item(&self) -> &AChatItem {
        &self.item
    }

    /// The client, to send any command.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Sends `content` (text, or any `MsgContent`) to the chat the message came from (in a
    /// group, to the same member-support scope).
    pub async fn reply(
        &self,
        content: impl Into<simplex_api_types::types::MsgContent>,
    ) -> Result<(), ClientError> {
        self.send_reply(content.into(), false).await
    }

    /// Like [`reply`](Self::reply), quoting the message.
    pub async fn reply_quoting(
        &self,
        content: impl Into<simplex_api_types::types::MsgContent>,
    ) -> Result<(), ClientError> {
        self.send_reply(content.into(), true).await
    }

    async fn send_reply(
        &self,
        content: simplex_api_types::types::MsgContent,
        quote: bool,
    ) -> Result<(), ClientError> {
        let Some(command) = self.item.reply(content, quote) else {
            tracing::warn!("cannot reply in this chat: {:?}", self.item.chat_info.tag());
            return Ok(());
        };
        self.client.send(&command).await?.into_result()?;
        Ok(())
    }
}
