//! What every bot needs from the generated types, written once: the text of a message, whether
//! it came in, the chat to reply to, who sent it, and shorthands for building replies.
//!
//! Upstream's Python library has the same helpers in `util.py`: `chat_info_ref` is
//! [`ChatInfo::chat_ref`], `ci_content_text` is [`ChatItem::text`], `sender_name` is
//! [`AChatItem::sender`], `ci_bot_command` is [`ChatItem::bot_command`], `reaction_text` is
//! [`MsgReaction::text`].

use crate::commands::ApiSendMessages;
use crate::types::{
    chat_info, group_chat_scope, msg_content, AChatItem, ChatInfo, ChatItem, ChatRef, ChatType,
    CiContent, CiDirection, CiFile, ComposedMessage, CryptoFile, GroupChatScope,
    GroupChatScopeInfo, LinkPreview, MsgContent, MsgReaction,
};

impl MsgContent {
    /// The message's text. Every kind of content carries one (a caption, a file name, ...),
    /// possibly empty; `None` only for undocumented content without a `"text"` string.
    pub fn text(&self) -> Option<&str> {
        Some(match self {
            MsgContent::Text(m) => &m.text,
            MsgContent::Link(m) => &m.text,
            MsgContent::Image(m) => &m.text,
            MsgContent::Video(m) => &m.text,
            MsgContent::Voice(m) => &m.text,
            MsgContent::File(m) => &m.text,
            MsgContent::Report(m) => &m.text,
            MsgContent::Chat(m) => &m.text,
            MsgContent::Unknown(m) => &m.text,
            _ => return self.undocumented_text(),
        })
    }

    fn undocumented_text(&self) -> Option<&str> {
        match self {
            MsgContent::Undocumented(v) => v.get("text").and_then(serde_json::Value::as_str),
            _ => None,
        }
    }
}

impl From<&str> for MsgContent {
    /// Text content.
    fn from(text: &str) -> Self {
        MsgContent::from(msg_content::Text::new(text.to_owned()))
    }
}

impl From<String> for MsgContent {
    /// Text content.
    fn from(text: String) -> Self {
        MsgContent::from(msg_content::Text::new(text))
    }
}

impl CiContent {
    /// The message content of a sent or received message; `None` for every other item (system
    /// items such as "This conversation is protected by end-to-end encryption", calls, deleted
    /// items, group events).
    pub fn msg_content(&self) -> Option<&MsgContent> {
        match self {
            CiContent::SndMsgContent(c) => Some(&c.msg_content),
            CiContent::RcvMsgContent(c) => Some(&c.msg_content),
            _ => None,
        }
    }
}

/// A `/command` in a message: its keyword and the text after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BotCommand<'a> {
    /// The word after `/` (`help` in `/help me`).
    pub keyword: &'a str,
    /// The rest, trimmed (`me`); empty when there is none.
    pub params: &'a str,
}

impl<'a> BotCommand<'a> {
    /// Parses `/keyword params` (leading and trailing whitespace ignored); `None` when the text
    /// does not start with `/` followed by a word.
    pub fn parse(text: &'a str) -> Option<BotCommand<'a>> {
        let rest = text.trim().strip_prefix('/')?;
        let (keyword, params) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        (!keyword.is_empty()).then(|| BotCommand {
            keyword,
            params: params.trim(),
        })
    }
}

impl ChatItem {
    /// The text of a message item; `None` for items that are not messages (see
    /// [`CiContent::msg_content`]).
    pub fn text(&self) -> Option<&str> {
        self.content.msg_content()?.text()
    }

    /// True for items received from someone else (not sent by this user).
    pub fn is_incoming(&self) -> bool {
        matches!(
            self.chat_dir,
            CiDirection::DirectRcv
                | CiDirection::GroupRcv(_)
                | CiDirection::ChannelRcv
                | CiDirection::LocalRcv
        )
    }

    /// The `/command` this message is, if any.
    pub fn bot_command(&self) -> Option<BotCommand<'_>> {
        BotCommand::parse(self.text()?)
    }

    /// The item's id (to quote it, react to it, delete it).
    pub fn id(&self) -> i64 {
        self.meta.item_id
    }
}

