//! Rendering a command string, `/_send @7 json [...]` with one text message, and parsing it
//! back (`ParseCommand::parse_command`, and `AnyCommand::parse`, which first picks the command).
//!
//! Run: `cargo bench -p simplex-api-types --bench render -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use simplex_api_types::commands::ApiSendMessages;
use simplex_api_types::types::{msg_content, ChatRef, ChatType, ComposedMessage, MsgContent};
use simplex_api_types::{AnyCommand, Command, ParseCommand};

fn render(c: &mut Criterion) {
    let cmd = ApiSendMessages::new(
        ChatRef::new(ChatType::Direct, 7),
        vec![ComposedMessage::new(MsgContent::Text(Box::new(
            msg_content::Text::new("Hello!".into()),
        )))],
    );
    assert_eq!(
        cmd.to_command_string().unwrap(),
        r#"/_send @7 json [{"msgContent":{"type":"text","text":"Hello!"},"mentions":{}}]"#
    );

    let mut g = c.benchmark_group("render /_send one text message");
    let mut buf = String::new();
    g.bench_function("write_command (reused String)", |b| {
        b.iter(|| {
            buf.clear();
            Command::write_command(black_box(&cmd), &mut buf).unwrap();
            black_box(buf.len())
        })
    });
    g.bench_function("to_command_string", |b| {
        b.iter(|| black_box(&cmd).to_command_string().unwrap())
    });
    let text = cmd.to_command_string().unwrap();
    assert_eq!(ApiSendMessages::parse_command(&text).unwrap(), cmd);
    g.bench_function("ApiSendMessages::parse_command", |b| {
        b.iter(|| ApiSendMessages::parse_command(black_box(&text)).unwrap())
    });
    g.bench_function("AnyCommand::parse", |b| {
        b.iter(|| AnyCommand::parse(black_box(&text)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
