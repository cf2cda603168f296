//! Mutations of the real captures (integers sent as strings, unknown fields, explicit nulls,
//! values of the wrong type, keys in any order): `parse_message` must give every one of them
//! back unchanged, typed or kept whole as `Message::Undecoded`. Not only "no panic": the JSON
//! that comes out equals the JSON that went in, and a capture changed only in ways the docs
//! allow (or not at all) decodes typed.
//!
//! The number of cases comes from `PROPTEST_CASES` (default 256).

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use simplex_api_types::{parse_message, Message};

fn captures() -> Vec<Value> {
    crate::fixtures()
        .iter()
        .map(|(name, text)| serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}")))
        .collect()
}

/// Every object and array in `v`, depth first, as paths of keys and indices.
fn places(v: &Value, at: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    match v {
        Value::Object(m) => {
            out.push(at.clone());
            for (k, child) in m {
                at.push(PathStep::Key(k.clone()));
                places(child, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(PathStep::Index(i));
                places(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn get_mut<'a>(v: &'a mut Value, path: &[PathStep]) -> Option<&'a mut Value> {
    let mut at = v;
    for step in path {
        at = match step {
            PathStep::Key(k) => at.get_mut(k.as_str())?,
            PathStep::Index(i) => at.get_mut(*i)?,
        };
    }
    Some(at)
}

/// The kinds of mutation (of [`mutate`]) a documented message survives typed: an integer sent
/// as a string, a field the docs do not list, a field left out (its default). A capture with
/// only these (or none) that does not decode typed is a decoder that broke.
const KEEP_TYPED: [u8; 3] = [0, 1, 4];

/// One mutation of the object chosen by `pick`.
fn mutate(v: &mut Value, pick: u64, kind: u8) {
    let mut all = Vec::new();
    places(v, &mut Vec::new(), &mut all);
    // Never the envelope itself: a message needs its `resp`.
    all.retain(|p| !p.is_empty());
    if all.is_empty() {
        return;
    }
    let path = &all[(pick as usize) % all.len()];
    let Some(Value::Object(obj)) = get_mut(v, path) else {
        return;
    };
    let keys: Vec<String> = obj.keys().cloned().collect();
    let key = keys.get((pick >> 32) as usize % keys.len().max(1)).cloned();
    match kind % 6 {
        // An integer sent as a string (canonical or not).
        0 => {
            if let Some(k) = key {
                if let Some(n) = obj.get(&k).and_then(Value::as_i64) {
                    let text = if pick.is_multiple_of(3) {
                        format!("+{n}")
                    } else {
                        n.to_string()
                    };
                    obj.insert(k, Value::String(text));
                }
            }
        }
        // A field the docs do not list.
        1 => {
            obj.insert(
                format!("zz{}", pick % 1000),
                serde_json::json!({"n": [1, "2", null, 2.5]}),
            );
        }
        // An explicit null.
        2 => {
            if let Some(k) = key.filter(|k| k != "type") {
                obj.insert(k, Value::Null);
            }
        }
        // A value of the wrong type.
        3 => {
            if let Some(k) = key {
                obj.insert(k, Value::Bool(pick.is_multiple_of(2)));
            }
        }
        // A field removed.
        4 => {
            if let Some(k) = key.filter(|k| k != "type") {
                obj.remove(&k);
            }
        }
        // A union tag the docs do not list.
        _ => {
            if obj.contains_key("type") {
                obj.insert("type".into(), Value::String(format!("new{}", pick % 100)));
            }
        }
    }
}

/// `v` as text with the keys of every object in an order drawn from `seed`.
fn shuffled_text(v: &Value, seed: &mut u64, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            for i in (1..entries.len()).rev() {
                *seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                entries.swap(i, (*seed >> 33) as usize % (i + 1));
            }
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).expect("a key"));
                out.push(':');
                shuffled_text(v, seed, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                shuffled_text(v, seed, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[test]
fn mutated_captures_come_back_unchanged() {
    let captures = captures();
    assert!(captures.len() >= 6);
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        0..captures.len(),
        proptest::collection::vec((any::<u64>(), any::<u8>()), 0..6),
        any::<u64>(),
    );
    let (typed, undecoded) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    runner
        .run(&strategy, |(which, mutations, seed)| {
            let mut v = captures[which].clone();
            let kinds: Vec<u8> = mutations.iter().map(|&(_, kind)| kind).collect();
            for (pick, kind) in mutations {
                mutate(&mut v, pick, kind);
            }
            let mut text = String::new();
            shuffled_text(&v, &mut seed.clone(), &mut text);
            let msg = parse_message(&text).map_err(|e| {
                TestCaseError::fail(format!("valid JSON must give a message: {e}\n{text}"))
            })?;
            match &msg {
                Message::Undecoded(u) => {
                    // Only a mutation the docs do not allow may keep a message from decoding.
                    prop_assert!(
                        !kinds.iter().all(|k| KEEP_TYPED.contains(&(k % 6))),
                        "mutations {:?} keep the documented types, yet: {}\n{}",
                        kinds,
                        u.error,
                        text
                    );
                    undecoded.set(undecoded.get() + 1)
                }
                _ => typed.set(typed.get() + 1),
            }
            let back = serde_json::to_value(&msg).expect("encodes");
            prop_assert_eq!(back, v, "not the same JSON back from {}", text);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let (typed, undecoded) = (typed.get(), undecoded.get());
    let line = format!(
        "round-trip fuzz: {} cases, {typed} typed, {undecoded} kept whole",
        typed + undecoded
    );
    eprintln!("{line}");
    crate::fuzz_report::report(&line);
    assert!(typed > 0, "some mutations must still decode typed");
}