/// Who sent a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Sender<'a> {
    /// A contact, in a direct chat.
    Contact {
        /// `contactId`.
        contact_id: i64,
        /// The contact's display name.
        display_name: &'a str,
    },
    /// A group member.
    Member {
        /// `groupMemberId`.
        group_member_id: i64,
        /// The member's display name.
        display_name: &'a str,
    },
}

impl Sender<'_> {
    /// The sender's display name.
    pub fn display_name(&self) -> &str {
        match self {
            Sender::Contact { display_name, .. } | Sender::Member { display_name, .. } => {
                display_name
            }
        }
    }
}

impl ChatInfo {
    /// The chat to send to, for commands such as `ApiSendMessages`: a direct chat with the
    /// contact, the group (keeping a member-support scope, so that a reply stays in it), or the
    /// notes folder. `None` for contact requests, pending connections and undocumented chats.
    pub fn chat_ref(&self) -> Option<ChatRef> {
        match self {
            ChatInfo::Direct(d) => Some(ChatRef::direct(d.contact.contact_id)),
            ChatInfo::Group(g) => {
                let mut r = ChatRef::group(g.group_info.group_id);
                if let Some(GroupChatScopeInfo::MemberSupport(s)) = &g.group_chat_scope {
                    let mut scope = group_chat_scope::MemberSupport::default();
                    scope.group_member_id_ = s.group_member_.as_ref().map(|m| m.group_member_id);
                    r.chat_scope = Some(GroupChatScope::from(scope));
                }
                Some(r)
            }
            ChatInfo::Local(l) => Some(ChatRef::new(ChatType::Local, l.note_folder.note_folder_id)),
            _ => None,
        }
    }
}

impl ChatRef {
    /// The direct chat with contact `contact_id`.
    pub fn direct(contact_id: i64) -> ChatRef {
        ChatRef::new(ChatType::Direct, contact_id)
    }

    /// Group `group_id`.
    pub fn group(group_id: i64) -> ChatRef {
        ChatRef::new(ChatType::Group, group_id)
    }
}

impl ComposedMessage {
    /// A text message.
    pub fn text(text: impl Into<String>) -> ComposedMessage {
        ComposedMessage::new(MsgContent::from(text.into()))
    }

    /// A file: the file at `path` (as the core will read it: absolute, or relative to the
    /// core's working directory) with `text` as its caption.
    pub fn file(path: impl Into<String>, text: impl Into<String>) -> ComposedMessage {
        ComposedMessage::new(MsgContent::from(msg_content::File::new(text.into())))
            .with_file_source(CryptoFile::new(path.into()))
    }

    /// An image: the file at `path`, with `text` as its caption and `preview`, the small
    /// picture shown before the image is received, as a data URI
    /// (`data:image/jpg;base64,...`; the apps keep it under 14,000 characters).
    pub fn image(
        path: impl Into<String>,
        text: impl Into<String>,
        preview: impl Into<String>,
    ) -> ComposedMessage {
        let content = msg_content::Image::new(text.into(), preview.into());
        ComposedMessage::new(MsgContent::from(content))
            .with_file_source(CryptoFile::new(path.into()))
    }

    /// A voice message: the audio file at `path`, `duration` seconds long.
    pub fn voice(
        path: impl Into<String>,
        text: impl Into<String>,
        duration: i64,
    ) -> ComposedMessage {
        let content = msg_content::Voice::new(text.into(), duration);
        ComposedMessage::new(MsgContent::from(content))
            .with_file_source(CryptoFile::new(path.into()))
    }

    /// A video: the file at `path`, `duration` seconds long, with `preview` (a data URI, as
    /// for [`image`](Self::image)) shown before it is received.
    pub fn video(
        path: impl Into<String>,
        text: impl Into<String>,
        preview: impl Into<String>,
        duration: i64,
    ) -> ComposedMessage {
        let content = msg_content::Video::new(text.into(), preview.into(), duration);
        ComposedMessage::new(MsgContent::from(content))
            .with_file_source(CryptoFile::new(path.into()))
    }

    /// A text with a link preview (the page's address, title, description and image).
    pub fn link(text: impl Into<String>, preview: LinkPreview) -> ComposedMessage {
        ComposedMessage::new(MsgContent::from(msg_content::Link::new(
            text.into(),
            preview,
        )))
    }

