//! A bot with a command menu and a welcome message: `/ping` answers `pong`, `/help` lists the
//! commands. `cargo run -p simplex-api-client --example menu -- ws://127.0.0.1:5225`

use simplex_api_client::bot::{Bot, Filter};

const HELP: &str = "/help - Show help\n/ping - Check the bot";

fn main() -> std::process::ExitCode {
    Bot::builder()
        .display_name("MenuBot")
        .command("help", "Show help")
        .command("ping", "Check the bot")
        .welcome("Hello! Send /help.")
        .run_main(|bot| {
            bot.on_command("ping", |msg| async move { msg.reply("pong").await })
                .on_command("help", |msg| async move { msg.reply(HELP).await })
                .on(Filter::command(), |msg| async move {
                    msg.reply(format!("Unknown command: /{}", msg.keyword()))
                        .await
                })
        })
}
