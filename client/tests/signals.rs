//! Ctrl-C (SIGINT) and SIGTERM stop a running bot, also while a handler runs (the signal is
//! not lost), after that handler finishes. In a test binary of its own: a signal reaches every
//! bot of the process.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use simplex_api_client::bot::Bot;
use simplex_api_client::testing::TestCore;
use tokio::sync::Notify;

async fn stops_on(signal: &str) {
    let core = TestCore::start().await;
    let started = Arc::new(Notify::new());
    let bot = Bot::start(core.url()).await.expect("starts").on_message({
        let started = started.clone();
        move |msg| {
            started.notify_one();
            async move {
                tokio::time::sleep(Duration::from_secs(1)).await;
                msg.reply("done").await
            }
        }
    });
    let run = tokio::spawn(bot.run());
    let alice = core.contact("alice");
    alice.sends_text("work").await;
    started.notified().await;

    // The signal arrives while the handler sleeps.
    let pid = std::process::id().to_string();
    let sent = Instant::now();
    let status = Command::new("kill")
        .args([signal, &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .unwrap_or_else(|_| panic!("{signal} was lost: the bot still runs"))
        .expect("joined")
        .expect("stops cleanly");
    assert!(sent.elapsed() < Duration::from_secs(5));
    // It waited for the handler in flight.
    assert_eq!(alice.received(), ["done"]);
}

#[tokio::test]
async fn ctrl_c_and_sigterm_during_a_handler_stop_the_bot_once_the_handler_is_done() {
    stops_on("-INT").await;
    stops_on("-TERM").await;
}
