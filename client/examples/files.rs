//! Receives every file sent to it of at most 10 MiB and, once it is complete, answers with its
//! name, its size in bytes and the SHA-256 of its content; refuses larger files; to a message
//! without a file, asks for one.
//! `cargo run -p simplex-api-client --example files -- ws://127.0.0.1:5225`

use sha2::{Digest, Sha256};
use simplex_api_client::bot::{Bot, HandlerResult};

fn main() -> std::process::ExitCode {
    let bot = Bot::builder().display_name("FilesBot");
    bot.accept_files_up_to(10 << 20).run_main(|bot| {
        bot.on_message(|msg| async move {
            let reply = match msg.received_file() {
                None => "Send me a file.".to_owned(),
                // Too large (not accepted), failed, cancelled by the sender, timed out.
                Some(Err(e)) => format!("Not received: {e}"),
                Some(Ok(file)) => {
                    let bytes = file.read()?;
                    let sha = Sha256::digest(&bytes);
                    format!("{}: {} bytes, SHA-256 {sha:x}", file.name(), bytes.len())
                }
            };
            msg.reply(reply).await?;
            HandlerResult::Ok(())
        })
    })
}
