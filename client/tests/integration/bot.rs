//! The bot runner against the test core: its set-up (profile, menu, address settings, only
//! what differs), handler routing, ordering and concurrency, faults (a panicking handler, a
//! flood), and shutdown.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use simplex_api_client::bot::{Bot, Event, Filter, Update};
use simplex_api_client::testing::TestCore;
use simplex_api_client::ClientError;
use simplex_api_types::commands::{
    ApiCreateMyAddress, ApiSendMessages, ApiSetAddressSettings, ApiShowMyAddress,
    ApiShowMyAddressResponse,
};
use simplex_api_types::events::ContactConnected;
use simplex_api_types::types::{
    chat_error_type, AutoAccept, ChatBotCommand, ChatPeerType, FeatureAllowed, MsgContent,
};

use crate::support::within;

fn names(core: &TestCore) -> Vec<&'static str> {
    core.commands().iter().map(|c| c.name()).collect()
}

#[tokio::test]
async fn the_builder_sets_up_a_bot_profile_menu_and_welcome_and_a_restart_sends_nothing_new() {
    within(async {
        let core = TestCore::start().await;
        let builder = Bot::builder()
            .display_name("MenuBot")
            .full_name("The menu bot")
            .description("Answers /ping")
            .command("help", "Show help")
            .command_with_params("square", "Square a number", "<number>")
            .welcome("Hello! Send /help.")
            .allow_files(true);
        let bot = builder.clone().start(core.url()).await.expect("starts");

        let profile = core.profile().expect("a profile");
        assert_eq!(profile.display_name, "MenuBot");
        assert_eq!(profile.full_name, "The menu bot");
        assert_eq!(profile.description.as_deref(), Some("Answers /ping"));
        assert_eq!(profile.peer_type, Some(ChatPeerType::Bot));
        assert_eq!(profile.contact_link.as_deref(), bot.address());
        let prefs = profile.preferences.expect("preferences");
        let allow = |p: Option<simplex_api_types::types::SimplePreference>| p.map(|p| p.allow);
        assert_eq!(allow(prefs.files), Some(FeatureAllowed::Yes));
        assert_eq!(allow(prefs.calls), Some(FeatureAllowed::No));
        assert_eq!(allow(prefs.voice), Some(FeatureAllowed::No));
        let menu: Vec<_> = prefs
            .commands
            .expect("the menu")
            .into_iter()
            .map(|c| match c {
                ChatBotCommand::Command(c) => (c.keyword, c.label, c.params),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            menu,
            [
                ("help".into(), "Show help".into(), None),
                (
                    "square".into(),
                    "Square a number".into(),
                    Some("<number>".into())
                )
            ]
        );
        let settings = core.address_settings().expect("settings");
        assert_eq!(settings.auto_accept, Some(AutoAccept::new(false)));
        assert_eq!(
            settings.auto_reply,
            Some(MsgContent::from("Hello! Send /help."))
        );
        assert!(!settings.business_address);

        // Started again with the same settings: it reads, and changes nothing.
        let before = core.commands().len();
        drop(bot);
        builder.start(core.url()).await.expect("starts again");
        assert_eq!(
            names(&core)[before..],
            ["ShowActiveUser", "APIShowMyAddress"]
        );
    })
    .await
}

#[tokio::test]
async fn address_settings_merge_with_what_the_core_has() {
    within(async {
        let core = TestCore::start().await;
        drop(Bot::start(core.url()).await.expect("starts"));
        // Someone set incognito auto-accept on the address: a welcome message keeps it.
        core.world(|w| {
            let a = w.address_mut().expect("address");
            a.address_settings.auto_accept = Some(AutoAccept::new(true));
        });
        let _bot = Bot::builder()
            .welcome("hi")
            .start(core.url())
            .await
            .expect("starts");
        let settings = core.address_settings().expect("settings");
        assert_eq!(settings.auto_accept, Some(AutoAccept::new(true)));
        assert_eq!(settings.auto_reply, Some(MsgContent::from("hi")));

        // Auto-accept off and a business address, each on its own.
        let _bot = Bot::builder()
            .welcome("hi")
            .auto_accept(false)
            .business_address(true)
            .start(core.url())
            .await
            .expect("starts");
        let settings = core.address_settings().expect("settings");
        assert_eq!(settings.auto_accept, None);
        assert!(settings.business_address);
        assert_eq!(settings.auto_reply, Some(MsgContent::from("hi")));
    })
    .await
}

#[tokio::test]
async fn an_error_reading_the_address_fails_the_start_and_creates_nothing() {
    within(async {
        let core = TestCore::start().await;
        core.on::<ApiShowMyAddress>(|_, w| {
            let mut e = chat_error_type::CommandError::default();
            e.message = "busy".into();
            ApiShowMyAddressResponse::ChatCmdError(Box::new(w.error(e)))
        });
        let err = Bot::start(core.url()).await.expect_err("fails");
        assert!(matches!(err, ClientError::Response(_)), "{err}");
        assert!(!names(&core).contains(&"APICreateMyAddress"));
        assert_eq!(core.address(), None);

        // Without an address and without creating one: no address, and the bot still runs.
        core.clear_override::<ApiShowMyAddress>();
        let bot = Bot::builder()
            .create_address(false)
            .start(core.url())
            .await
            .expect("starts");
        assert_eq!(bot.address(), None);
        assert!(core
            .try_next_command::<ApiCreateMyAddress>(Duration::ZERO)
            .await
            .is_none());
        assert!(core
            .try_next_command::<ApiSetAddressSettings>(Duration::ZERO)
            .await
            .is_none());
    })
    .await
}

#[tokio::test]
async fn a_core_without_a_user_gets_a_bot_user() {
    within(async {
        let core = TestCore::builder().no_user().start().await;
        let bot = Bot::builder()
            .display_name("Helper")
            .start(core.url())
            .await
            .expect("starts");
        assert_eq!(bot.user().profile.display_name, "Helper");
        let profile = core.profile().expect("created");
        assert_eq!(profile.peer_type, Some(ChatPeerType::Bot));
    })
    .await
}

#[tokio::test]
async fn messages_go_to_the_first_handler_that_fits_and_events_by_type() {
    within(async {
        let core = TestCore::start().await;
        let connected = Arc::new(Mutex::new(Vec::new()));
        let bot = Bot::start(core.url())
            .await
            .expect("starts")
            .on_command("ping", |msg| async move { msg.reply("pong").await })
            .on_command("/echo", |msg| async move {
                let args: Vec<_> = msg.args().collect();
                msg.reply(args.join("|")).await
            })
            .on(Filter::command(), |msg| async move {
                let name = msg.command().map(|c| c.keyword).unwrap_or_default();
                msg.reply(format!("Unknown command: /{name}")).await
            })
            .on(Filter::text().equals("hi").direct(), |msg| async move {
                msg.reply("hello").await
            })
            .on(Filter::text().group(), |msg| async move {
                msg.reply("in a group").await
            })
            .on(Filter::content("image"), |msg| async move {
                msg.reply("an image").await
            })
            .fallback(|msg| async move { msg.reply("what?").await })
            .on_event({
                let connected = connected.clone();
                move |e: Event<ContactConnected>| {
                    connected
                        .lock()
                        .unwrap()
                        .push(e.contact.profile.display_name.clone());
                    async { Ok::<_, ClientError>(()) }
                }
            });
        tokio::spawn(bot.run());

        let alice = core.contact("alice");
        for (say, answer) in [
            ("/ping", "pong"),
            ("/echo a  b c", "a|b|c"),
            ("/nope x", "Unknown command: /nope"),
            ("hi", "hello"),
            ("hi there", "what?"),
        ] {
            alice.sends_text(say).await;
            assert_eq!(alice.next_message().await, answer, "for {say:?}");
        }
        let mut image = simplex_api_types::types::msg_content::Image::default();
        image.image = "data:image/png;base64,AA==".into();
        alice.sends(MsgContent::from(image)).await;
        assert_eq!(alice.next_message().await, "an image");

        let team = core.group("team");
        team.with_bot_as_member();
        team.member("bob").sends_text("hi").await;
        assert_eq!(team.next_message().await, "in a group");
        assert_eq!(*connected.lock().unwrap(), ["alice"]);
    })
    .await
}

#[tokio::test]
async fn middleware_runs_around_every_handler_and_can_drop_updates() {
    within(async {
        let core = TestCore::start().await;
        let log = Arc::new(Mutex::new(Vec::new()));
        let bot = Bot::start(core.url())
            .await
            .expect("starts")
            .middleware({
                let log = log.clone();
                move |update: Update, next: simplex_api_client::bot::Next| {
                    let log = log.clone();
                    async move {
                        if let Update::Message(m) = &update {
                            // An allow-list: bob is ignored.
                            if m.sender().map(|s| s.display_name().to_owned()) == Some("bob".into())
                            {
                                return Ok(());
                            }
                            log.lock().unwrap().push(format!("before {:?}", m.text()));
                        }
                        let r = next.run(update).await;
                        log.lock().unwrap().push("after".to_owned());
                        r
                    }
                }
            })
            .on_message(|msg| async move { msg.reply("ok").await });
        tokio::spawn(bot.run());

        let bob = core.contact("bob");
        bob.sends_text("ignored").await;
        let alice = core.contact("alice");
        alice.sends_text("one").await;
        assert_eq!(alice.next_message().await, "ok");
        assert!(bob.received().is_empty());
        let log = log.lock().unwrap().clone();
        assert!(log.contains(&"before Some(\"one\")".to_owned()), "{log:?}");
    })
    .await
}

#[tokio::test]
async fn each_chat_is_answered_in_order_while_chats_run_concurrently() {
    within(async {
        let core = TestCore::start().await;
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let bot = Bot::builder()
            .max_in_flight(4)
            .start(core.url())
            .await
            .expect("starts")
            .on_message({
                let (running, most) = (running.clone(), most.clone());
                move |msg| {
                    let (running, most) = (running.clone(), most.clone());
                    async move {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        // Later messages sleep less: a runner that did not keep each chat
                        // in order would answer them first.
                        let n: u64 = msg.text().unwrap_or("0").parse().unwrap_or(0);
                        tokio::time::sleep(Duration::from_millis(20 - n * 3)).await;
                        running.fetch_sub(1, Ordering::SeqCst);
                        msg.reply(msg.text().unwrap_or("")).await
                    }
                }
            });
        tokio::spawn(bot.run());

        let contacts: Vec<_> = (0..8).map(|i| core.contact(&format!("c{i}"))).collect();
        for c in &contacts {
            c.connects().await;
        }
        for n in 0..5 {
            for c in &contacts {
                c.sends_text(&n.to_string()).await;
            }
        }
        for c in &contacts {
            for n in 0..5 {
                assert_eq!(c.next_message().await, n.to_string(), "{}", c.name());
            }
        }
        let most = most.load(Ordering::SeqCst);
        assert!(most > 1, "chats ran one at a time");
        assert!(most <= 4, "{most} handlers at once, the bound is 4");
    })
    .await
}

#[tokio::test]
async fn a_panicking_handler_is_caught_and_the_next_message_is_answered() {
    within(async {
        let core = TestCore::start().await;
        let bot = Bot::start(core.url())
            .await
            .expect("starts")
            .on_message(|msg| async move {
                if msg.text() == Some("boom") {
                    panic!("the handler fails");
                }
                msg.reply(msg.text().unwrap_or("")).await
            })
            .on_command("sync", |_| -> std::future::Ready<Result<(), ClientError>> {
                panic!("before its future")
            });
        tokio::spawn(bot.run());

        let alice = core.contact("alice");
        alice.sends_text("boom").await;
        alice.sends_text("/sync").await;
        alice.sends_text("after").await;
        assert_eq!(alice.next_message().await, "after");
        assert_eq!(alice.received(), ["after"]);
    })
    .await
}

#[tokio::test]
async fn a_flood_from_one_contact_is_answered_in_full_and_in_order() {
    within(async {
        let core = TestCore::start().await;
        let bot = Bot::builder()
            .max_queued(50)
            .start(core.url())
            .await
            .expect("starts")
            .on_message(|msg| async move { msg.reply(msg.text().unwrap_or("")).await });
        tokio::spawn(bot.run());

        let alice = core.contact("alice");
        const N: usize = 10_000;
        let sender = {
            let alice = core.contact("alice");
            tokio::spawn(async move {
                for i in 0..N {
                    alice.sends_text(&i.to_string()).await;
                }
            })
        };
        for i in 0..N {
            assert_eq!(alice.next_message().await, i.to_string());
        }
        sender.await.expect("sent");
    })
    .await
}

#[tokio::test]
async fn shutdown_waits_for_the_handler_in_flight() {
    within(async {
        let core = TestCore::start().await;
        let started = Arc::new(tokio::sync::Notify::new());
        let bot = Bot::start(core.url()).await.expect("starts").on_message({
            let started = started.clone();
            move |msg| {
                started.notify_one();
                async move {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    msg.reply("done").await
                }
            }
        });
        let stop = bot.shutdown_handle();
        let run = tokio::spawn(bot.run());
        let alice = core.contact("alice");
        alice.sends_text("work").await;
        started.notified().await;
        stop.shutdown();
        assert!(stop.is_shutdown());
        run.await.expect("joined").expect("stops cleanly");
        assert_eq!(alice.received(), ["done"]);
    })
    .await
}

#[tokio::test]
async fn shutdown_cancels_handlers_that_outlast_the_timeout() {
    within(async {
        let core = TestCore::start().await;
        let started = Arc::new(tokio::sync::Notify::new());
        let bot = Bot::builder()
            .shutdown_timeout(Duration::from_millis(100))
            .start(core.url())
            .await
            .expect("starts")
            .on_message({
                let started = started.clone();
                move |_msg| {
                    started.notify_one();
                    async move {
                        tokio::time::sleep(Duration::from_secs(600)).await;
                        Ok::<_, ClientError>(())
                    }
                }
            });
        let stop = bot.shutdown_handle();
        let run = tokio::spawn(bot.run());
        core.contact("alice").sends_text("work").await;
        started.notified().await;
        stop.shutdown();
        tokio::time::timeout(Duration::from_secs(5), run)
            .await
            .expect("stops within the timeout")
            .expect("joined")
            .expect("stops cleanly");
    })
    .await
}

#[tokio::test]
async fn run_ends_when_the_core_closes_the_connection() {
    within(async {
        let core = TestCore::start().await;
        let bot = Bot::start(core.url()).await.expect("starts");
        let run = tokio::spawn(bot.run());
        core.restart().await;
        run.await.expect("joined").expect("ends cleanly");
    })
    .await
}

#[tokio::test]
async fn a_slow_chat_does_not_hold_up_others_and_a_failing_handler_loses_nothing() {
    within(async {
        let core = TestCore::start().await;
        let bot = Bot::start(core.url())
            .await
            .expect("starts")
            .on_message(|msg| async move {
                match msg.text() {
                    Some("slow") => tokio::time::sleep(Duration::from_secs(30)).await,
                    Some("fail") => return Err("the handler says no".into()),
                    _ => {}
                }
                msg.reply(msg.text().unwrap_or(""))
                    .await
                    .map_err(simplex_api_client::bot::BoxError::from)
            });
        tokio::spawn(bot.run());

        let (alice, bob) = (core.contact("alice"), core.contact("bob"));
        alice.sends_text("slow").await;
        bob.sends_text("fail").await;
        bob.sends_text("one").await;
        assert_eq!(bob.next_message().await, "one");
        assert!(alice.received().is_empty());
    })
    .await
}

#[tokio::test]
async fn frames_that_do_not_decode_and_stray_responses_do_not_stop_the_bot() {
    within(async {
        let core = TestCore::start().await;
        let bot = Bot::start(core.url())
            .await
            .expect("starts")
            .on_message(|msg| async move { msg.reply(msg.text().unwrap_or("")).await });
        tokio::spawn(bot.run());

        core.send_frame("not json").await;
        core.send_frame(r#"{"corrId":"999","resp":{"type":"cmdOk"}}"#)
            .await;
        core.send_frame(r#"{"resp":{"type":"someFutureEvent","x":1}}"#)
            .await;
        let alice = core.contact("alice");
        alice.sends_text("still here").await;
        assert_eq!(alice.next_message().await, "still here");
    })
    .await
}

#[tokio::test]
async fn events_reach_their_typed_handler_or_the_catch_all_and_new_items_reach_both_kinds() {
    within(async {
        let core = TestCore::start().await;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = |seen: &Arc<Mutex<Vec<String>>>, what: String| {
            seen.lock().unwrap().push(what);
        };
        let bot = Bot::start(core.url())
            .await
            .expect("starts")
            .on_event({
                let seen = seen.clone();
                move |e: Event<simplex_api_types::events::NewChatItems>| {
                    record(&seen, format!("items {}", e.chat_items.len()));
                    async { Ok::<_, ClientError>(()) }
                }
            })
            .on_any_event({
                let seen = seen.clone();
                move |e: Event<simplex_api_types::ChatEvent>| {
                    record(&seen, e.tag().unwrap_or("?").to_owned());
                    async { Ok::<_, ClientError>(()) }
                }
            })
            .on_message(|msg| async move { msg.reply("ok").await });
        tokio::spawn(bot.run());

        let alice = core.contact("alice");
        alice.sends_text("hi").await;
        assert_eq!(alice.next_message().await, "ok");
        // The events' own queue runs beside the chat's: wait for it.
        let both = |s: &[String]| {
            s.contains(&"contactConnected".to_owned()) && s.iter().any(|s| s.starts_with("items"))
        };
        for _ in 0..100 {
            if both(&seen.lock().unwrap()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let seen = seen.lock().unwrap().clone();
        assert!(both(&seen), "{seen:?}");
    })
    .await
}

#[tokio::test]
async fn a_core_that_does_not_answer_or_restarts_mid_command_does_not_break_the_bot() {
    within(async {
        let core = TestCore::start().await;
        let config = simplex_api_client::Config::default().with_timeout(Duration::from_millis(200));
        let bot = Bot::builder()
            .config(config)
            .start(core.url())
            .await
            .expect("starts")
            .on_message(|msg| async move { msg.reply(msg.text().unwrap_or("")).await });
        let run = tokio::spawn(bot.run());

        // The reply times out (logged); the next one, once the core answers again, arrives.
        let alice = core.contact("alice");
        alice.connects().await;
        core.silence::<ApiSendMessages>();
        alice.sends_text("lost in the core").await;
        core.next_command::<ApiSendMessages>().await;
        core.clear_override::<ApiSendMessages>();
        alice.sends_text("answered").await;
        assert_eq!(alice.next_message().await, "answered");
        assert_eq!(
            core.next_command::<ApiSendMessages>()
                .await
                .composed_messages[0]
                .msg_content
                .text(),
            Some("answered")
        );

        // The core stops while a reply waits: the handler fails with Disconnected, and run
        // ends cleanly.
        core.silence::<ApiSendMessages>();
        alice.sends_text("mid-command").await;
        let waiting = core.next_command::<ApiSendMessages>().await;
        assert_eq!(
            waiting.composed_messages[0].msg_content.text(),
            Some("mid-command")
        );
        core.restart().await;
        tokio::time::timeout(Duration::from_secs(5), run)
            .await
            .expect("run ends")
            .expect("joined")
            .expect("cleanly");
    })
    .await
}

#[tokio::test]
async fn with_reconnect_on_the_bot_comes_back_after_the_core_drops_it_and_sets_up_again() {
    within(async {
        let core = TestCore::start().await;
        let bot = Bot::builder()
            .reconnect_backoff(Duration::from_millis(20), Duration::from_millis(100))
            .start(core.url())
            .await
            .expect("starts")
            .on_message(|msg| async move { msg.reply(msg.text().unwrap_or("")).await });
        let stop = bot.shutdown_handle();
        let run = tokio::spawn(bot.run());

        let alice = core.contact("alice");
        alice.sends_text("before").await;
        assert_eq!(alice.next_message().await, "before");
        let users_asked = |core: &TestCore| {
            names(core)
                .iter()
                .filter(|n| **n == "ShowActiveUser")
                .count()
        };
        assert_eq!(users_asked(&core), 1);

        // Killed (no close frame), then closed cleanly: it connects again each time.
        core.drop_connections().await;
        core.wait_for_connections(1).await;
        alice.sends_text("after a kill").await;
        assert_eq!(alice.next_message().await, "after a kill");
        core.restart().await;
        core.wait_for_connections(1).await;
        alice.sends_text("after a restart").await;
        assert_eq!(alice.next_message().await, "after a restart");
        assert_eq!(users_asked(&core), 3, "the start-up ran again each time");
        // Nothing new to set: no second address, no second profile update.
        assert_eq!(
            names(&core)
                .iter()
                .filter(|n| **n == "APICreateMyAddress" || **n == "APIUpdateProfile")
                .count(),
            2
        );

        stop.shutdown();
        run.await.expect("joined").expect("stops cleanly");
    })
    .await
}

#[tokio::test]
async fn a_shutdown_while_reconnecting_stops_the_bot() {
    within(async {
        let core = TestCore::start().await;
        let bot = Bot::builder()
            .reconnect_backoff(Duration::from_millis(20), Duration::from_millis(50))
            .start(core.url())
            .await
            .expect("starts");
        let stop = bot.shutdown_handle();
        let run = tokio::spawn(bot.run());
        drop(core); // Nothing listens any more.
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!run.is_finished(), "it keeps trying");
        stop.shutdown();
        run.await.expect("joined").expect("stops cleanly");
    })
    .await
}
