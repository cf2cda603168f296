//! Replies to an integer (decimal, optional sign) with its square, to anything else with a
//! help line. `cargo run -p simplex-api-client --example squaring -- ws://127.0.0.1:5225`

use simplex_api_client::bot::{core_url, Bot};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), simplex_api_client::ClientError> {
    let bot = Bot::builder()
        .display_name("SquaringBot")
        .start(&core_url())
        .await?;
    bot.on_message(|msg| async move {
        let n = msg.text().and_then(|t| t.trim().parse::<i64>().ok());
        match n.and_then(|n| n.checked_mul(n)) {
            Some(square) => msg.reply(square.to_string()).await,
            None => {
                msg.reply("Send me an integer, and I will reply with its square.")
                    .await
            }
        }
    })
    .run()
    .await
}
