//! Forwards a message from an admin (`--admin CONTACT_ID`, repeatable) to every other contact;
//! others get "Only admins can broadcast.".
//! `cargo run -p simplex-api-client --example broadcast -- ws://127.0.0.1:5225 --admin 1`

use simplex_api_client::bot::{core_url, Bot, HandlerResult};
use simplex_api_types::commands::{ApiListContacts, ApiSendMessages};
use simplex_api_types::types::{ChatRef, ComposedMessage};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), simplex_api_client::ClientError> {
    let args: Vec<String> = std::env::args().collect();
    let admins: Vec<i64> = (args.windows(2).filter(|w| w[0] == "--admin"))
        .filter_map(|w| w[1].parse().ok())
        .collect();
    let bot = Bot::builder()
        .display_name("BroadcastBot")
        .start(&core_url())
        .await?;
    let user_id = bot.user().user_id;
    bot.on_message(move |msg| {
        let is_admin = msg.is_direct() && msg.contact_id().is_some_and(|id| admins.contains(&id));
        async move {
            let Some(content) = msg.content().filter(|_| is_admin).cloned() else {
                return Ok(msg.reply("Only admins can broadcast.").await?);
            };
            let contacts = msg.client().send(&ApiListContacts::new(user_id)).await?;
            for contact in contacts.into_result()?.contacts {
                if Some(contact.contact_id) != msg.contact_id() {
                    let to = ChatRef::direct(contact.contact_id);
                    let send =
                        ApiSendMessages::new(to, vec![ComposedMessage::new(content.clone())]);
                    if let Err(e) = msg.client().send(&send).await?.into_result() {
                        eprintln!("cannot send to {}: {e}", contact.contact_id);
                    }
                }
            }
            HandlerResult::Ok(())
        }
    })
    .run()
    .await
}
