//! The generated command parsers on text nobody rendered: where the core's grammar refuses a
//! string, the error's offset and expectation (worked out by hand from the docs' syntax
//! lines, quoted beside each case); JSON parameters written another way; the whitespace and
//! 0xA0 rules; and hostile input (random text, deep JSON, long input on a 2 MiB stack), which
//! must give an error, never a panic, and, where it parses, a command that reads back as
//! itself. The round trip over every command and random values is in `conformance`.

use proptest::prelude::*;
use simplex_api_types::commands::{ApiListGroups, ApiSendMessages, CancelFile};
use simplex_api_types::types::{msg_content, ChatRef, ChatType, ComposedMessage, MsgContent};
use simplex_api_types::{AnyCommand, Command, CommandParseError, ParseCommand};

fn hello(chat_id: i64) -> ApiSendMessages {
    ApiSendMessages::new(
        ChatRef::new(ChatType::Direct, chat_id),
        vec![ComposedMessage::new(MsgContent::Text(Box::new(
            msg_content::Text::new("Hello!".into()),
        )))],
    )
}

fn refused(text: &str) -> CommandParseError {
    match AnyCommand::parse(text) {
        Err(e) => e,
        Ok(c) => panic!("{text:?} parsed as {c:?}"),
    }
}

#[test]
fn json_written_another_way_reads_as_the_same_command() {
    // Other spacing, other key order, escapes where the formatter writes none.
    let texts = [
        r#"/_send @7 json [{"msgContent":{"type":"text","text":"Hello!"},"mentions":{}}]"#,
        "/_send @7 json [ {\n  \"mentions\" : { },\n  \"msgContent\" : { \"text\" : \"Hello!\", \"type\" : \"text\" }\n} ]",
        r#"/_send @7 json [{"mentions":{},"msgContent":{"text":"Hell\u006f!","type":"text"}}]"#,
    ];
    for text in texts {
        assert_eq!(
            ApiSendMessages::parse_command(text),
            Ok(hello(7)),
            "{text:?}"
        );
        assert_eq!(AnyCommand::parse(text), Ok(AnyCommand::from(hello(7))));
    }
}

#[test]
fn whitespace_the_core_strips_from_the_end_is_not_read() {
    // `isSpace` of the core's byte-wise test: tab to carriage return, space and 0xA0.
    for tail in [" ", "\t\n", " \r\n", "\u{0B}\u{0C}"] {
        let text = format!(
            r#"/_send @7 json [{{"msgContent":{{"type":"text","text":"Hello!"}},"mentions":{{}}}}]{tail}"#
        );
        assert_eq!(ApiSendMessages::parse_command(&text), Ok(hello(7)));
    }
    // `/_groups <userId>[ @<contactId_>][ <search>]`: the search is the rest of the command,
    // spaces inside kept, the ones at the end stripped.
    assert_eq!(
        ApiListGroups::parse_command("/_groups 1 @3 chess club  "),
        Ok(ApiListGroups::new(1)
            .with_contact_id_(3)
            .with_search("chess club".into()))
    );
    // A search of only spaces is stripped with them: no search.
    assert_eq!(
        ApiListGroups::parse_command("/_groups 1   "),
        Ok(ApiListGroups::new(1))
    );
}

#[test]
fn a_byte_0xa0_inside_a_character_is_refused_where_the_core_would_cut_it() {
    // "à" is C3 A0: the core strips the A0 from the end of the command, leaving the search
    // with half a character; our parser refuses rather than read a changed text.
    let e = ApiListGroups::parse_command("/_groups 1 voilà").unwrap_err();
    assert_eq!(e.offset(), "/_groups 1 ".len());
    assert!(e.expected().contains("UTF-8"), "{e}");
    // Inside the text it is no end, and the search reads whole.
    assert_eq!(
        ApiListGroups::parse_command("/_groups 1 voilà tout"),
        Ok(ApiListGroups::new(1).with_search("voilà tout".into()))
    );
}

