//! Measures the bot runner against the test core (a measuring program, not a criterion
//! benchmark: each figure is one run of about a second).
//!
//! Run: `cargo bench -p simplex-api-client --bench bot`
//!
//! * **Concurrency**: 100 contacts send 10 messages each to a bot whose handler sleeps
//!   100 ms before it answers. Messages of one chat are handled in order and chats
//!   concurrently, so all 1000 answers arrive after about 10 x 100 ms (handled one at a time
//!   they would take 100 s). Each contact's answers are checked to come in order.
//! * **Echo throughput**: contacts send messages that the bot echoes at once, through the
//!   runner and through a hand-written loop on the bare client doing the same work (read an
//!   event, send the reply, await its response); messages per second of each, and their ratio.

use std::time::{Duration, Instant};

use simplex_api_client::bot::Bot;
use simplex_api_client::testing::{TestContact, TestCore};
use simplex_api_client::{connect, Incoming};
use simplex_api_types::ChatEvent;

async fn contacts(core: &TestCore, n: usize) -> Vec<TestContact> {
    let contacts: Vec<_> = (0..n).map(|i| core.contact(&format!("c{i}"))).collect();
    for c in &contacts {
        c.connects().await;
    }
    contacts
}

/// Sends `per_contact` numbered messages from each contact, then waits for every answer,
/// checking that each contact's come in order. Returns the time from the first send to the
/// last answer.
async fn exchange(contacts: &[TestContact], per_contact: usize) -> Duration {
    let start = Instant::now();
    for i in 0..per_contact {
        for c in contacts {
            c.sends_text(&i.to_string()).await;
        }
    }
    for c in contacts {
        for i in 0..per_contact {
            assert_eq!(c.next_message().await, i.to_string(), "{}", c.name());
        }
    }
    start.elapsed()
}

async fn concurrency() {
    let core = TestCore::start().await;
    core.set_timeout(Duration::from_secs(60));
    let bot = Bot::start(core.url())
        .await
        .expect("starts")
        .on_message(|msg| async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            msg.reply(msg.text().unwrap_or("")).await
        });
    tokio::spawn(bot.run());
    let contacts = contacts(&core, 100).await;
    let took = exchange(&contacts, 10).await;
    println!(
        "concurrency: 100 chats x 10 messages, handler sleeping 100 ms: {:.2} s \
         (ideal 1.00 s; one at a time: 100 s), every chat answered in order",
        took.as_secs_f64()
    );
}

async fn echo_runner(n_contacts: usize, per_contact: usize) -> f64 {
    let core = TestCore::start().await;
    core.set_timeout(Duration::from_secs(60));
    let bot = Bot::start(core.url())
        .await
        .expect("starts")
        .on_message(|msg| async move { msg.reply(msg.text().unwrap_or("")).await });
    tokio::spawn(bot.run());
    let contacts = contacts(&core, n_contacts).await;
    let took = exchange(&contacts, per_contact).await;
    (n_contacts * per_contact) as f64 / took.as_secs_f64()
}

async fn echo_bare(n_contacts: usize, per_contact: usize) -> f64 {
    let core = TestCore::start().await;
    core.set_timeout(Duration::from_secs(60));
    let (client, mut events) = connect(core.url()).await.expect("connects");
    tokio::spawn(async move {
        while let Some(item) = events.next_event().await {
            let Incoming::Event(event) = item else {
                continue;
            };
            let ChatEvent::NewChatItems(items) = event.resp else {
                continue;
            };
            for item in items.chat_items {
                if !item.is_incoming() || item.chat_item.content.msg_content().is_none() {
                    continue;
                }
                let Some(reply) = item.reply(item.text().unwrap_or(""), false) else {
                    continue;
                };
                let _ = client.send(&reply).await;
            }
        }
    });
    let contacts = contacts(&core, n_contacts).await;
    let took = exchange(&contacts, per_contact).await;
    (n_contacts * per_contact) as f64 / took.as_secs_f64()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        concurrency().await;
        // One chat (the runner's lanes cannot help) and 20 chats (they can).
        for (contacts, per_contact) in [(1, 3000), (20, 250)] {
            // A warm-up each, then the measured runs.
            echo_bare(contacts, 20).await;
            echo_runner(contacts, 20).await;
            let bare = echo_bare(contacts, per_contact).await;
            let runner = echo_runner(contacts, per_contact).await;
            println!(
                "echo, {contacts} chats x {per_contact} messages: bare client loop {bare:.0} \
                 msg/s, bot runner {runner:.0} msg/s, ratio {:.2}",
                runner / bare
            );
        }
    });
}
