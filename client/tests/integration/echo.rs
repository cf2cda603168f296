//! The `echo` example end to end against the test core: its set-up commands, the exact `/_send`
//! for an incoming message, in a direct chat and in a group, nothing for the bot's own items
//! or system items, and a clean exit when the core stops.

use simplex_api_client::testing::TestCore;
use simplex_api_types::commands::{
    ApiCreateMyAddress, ApiSendMessages, ApiSetAddressSettings, ApiShowMyAddress, ShowActiveUser,
};
use simplex_api_types::responses::NewChatItems;
use simplex_api_types::types::ChatRef;

/// The example itself, not a copy.
#[allow(dead_code)]
#[path = "../../examples/echo.rs"]
mod example;

#[tokio::test]
async fn the_echo_bot_answers_incoming_messages_and_exits_when_the_core_stops() {
    let core = TestCore::start().await;
    let url = core.url().to_owned();
    let bot = tokio::spawn(async move { example::echo(&url).await });

    // The set-up: the active user, then an address that accepts contacts automatically.
    core.next_command::<ShowActiveUser>().await;
    assert_eq!(core.next_command::<ApiShowMyAddress>().await.user_id, 1);
    core.next_command::<ApiCreateMyAddress>().await;
    let settings = core.next_command::<ApiSetAddressSettings>().await;
    assert!(settings.settings.auto_accept.is_some());

    // Alice connects (the core adds an encryption notice item to the chat: not echoed) and
    // writes.
    let alice = core.contact("alice");
    alice.sends_text("hello, bot").await;
    assert_eq!(alice.next_message().await, "hello, bot");
    let send = core
        .commands()
        .into_iter()
        .find(|c| c.name() == "APISendMessages")
        .expect("the echo");
    let contact_id = alice.id().expect("connected");
    assert_eq!(
        send.text(),
        format!(
            r#"/_send @{contact_id} json [{{"msgContent":{{"type":"text","text":"hello, bot"}},"mentions":{{}}}}]"#
        )
    );
    let echo = core.next_command::<ApiSendMessages>().await;
    assert_eq!(echo.send_ref, ChatRef::direct(contact_id));

    // The bot's own item, arriving as an event, is not echoed: the next command answers the
    // next message.
    let own = alice.received_messages()[0].item_id;
    let mut event = NewChatItems::default();
    event.user = Box::new(core.user().expect("the bot's user"));
    event.chat_items = vec![core.world(|w| w.chat_item(own)).expect("the sent item")];
    core.send_event(event).await;
    alice.sends_text("second").await;
    assert_eq!(alice.next_message().await, "second");
    assert_eq!(alice.received(), ["hello, bot", "second"]);

    // In a group, the answer goes to the group.
    let team = core.group("team");
    let team_id = team.with_bot_as_member();
    team.member("bob").sends_text("hi all").await;
    assert_eq!(team.next_message().await, "hi all");
    core.next_command::<ApiSendMessages>().await;
    assert_eq!(
        core.next_command::<ApiSendMessages>().await.send_ref,
        ChatRef::group(team_id)
    );

    core.restart().await;
    bot.await
        .expect("the bot task")
        .expect("the bot exits cleanly");
}
