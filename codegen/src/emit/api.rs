//! Commands, responses and events.

use quote::{format_ident, quote};

use super::items::{builder, kind, struct_table, StructTable};
use super::table::{lit, Block};
use super::{format, rustdoc_safe, tokens, Piece};
use crate::diag::Diagnostics;
use crate::ir::{Command, NetworkUsage};
use crate::model::{ItemSpace, Module, TaggedItem, Unrendered};

fn command_doc(c: &Command, response: &str, ignored: &[Unrendered]) -> String {
    let mut d = rustdoc_safe(&c.description);
    d.push_str(&format!("\n\nCommand `{}` ({}).", c.name, c.category));
    if let Some(n) = c.network_usage {
        d.push_str(match n {
            NetworkUsage::No => " Network usage: none.",
            NetworkUsage::Interactive => " Network usage: interactive.",
            NetworkUsage::Background => " Network usage: background.",
        });
    }
    if let Some(s) = &c.syntax {
        d.push_str(&format!("\n\nCommand string:\n\n```text\n{}\n```", s.plain));
    }
    if !ignored.is_empty() {
        d.push_str(&format!(
            "\n\nDocumented parameters that the command string has no place for, so the core \
             never receives them: {}. They are not fields, and decoding this command from JSON \
             refuses any of them set to other than its default (null, or `false` for a flag).",
            ignored
                .iter()
                .map(|p| format!("`{}`", p.wire))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    d.push_str(&format!("\n\nResponses: [`{response}`]."));
    if !c.errors.is_empty() {
        d.push_str("\n\nErrors:");
        for e in &c.errors {
            d.push_str(&format!(
                "\n- `{}`: {}",
                e.name,
                rustdoc_safe(&e.description)
            ));
        }
    }
    d
}

/// The `commands` module.
pub fn commands_module(space: &ItemSpace<'_>, diags: &mut Diagnostics) -> Vec<Piece> {
    let mut items = Vec::new();
    let mut any_arms = Vec::new();
    let p = |short: &str| tokens(&space.std(short));
    for (c, item) in space.api.commands.iter().zip(&space.commands) {
        let kinds = item
            .fields
            .iter()
            .map(|f| match item.defaults.get(&f.wire) {
                Some(false) => "default_false",
                Some(true) => "default_true",
                None => kind(f),
            })
            .collect();
        let doc = command_doc(c, &item.response, &item.ignored);
        items.push(Piece::Text(struct_table(
            space,
            &StructTable {
                macro_name: "command",
                name: &item.rust,
                tag: None,
                doc: &doc,
                eq: item.eq,
                kinds,
                fields: &item.fields,
                module: Module::Commands,
                ignored: &item.ignored,
                pair: None,
            },
        )));
        let ident = format_ident!("{}", item.rust);
        items.push(Piece::Item(
            builder(
                space,
                &item.rust,
                &item.fields,
                &item.ctor,
                quote!(Self::__empty()),
                Module::Commands,
                "Creates the command from the parameters it needs; optional ones start as `None`, \
             defaulted flags at their default.",
            ),
            c.loc,
        ));
        if item.ctor.is_empty() {
            let default = p("Default");
            items.push(Piece::Item(
                quote! {
                    impl #default for #ident {
                        /// The command with every optional parameter unset and every flag at its
                        /// default (as [`new`](Self::new)).
                        fn default() -> Self {
                            Self::new()
                        }
                    }
                },
                c.loc,
            ));
        }
        let (cname, resp_ident) = (&c.name, format_ident!("{}", item.response));
        if let (Some(s), Some(plan)) = (&c.syntax, &item.formatter) {
            match plan
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|plan| format::command_body(space, &c.name, plan, &item.fields))
            {
                Ok((body, fallible)) => {
                    let (command, command_error) = (p("Command"), p("CommandError"));
                    let (string, result, ok) = (p("String"), p("Result"), p("Ok"));
                    items.push(Piece::Item(quote! {
                        impl #command for #ident {
                            const NAME: &'static str = #cname;
                            type Response = #resp_ident;
                            fn write_command(&self, out: &mut #string) -> #result<(), #command_error> {
                                #body
                                #ok(())
                            }
                        }
                    }, s.loc));
                    if !fallible {
                        items.push(Piece::Item(quote! {
                            impl ::std::fmt::Display for #ident {
                                /// The command string (this command's rendering cannot fail).
                                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                                    __private::display_command(self, f)
                                }
                            }
                        }, s.loc));
                    }
                    let hidden = &s.hidden_parts;
                    match plan.as_ref().map_err(Clone::clone).and_then(|plan| {
                        super::parse::command_parser(
                            space,
                            &c.name,
                            &item.rust,
                            plan,
                            &item.fields,
                            hidden,
                        )
                        .map(|ts| (ts, super::parse::leading_text(plan)))
                    }) {
                        Ok((parser, leading)) => {
                            items.push(Piece::Item(parser, s.loc));
                            any_arms.push(format!("{} {},", item.rust, lit(&leading)));
                        }
                        Err(message) => diags.error(s.loc, message),
                    }
                }
                Err(message) => diags.error(s.loc, message),
            }
        }
        let mut b = Block::new();
        b.open("command_response!");
        b.doc(&format!(
            "The responses documented for [`{}`], and `Undocumented` for any other response.",
            item.rust
        ));
        b.open(&format!("pub enum {}", item.response));
        for r in &item.responses {
            b.line(&format!("{r},"));
        }
        b.close("");
        let is_error = |rust: &String| space.responses.iter().any(|t| t.rust == *rust && t.error);
        let (errors, successes): (Vec<&String>, Vec<&String>) =
            item.responses.iter().partition(|r| is_error(r));
        match successes.as_slice() {
            [one] => b.line(&format!("ok {one}")),
            _ => {
                let errors: Vec<&str> = errors.iter().map(|e| e.as_str()).collect();
                b.line(&format!("ok Self except [{}]", errors.join(", ")));
            }
        }
        b.close("");
        items.push(Piece::Text(b.finish()));
    }
    let mut b = Block::new();
    b.open("any_command!");
    for arm in &any_arms {
        b.line(arm);
    }
    b.close("");
    items.push(Piece::Text(b.finish()));
    items
}

