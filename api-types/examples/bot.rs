//! A bot's message loop without the WebSocket: decode what the core sent, match on it, and
//! render the commands to send back.
//!
//! Run: `cargo run --example bot`

use simplex_api_types::commands::{ApiJoinGroup, ApiSendMessages};
use simplex_api_types::types::{
    msg_content, ChatInfo, ChatRef, ChatType, CiContent, ComposedMessage, MsgContent,
};
use simplex_api_types::{parse_message, ChatEvent, Command, CommandRequest, Message};

/// A real capture: someone invites the bot to a group.
const INVITATION: &str = include_str!("../tests/data/receivedGroupInvitation-1.json");

/// A text message from contact 5 (fields the bot does not read are left out; they decode to
/// their defaults and are listed by `absent_fields()`).
const TEXT_MESSAGE: &str = r#"{"resp":{"type":"newChatItems","user":{"userId":1},"chatItems":[
    {"chatInfo":{"type":"direct","contact":{"contactId":5,"localDisplayName":"alice"}},
     "chatItem":{"content":{"type":"rcvMsgContent","msgContent":{"type":"text","text":"hi"}}}}]}}"#;

#[derive(Default)]
struct Bot {
    corr_id: u64,
}

impl Bot {
    /// Renders `command` with the next correlation id.
    fn request<C: Command>(&mut self, command: &C) -> Option<CommandRequest> {
        self.corr_id += 1;
        CommandRequest::new(self.corr_id.to_string(), command)
            .map_err(|e| eprintln!("cannot render {}: {e}", C::NAME))
            .ok()
    }

    /// Sends `text` to contact `contact_id`.
    fn say(&mut self, contact_id: i64, text: String) -> Option<CommandRequest> {
        let text = MsgContent::Text(Box::new(msg_content::Text::new(text)));
        self.request(&ApiSendMessages::new(
            ChatRef::new(ChatType::Direct, contact_id),
            vec![ComposedMessage::new(text)],
        ))
    }

    /// The commands to send in reply to `message`.
    fn handle(&mut self, message: &Message) -> Vec<CommandRequest> {
        let event = match message {
            Message::Event(e) => &e.resp,
            Message::Response(r) => {
                println!("response to {:?}: {:?}", r.corr_id, r.resp.tag());
                return Vec::new();
            }
            other => {
                println!("not decoded, kept: {other:?}");
                return Vec::new();
            }
        };
        match event {
            ChatEvent::ReceivedGroupInvitation(inv) => {
                let group = &inv.group_info;
                let thanks = format!("Joining {}, thanks!", group.group_profile.display_name);
                let join = self.request(&ApiJoinGroup::new(group.group_id));
                let say = self.say(inv.contact.contact_id, thanks);
                join.into_iter().chain(say).collect()
            }
            ChatEvent::NewChatItems(new) => {
                let mut out = Vec::new();
                for item in &new.chat_items {
                    let (ChatInfo::Direct(chat), CiContent::RcvMsgContent(content)) =
                        (&item.chat_info, &item.chat_item.content)
                    else {
                        continue;
                    };
                    if let MsgContent::Text(t) = &content.msg_content {
                        let echo = format!("You said: {}", t.text);
                        out.extend(self.say(chat.contact.contact_id, echo));
                    }
                }
                out
            }
            other => {
                println!("ignored event {:?}", other.tag());
                Vec::new()
            }
        }
    }
}

fn main() {
    let mut bot = Bot::default();
    for input in [INVITATION, TEXT_MESSAGE] {
        let message = match parse_message(input) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("undecodable message: {e}");
                continue;
            }
        };
        for request in bot.handle(&message) {
            println!("{}", request.cmd);
            println!("  as sent: {}", request.to_json());
        }
    }
}
