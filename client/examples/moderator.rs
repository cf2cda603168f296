//! Joins every group it is invited to, and in groups deletes for everyone each message that
//! contains a banned word (`--ban WORD`, repeatable, case-insensitive), warning its sender
//! directly when they are a contact.
//! `cargo run -p simplex-api-client --example moderator -- ws://127.0.0.1:5225 --ban spam`

use simplex_api_client::bot::{option_values, Bot, Event, Filter, HandlerResult};
use simplex_api_types::commands::{ApiDeleteMemberChatItem, ApiJoinGroup, ApiSendMessages};
use simplex_api_types::events::ReceivedGroupInvitation;
use simplex_api_types::types::{ChatRef, ComposedMessage};

const WARNING: &str = "Your message was deleted: it has a banned word.";

fn main() -> std::process::ExitCode {
    let banned: Vec<String> = option_values("--ban")
        .iter()
        .map(|w| w.to_lowercase())
        .collect();
    let is_banned = move |text: &str| banned.iter().any(|w| text.to_lowercase().contains(w));
    Bot::builder().display_name("ModeratorBot").run_main(|bot| {
        bot.on_event(|e: Event<ReceivedGroupInvitation>| async move {
            let join = ApiJoinGroup::new(e.group_info.group_id);
            e.client.send(&join).await?.into_result()?;
            HandlerResult::Ok(())
        })
        .on(
            Filter::any().group().matching(is_banned),
            |msg| async move {
                let (Some(group_id), client) = (msg.group_id(), msg.client()) else {
                    return Ok(());
                };
                let delete = ApiDeleteMemberChatItem::new(group_id, vec![msg.item_id()]);
                client.send(&delete).await?.into_result()?;
                if let Some(contact_id) = msg.contact_id() {
                    let warning = vec![ComposedMessage::text(WARNING)];
                    let send = ApiSendMessages::new(ChatRef::direct(contact_id), warning);
                    client.send(&send).await?.into_result()?;
                }
                HandlerResult::Ok(())
            },
        )
    })
}