#[test]
fn refusals_are_located_and_say_what_the_grammar_expected() {
    // `/_send <str(sendRef)>...`, `ChatRef` is `<str(chatType)><chatId>[<str(chatScope)>]`:
    // after `@` a number is expected.
    let e = refused("/_send @x json []");
    assert_eq!((e.command(), e.offset()), ("APISendMessages", 8));
    assert!(e.expected().contains("a number (`chatId`)"), "{e}");

    // After `@1`: a chat scope, one of the optional flags, or ` json `.
    let e = refused("/_send @1 jsn []");
    assert_eq!(e.offset(), 9);
    assert!(e.expected().contains(r#"" json ""#), "{e}");
    assert!(e.expected().contains(r#"" ttl=""#), "{e}");

    // `/fcancel <fileId>`: nothing may follow the id, and the id must fit an `Int64`.
    let e = refused("/fcancel 12 extra");
    assert_eq!((e.command(), e.offset()), ("CancelFile", 11));
    assert!(e.expected().contains("the end of the command"), "{e}");
    let e = refused("/fcancel 99999999999999999999");
    assert_eq!(e.offset(), 9);
    assert!(e.expected().contains("a number (`fileId`)"), "{e}");

    // `/_member role #<groupId> <groupMemberIds[0]>[,...] relay|observer|...|owner`.
    let e = refused("/_member role #1 2,3 king");
    assert_eq!(e.offset(), "/_member role #1 2,3 ".len());
    assert!(e.expected().contains("observer"), "{e}");

    // JSON that does not decode as the parameter's type is located inside it.
    let e = refused(r#"/_send @1 json [{"msgContent":{"type":"text","text":5}}]"#);
    assert!(e.offset() > "/_send @1 json ".len(), "{e}");
    assert!(e.expected().contains("composedMessages"), "{e}");

    // `/_send ` without its parameters is a refused `/_send`, not an undocumented command.
    assert_eq!(refused("/_send").command(), "APISendMessages");
}

#[test]
fn a_part_the_core_reads_but_the_docs_hide_is_refused() {
    // The core reads `/connect i <link>` as an incognito connection; COMMANDS.md shows only
    // `/connect[ <connTarget_>]` (see the overrides file), so no command here can hold it.
    let e = refused("/connect i https://simplex.chat/contact#abc");
    assert_eq!((e.command(), e.offset()), ("Connect", "/connect".len()));
    assert!(e.expected().contains("[ incognito|i]"), "{e}");
}

#[test]
fn text_no_documented_command_begins_with_is_undocumented() {
    for text in ["/_get chat #1 count=10", "hello", "", "/usr"] {
        assert_eq!(
            AnyCommand::parse(text),
            Ok(AnyCommand::Undocumented(text.to_owned()))
        );
    }
    assert_eq!(
        AnyCommand::Undocumented("/_get chat #1 count=10".into()).to_command_string(),
        Ok("/_get chat #1 count=10".to_owned())
    );
}

#[test]
fn commands_that_share_a_word_are_told_apart() {
    assert!(matches!(
        AnyCommand::parse("/user"),
        Ok(AnyCommand::ShowActiveUser(_))
    ));
    assert!(matches!(
        AnyCommand::parse("/users"),
        Ok(AnyCommand::ListUsers(_))
    ));
    assert_eq!(
        AnyCommand::parse("/fcancel 4"),
        Ok(AnyCommand::from(CancelFile::new(4)))
    );
    assert!(matches!(
        AnyCommand::parse("/_connect plan 1 https://simplex.chat/contact#abc"),
        Ok(AnyCommand::ApiConnectPlan(_))
    ));
    assert!(matches!(
        AnyCommand::parse("/_delete item @1 2 broadcast"),
        Ok(AnyCommand::ApiDeleteChatItem(_))
    ));
    assert!(matches!(
        AnyCommand::parse("/_delete @1 messages"),
        Ok(AnyCommand::ApiDeleteChat(_))
    ));
}

/// Runs `f` on a thread with the 2 MiB stack of a tokio worker.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("a thread")
        .join()
        .expect("no stack overflow or panic")
}

#[test]
fn deep_and_long_input_is_refused_on_a_small_stack() {
    on_small_stack(|| {
        let deep = format!("/_send @1 json {}", "[".repeat(200_000));
        let e = AnyCommand::parse(&deep).unwrap_err();
        assert_eq!(e.command(), "APISendMessages");
        let long = format!("/_groups 1 {}", "x ".repeat(500_000));
        assert!(matches!(
            AnyCommand::parse(&long),
            Ok(AnyCommand::ApiListGroups(_))
        ));
        let ids = format!("/_delete item @1 {}1 broadcast", "1,".repeat(200_000));
        assert!(matches!(
            AnyCommand::parse(&ids),
            Ok(AnyCommand::ApiDeleteChatItem(_))
        ));
    });
}

/// Text built from the pieces command strings are made of, so that random input reaches deep
/// into the grammars.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/_send ".to_owned()),
        Just("/_delete ".to_owned()),
        Just("/_groups ".to_owned()),
        Just("/freceive ".to_owned()),
        Just("/_connect ".to_owned()),
        Just("/connect".to_owned()),
        Just("@".to_owned()),
        Just("#".to_owned()),
        Just("(_support:".to_owned()),
        Just(")".to_owned()),
        Just(" json ".to_owned()),
        Just(" live=on".to_owned()),
        Just(" ttl=".to_owned()),
        Just(" encrypt=off".to_owned()),
        Just(" full notify=off".to_owned()),
        Just("[{\"msgContent\":{\"type\":\"text\",\"text\":\"x\"}}]".to_owned()),
        Just("\u{a0}".to_owned()),
        Just("à".to_owned()),
        "-?[0-9]{1,20}",
        "[ -~]{0,8}",
        "[ \t\n]{1,3}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Whatever the text, parsing gives a command or an error, never a panic; a command that
    /// renders reads back from its own rendering as itself.
    #[test]
    fn any_text_parses_or_is_refused_and_what_parses_reads_back(
        pieces in proptest::collection::vec(piece(), 0..12)
    ) {
        let text: String = pieces.concat();
        match AnyCommand::parse(&text) {
            Ok(AnyCommand::Undocumented(t)) => prop_assert_eq!(t, text),
            Ok(c) => {
                if let Ok(again) = c.to_command_string() {
                    prop_assert_eq!(AnyCommand::parse(&again), Ok(c));
                }
            }
            Err(e) => prop_assert!(e.offset() <= text.len(), "{}", e),
        }
    }

    /// The rendering of a `/_send` with any text reads back as the command.
    #[test]
    fn any_sent_text_reads_back(text in "\\PC{0,40}", id in any::<i64>()) {
        let cmd = ApiSendMessages::new(
            ChatRef::new(ChatType::Group, id),
            vec![ComposedMessage::new(MsgContent::Text(Box::new(msg_content::Text::new(text))))],
        );
        let rendered = cmd.to_command_string().expect("renders");
        prop_assert_eq!(ApiSendMessages::parse_command(&rendered), Ok(cmd));
    }
}
