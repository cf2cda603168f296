//! Replies to an integer (decimal, optional sign) with its square, to anything else with a
//! help line. `cargo run -p simplex-api-client --example squaring -- ws://127.0.0.1:5225`

use simplex_api_client::bot::Bot;

const HELP: &str = "Send me an integer: I reply with its square.";

fn main() -> std::process::ExitCode {
    Bot::builder().display_name("SquaringBot").run_main(|bot| {
        bot.on_message(|msg| async move {
            let square = msg.parse_text::<i64>().and_then(|n| n.checked_mul(n));
            msg.reply(square.map_or(HELP.to_owned(), |s| s.to_string()))
                .await
        })
    })
}
