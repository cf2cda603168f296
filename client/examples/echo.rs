//! Answers every incoming message that has text, in a direct chat or a group, with the same
//! text.
//!
//! Start the core with `simplex-chat -p 5225`, then:
//! `cargo run -p simplex-api-client --example echo -- ws://127.0.0.1:5225`

use simplex_api_client::bot::{core_url, Bot};
use simplex_api_client::ClientError;

pub async fn echo(url: &str) -> Result<(), ClientError> {
    let bot = Bot::builder().display_name("EchoBot").start(url).await?;
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

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), ClientError> {
    echo(&core_url()).await
}
