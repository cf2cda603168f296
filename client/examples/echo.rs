//! Answers every incoming message that has text, in a direct chat or a group, with the same
//! text. `cargo run -p simplex-api-client --example echo -- ws://127.0.0.1:5225`

use simplex_api_client::bot::{core_url, Bot};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), simplex_api_client::ClientError> {
    let bot = Bot::builder()
        .display_name("EchoBot")
        .start(&core_url())
        .await?;
    println!("echo bot at {}", bot.address().unwrap_or("(no address)"));
    bot.on_message(|msg| async move {
        match msg.text() {
            Some(text) if !text.is_empty() => msg.reply(text).await,
            _ => Ok(()),
        }
    })
    .run()
    .await
}
