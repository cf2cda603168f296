//! Answers every incoming message that has text, in a direct chat or a group, with the same
//! text. `cargo run -p simplex-api-client --example echo -- ws://127.0.0.1:5225`

use simplex_api_client::bot::Bot;

fn main() -> std::process::ExitCode {
    Bot::builder().display_name("EchoBot").run_main(|bot| {
        bot.on_message(|msg| async move {
            match msg.text() {
                Some(text) if !text.is_empty() => msg.reply(text).await,
                _ => Ok(()),
            }
        })
    })
}
