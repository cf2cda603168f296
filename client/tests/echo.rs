//! The `echo` example end to end against the stand-in core: start-up commands, the exact
//! `/_send` for an incoming message, nothing for the bot's own items or system items, and a
//! clean exit when the core closes the connection.

mod support;

use serde_json::{json, Value};
use support::{fixture, with_corr_id, within, Core, Peer};

/// The example itself, not a copy.
#[allow(dead_code)]
#[path = "../examples/echo.rs"]
mod example;

/// A `newChatItems` event with the capture's item three times: received with `text`, sent by
/// the bot, and a received system item.
fn new_items_event(text: &str) -> String {
    let mut v: Value = serde_json::from_str(&fixture("newChatItems-5.json")).expect("JSON");
    let item = v["resp"]["chatItems"][0].clone();
    let mut received = item.clone();
    received["chatItem"]["chatDir"] = json!({"type": "directRcv"});
    received["chatItem"]["content"] =
        json!({"type": "rcvMsgContent", "msgContent": {"type": "text", "text": text}});
    let mut system = received.clone();
    system["chatItem"]["content"] =
        json!({"type": "rcvDirectE2EEInfo", "e2eeInfo": {"pqEnabled": true}});
    v["resp"]["chatItems"] = json!([received, item, system]);
    with_corr_id(&v.to_string(), None)
}

#[tokio::test]
async fn the_echo_bot_answers_incoming_messages_and_exits_when_the_core_closes() {
    within(async {
        let core = Core::start().await;
        let url = core.url.clone();
        let bot = tokio::spawn(async move { example::echo(&url).await });
        let mut peer: Peer = core.accept().await;
        let user = peer
            .recv_command()
            .await
            .expect("the active user is asked for");
        assert_eq!(user.cmd, "/user");
        peer.send_text(Peer::answer_for(&user)).await;
        let address = peer.recv_command().await.expect("the address is asked for");
        assert_eq!(address.cmd, "/_show_address 1");
        // The captured address already accepts contacts automatically: nothing more to set.
        peer.send_text(Peer::answer_for(&address)).await;

        peer.send_text(new_items_event("hello, bot")).await;
        let send = peer.recv_command().await.expect("the echo");
        assert_eq!(
            send.cmd,
            r#"/_send @4 json [{"msgContent":{"type":"text","text":"hello, bot"},"mentions":{}}]"#
        );
        peer.send_text(Peer::answer_for(&send)).await;

        // The bot's own item (the capture's sent item) and system items are not echoed: the
        // next command is the answer to the next message.
        peer.send_text(new_items_event("second")).await;
        let send = peer.recv_command().await.expect("the second echo");
        assert!(send.cmd.contains(r#""text":"second""#), "{}", send.cmd);
        peer.send_text(Peer::answer_for(&send)).await;

        peer.close().await;
        bot.await
            .expect("the bot task")
            .expect("the bot exits cleanly");
    })
    .await;
}
