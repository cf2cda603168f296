//! Accepts every file sent to it and, once it is received, answers with its name and size;
//! to a message without a file, asks for one.
//! `cargo run -p simplex-api-client --example files -- ws://127.0.0.1:5225`

use simplex_api_client::bot::{Bot, Event, HandlerResult};
use simplex_api_types::events::RcvFileComplete;

fn main() -> std::process::ExitCode {
    Bot::builder()
        .display_name("FilesBot")
        .allow_files(true)
        .run_main(|bot| {
            bot.on_message(|msg| async move {
                if !msg.accept_file().await? {
                    msg.reply("Send me a file.").await?;
                }
                HandlerResult::Ok(())
            })
            .on_event(|e: Event<RcvFileComplete>| async move {
                let file = e.chat_item.chat_item.file.as_deref();
                let text =
                    file.map(|f| format!("Received {} ({} bytes)", f.file_name, f.file_size));
                if let Some(reply) = text.and_then(|text| e.chat_item.reply(text, true)) {
                    e.client.send(&reply).await?.into_result()?;
                }
                HandlerResult::Ok(())
            })
        })
}
