//! Answers every incoming message, in a direct chat or a group, with the same text.
//!
//! Start the core with `simplex-chat -p 5225`, then:
//! `cargo run -p simplex-api-client --example echo -- ws://127.0.0.1:5225`

use simplex_api_client::{bot::Bot, ClientError};

pub async fn echo(url: &str) -> Result<(), ClientError> {
    let bot = Bot::start(url).await?;
    println!("echo bot at {}", bot.address());
    bot.run(|msg| async move {
        match msg.text() {
            Some(text) if !text.is_empty() => msg.reply(text).await,
            _ => Ok(()),
        }
    })
    .await
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), ClientError> {
    echo(
        &std::env::args()
            .nth(1)
            .unwrap_or("ws://127.0.0.1:5225".into()),
    )
    .await
}
