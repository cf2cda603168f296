//! Forwards a message from an admin (`--admin CONTACT_ID`, repeatable) to every other contact;
//! others get "Only admins can broadcast.".
//! `cargo run -p simplex-api-client --example broadcast -- ws://127.0.0.1:5225 --admin 1`

use simplex_api_client::bot::{option_values, Bot, HandlerResult};
use simplex_api_types::commands::{ApiListContacts, ApiSendMessages};
use simplex_api_types::types::{ChatRef, ComposedMessage};

fn main() -> std::process::ExitCode {
    let admins: Vec<i64> = option_values("--admin")
        .iter()
        .filter_map(|a| a.parse().ok())
        .collect();
    Bot::builder().display_name("BroadcastBot").run_main(|bot| {
        let user_id = bot.user().user_id;
        bot.on_message(move |msg| {
            let admin = msg.is_direct() && msg.contact_id().is_some_and(|id| admins.contains(&id));
            async move {
                let Some(content) = msg.content().filter(|_| admin).cloned() else {
                    return Ok(msg.reply("Only admins can broadcast.").await?);
                };
                let contacts = msg.client().send(&ApiListContacts::new(user_id)).await?;
                for contact in contacts.into_result()?.contacts {
                    if Some(contact.contact_id) == msg.contact_id() {
                        continue;
                    }
                    let to = ChatRef::direct(contact.contact_id);
                    let send =
                        ApiSendMessages::new(to, vec![ComposedMessage::new(content.clone())]);
                    if let Err(e) = msg.client().send(&send).await?.into_result() {
                        eprintln!("cannot send to contact {}: {e}", contact.contact_id);
                    }
                }
                HandlerResult::Ok(())
            }
        })
    })
}
