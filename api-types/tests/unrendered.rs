//! Documented parameters that a command string has no place for are never silently dropped:
//! decoding a command with one of them set to anything but its default is an error that says
//! the core could never receive it.

use serde_json::json;
use simplex_api_types::commands::{
    command_string_from_json, ApiConnectPlan, ApiRejectContact, Connect,
};

fn refusal<T: serde::de::DeserializeOwned + std::fmt::Debug>(v: serde_json::Value) -> String {
    serde_json::from_value::<T>(v)
        .expect_err("a parameter the command string cannot carry is refused")
        .to_string()
}

#[test]
fn a_flag_the_syntax_cannot_carry_is_refused_when_set() {
    let e = refusal::<Connect>(json!({"incognito": true, "connTarget_": "https://x/y"}));
    assert!(e.contains("`incognito` is set to true"), "{e}");
    assert!(e.contains("has no place for it"), "{e}");
    assert!(e.contains("set it to false"), "{e}");

    let e = refusal::<ApiRejectContact>(json!({"contactReqId": 3, "notify": true}));
    assert!(e.contains("`notify` is set to true"), "{e}");

    // Through the JSON entry point too.
    let e = command_string_from_json("Connect", json!({"incognito": true}))
        .expect_err("refused")
        .to_string();
    assert!(e.contains("`incognito`"), "{e}");
}

#[test]
fn a_flag_at_its_default_or_null_or_absent_is_accepted() {
    for params in [
        json!({"incognito": false, "connTarget_": "https://x/y"}),
        json!({"incognito": null, "connTarget_": "https://x/y"}),
        json!({"connTarget_": "https://x/y"}),
    ] {
        let c: Connect = serde_json::from_value(params).expect("accepted");
        assert_eq!(
            c,
            Connect::new().with_conn_target_("https://x/y".to_owned())
        );
    }
    let r: ApiRejectContact =
        serde_json::from_value(json!({"contactReqId": 3, "notify": false})).expect("accepted");
    assert_eq!(r, ApiRejectContact::new(3));
}

#[test]
fn other_parameters_the_syntax_cannot_carry_are_accepted_only_when_null_or_absent() {
    let base = json!({"userId": 1, "connectTarget": "https://x/y"});
    let plan: ApiConnectPlan = serde_json::from_value(base.clone()).expect("absent");
    let mut with_null = base.clone();
    with_null["resolveMode"] = json!(null);
    with_null["linkOwnerSig"] = json!(null);
    assert_eq!(
        serde_json::from_value::<ApiConnectPlan>(with_null).expect("null"),
        plan
    );

    let mut mode = base.clone();
    mode["resolveMode"] = json!("all");
    let e = refusal::<ApiConnectPlan>(mode);
    assert!(e.contains("`resolveMode` is set to \"all\""), "{e}");
    assert!(!e.contains("false"), "not a flag: {e}");

    // `false` is no default for a parameter that is not a flag.
    let mut mode = base.clone();
    mode["resolveMode"] = json!(false);
    refusal::<ApiConnectPlan>(mode);

    let mut sig = base;
    sig["linkOwnerSig"] = json!({"chatBinding": "b", "ownerSig": "s"});
    let e = refusal::<ApiConnectPlan>(sig);
    assert!(e.contains("`linkOwnerSig` is set to a value"), "{e}");
}
