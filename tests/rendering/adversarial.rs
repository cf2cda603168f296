//! Code generated from a doc set full of Rust keywords and std names (types `Option`,
//! `Result`, `String`, `Box`; fields `type`, `self`, `Self`, `ref`, `crate`, `super`; a response
//! named `ChatResponse`) compiles, and behaves.

#[allow(dead_code, clippy::all)]
mod adversarial {
    include!(concat!(env!("OUT_DIR"), "/adversarial.rs"));
}

use adversarial::{commands, events, responses, types};
use simplex_api_types::Command;

#[test]
fn keyword_and_std_names_generate_code_that_works() {
    let b = types::Box::new(5, vec![]);
    let cmd = commands::Self_::new("t".to_owned(), types::Result::SndReady, b)
        .with_ref(-1)
        .with_option(true);
    assert_eq!(
        cmd.to_command_string().expect("renders"),
        "/self #5 t ref=-1 Option=on snd-ready"
    );
    assert_eq!(
        commands::Option::new()
            .to_command_string()
            .expect("renders"),
        "/option"
    );
}

#[test]
fn collisions_with_runtime_names_keep_every_field() {
    let json = serde_json::json!({
        "type": "x", "self": 1, "Self": "Ok", "super": [], "crate": {},
        "extra_fields": "mine", "__meta": 2, "match": {"type": "y", "self": 2, "Self": "type",
        "super": [{"type": "None"}], "crate": {}, "extra_fields": "", "undocumented": true}
    });
    let v: types::Option = serde_json::from_value(json.clone()).expect("decodes");
    assert_eq!(serde_json::to_value(&v).expect("encodes"), json);
    assert!(v.r#match.is_some());
}

#[test]
fn responses_and_events_named_like_the_catch_alls_are_distinct() {
    let r: responses::ChatResponse =
        serde_json::from_value(serde_json::json!({"type": "other", "String": {"type": "None"}}))
            .expect("decodes");
    assert_eq!(r.tag(), Some("other"));
    assert!(!matches!(r, responses::ChatResponse::Undocumented(_)));
    let e: events::ChatEvent =
        serde_json::from_value(serde_json::json!({"type": "Result", "Ok": "sndReady"}))
            .expect("decodes");
    assert!(!matches!(e, events::ChatEvent::Undocumented(_)));
}

#[test]
fn a_type_documented_without_a_kind_holds_any_json() {
    // `## Vec` has a sentence only (as older dialects wrote some types): an opaque type.
    let json = serde_json::json!({
        "type": "x", "self": 1, "Self": "Ok", "super": [], "crate": {}, "extra_fields": "",
        "Vec": {"anything": [1, "two", {"three": null}]}
    });
    let v: types::Option = serde_json::from_value(json.clone()).expect("decodes");
    assert_eq!(
        v.vec.as_ref().map(|o| &o.0),
        Some(&serde_json::json!({"anything": [1, "two", {"three": null}]}))
    );
    assert_eq!(serde_json::to_value(&v).expect("encodes"), json);
}