/// A struct per tagged message (unless shared) and the enum over all of them.
fn tagged_module(
    space: &ItemSpace<'_>,
    module: Module,
    tagged: &[(TaggedItem, String)],
    enum_name: &str,
    enum_doc: &str,
) -> Vec<Piece> {
    let mut items = Vec::new();
    let shared: Vec<String> = tagged
        .iter()
        .filter_map(|(t, _)| {
            t.shared.as_ref().map(|r| {
                if *r == t.rust {
                    r.clone()
                } else {
                    format!("{r} as {}", t.rust)
                }
            })
        })
        .collect();
    if !shared.is_empty() {
        items.push(Piece::Text(format!(
            "/// Events with the shape of a response are that response's struct.\npub use super::responses::{{{}}};\n",
            shared.join(", ")
        )));
    }
    for (t, doc) in tagged.iter().filter(|(t, _)| t.shared.is_none()) {
        let v = &t.variant;
        let fields = space.tagged_fields(t, module);
        items.push(Piece::Text(struct_table(
            space,
            &StructTable {
                macro_name: "wire_record",
                name: &t.rust,
                tag: Some(&v.tag),
                doc,
                eq: space.fields_eq(&v.fields),
                kinds: fields.iter().map(kind).collect(),
                fields: &fields,
                module,
                ignored: &[],
                pair: None,
            },
        )));
    }
    let mut b = Block::new();
    b.open("wire_union!");
    b.doc(enum_doc);
    b.open(&format!("pub enum {enum_name}"));
    for (t, _) in tagged {
        b.line(&format!("{} {}({}),", lit(&t.variant.tag), t.rust, t.rust));
    }
    b.close("");
    b.close("");
    items.push(Piece::Text(b.finish()));
    items
}

/// The `responses` module.
pub fn responses_module(space: &ItemSpace<'_>) -> Vec<Piece> {
    let tagged: Vec<(TaggedItem, String)> = space
        .responses
        .iter()
        .map(|r| {
            let users: Vec<String> = space
                .api
                .commands
                .iter()
                .filter(|c| c.responses.iter().any(|x| x.tag == r.variant.tag))
                .map(|c| format!("`{}`", c.name))
                .collect();
            let doc = format!(
                "{}\n\nResponse `\"{}\"`, documented for {}.",
                rustdoc_safe(&r.variant.description),
                r.variant.tag,
                users.join(", ")
            );
            (r.clone(), doc.trim_start().to_owned())
        })
        .collect();
    tagged_module(
        space,
        Module::Responses,
        &tagged,
        "ChatResponse",
        "Any response to a command: every documented response, and `Undocumented` for the \
         rest (kept as received).",
    )
}

/// `ChatEvent::__into_response`: the response with the same struct, for a message whose
/// corrId came after its resp.
fn into_response(space: &ItemSpace<'_>) -> Piece {
    let (result, ok, err) = (
        tokens(&space.std("Result")),
        tokens(&space.std("Ok")),
        tokens(&space.std("Err")),
    );
    let arms: Vec<_> = space
        .events
        .iter()
        .filter_map(|e| {
            let response = format_ident!("{}", e.shared.as_ref()?);
            let event = format_ident!("{}", e.rust);
            Some(quote!(Self::#event(x) => #ok(responses::ChatResponse::#response(x)),))
        })
        .collect();
    let body = if arms.is_empty() {
        quote!(#err(self))
    } else {
        quote! {
            match self {
                #(#arms)*
                other => #err(other),
            }
        }
    };
    Piece::Module(quote! {
        impl ChatEvent {
            /// The response of the same shape (`Err(self)` when no response has it): for a
            /// message whose `corrId` came after its `resp`.
            #[doc(hidden)]
            pub fn __into_response(self) -> #result<responses::ChatResponse, Self> {
                #body
            }
        }
    })
}

/// The `events` module.
pub fn events_module(space: &ItemSpace<'_>) -> Vec<Piece> {
    let tagged: Vec<(TaggedItem, String)> = space
        .api
        .events
        .iter()
        .zip(&space.events)
        .map(|(e, t)| {
            let group = match e.group {
                Some(crate::ir::EventGroup::Main) => " (main event)",
                Some(crate::ir::EventGroup::Other) => " (other event)",
                None => "",
            };
            let doc = format!(
                "{}\n\nEvent `\"{}\"`: {}{}.",
                rustdoc_safe(&e.description),
                e.tag,
                e.category,
                group
            );
            (t.clone(), doc.trim_start().to_owned())
        })
        .collect();
    let mut items = tagged_module(
        space,
        Module::Events,
        &tagged,
        "ChatEvent",
        "Any event the core sends without a request: every documented event, and \
         `Undocumented` for the rest (kept as received).",
    );
    items.push(into_response(space));
    items
}