    /// A message quoting item `item_id`.
    #[must_use]
    pub fn quoting(mut self, item_id: i64) -> ComposedMessage {
        self.quoted_item_id = Some(item_id);
        self
    }
}

impl CiFile {
    /// Where the file is stored locally (its `fileSource` path), once it is: for a received
    /// file after `rcvFileComplete`, for a sent one from the start.
    pub fn path(&self) -> Option<&str> {
        self.file_source.as_ref().map(|s| s.file_path.as_str())
    }
}

impl AChatItem {
    /// The text of a message item (see [`ChatItem::text`]).
    pub fn text(&self) -> Option<&str> {
        self.chat_item.text()
    }

    /// True for items received from someone else (see [`ChatItem::is_incoming`]).
    pub fn is_incoming(&self) -> bool {
        self.chat_item.is_incoming()
    }

    /// The chat this item is in, to reply to (see [`ChatInfo::chat_ref`]).
    pub fn chat_ref(&self) -> Option<ChatRef> {
        self.chat_info.chat_ref()
    }

    /// Who sent an incoming item: the contact of a direct chat or the group member; `None` for
    /// items this user sent and for other chats.
    pub fn sender(&self) -> Option<Sender<'_>> {
        match (&self.chat_info, &self.chat_item.chat_dir) {
            (ChatInfo::Direct(d), CiDirection::DirectRcv) => Some(contact_sender(d)),
            (ChatInfo::Group(_), CiDirection::GroupRcv(m)) => Some(Sender::Member {
                group_member_id: m.group_member.group_member_id,
                display_name: &m.group_member.member_profile.display_name,
            }),
            _ => None,
        }
    }

    /// The file this item carries, if any.
    pub fn file(&self) -> Option<&CiFile> {
        self.chat_item.file.as_deref()
    }

    /// The `/command` this message is, if any (see [`ChatItem::bot_command`]).
    pub fn bot_command(&self) -> Option<BotCommand<'_>> {
        self.chat_item.bot_command()
    }

    /// A command that answers this item in its chat with `content`; with `quote`, the answer
    /// quotes the item. `None` when the chat cannot be replied to (see
    /// [`ChatInfo::chat_ref`]).
    pub fn reply(&self, content: impl Into<MsgContent>, quote: bool) -> Option<ApiSendMessages> {
        let mut message = ComposedMessage::new(content.into());
        if quote {
            message = message.quoting(self.chat_item.id());
        }
        Some(ApiSendMessages::new(self.chat_ref()?, vec![message]))
    }
}

fn contact_sender(d: &chat_info::Direct) -> Sender<'_> {
    let name = &d.contact.profile.display_name;
    Sender::Contact {
        contact_id: d.contact.contact_id,
        display_name: if name.is_empty() {
            &d.contact.local_display_name
        } else {
            name
        },
    }
}

impl MsgReaction {
    /// The emoji of a reaction (`None` for undocumented reactions).
    pub fn text(&self) -> Option<&str> {
        match self {
            MsgReaction::Emoji(e) => Some(&e.emoji),
            MsgReaction::Undocumented(v) => v.get("emoji").and_then(serde_json::Value::as_str),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bot_commands_are_a_slash_and_a_word() {
        assert_eq!(
            BotCommand::parse(" /help me  please "),
            Some(BotCommand {
                keyword: "help",
                params: "me  please"
            })
        );
        assert_eq!(
            BotCommand::parse("/start"),
            Some(BotCommand {
                keyword: "start",
                params: ""
            })
        );
        assert_eq!(BotCommand::parse("/ x"), None);
        assert_eq!(BotCommand::parse("hi /x"), None);
        assert_eq!(BotCommand::parse(""), None);
    }

    #[test]
    fn text_content_from_strings() {
        assert_eq!(MsgContent::from("hi").text(), Some("hi"));
        assert_eq!(MsgContent::from("hi".to_owned()).tag(), Some("text"));
        let m = ComposedMessage::text("yo").quoting(5);
        assert_eq!(m.quoted_item_id, Some(5));
        assert_eq!(m.msg_content.text(), Some("yo"));
    }
}
