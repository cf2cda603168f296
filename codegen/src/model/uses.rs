//! The `use` lines of each generated module, decided from what the model puts in the module
//! (its structs' field types, its items' kinds, its formatters' plans), so that the emitters
//! print them and never search the code they printed.
//!
//! A module imports only what its code writes short: the runtime names and `BTreeMap` that no
//! upstream item takes (a taken one is written in full, see [`ItemSpace::std`]), the item macros
//! it invokes, `super::types::*` when it names a type of `types` unqualified and
//! `super::types` when it names one as `types::Name`.

use std::collections::BTreeSet;

use super::plan::writes_syntax;
use super::{ItemSpace, Module, Shape};
use crate::ir::{Prim, TypeExpr, TypeKind};

/// What a module's code names, as far as its `use` lines go.
#[derive(Debug, Default)]
struct Needs {
    /// Runtime names, `BTreeMap` and macros it writes short.
    names: BTreeSet<&'static str>,
    /// It names a type of `types` unqualified.
    glob: bool,
    /// It names a type of `types` as `types::Name`.
    qualified: bool,
}

impl Needs {
    /// Records what writing `ty` in `module` names.
    fn ty(&mut self, space: &ItemSpace<'_>, ty: &TypeExpr, module: Module) {
        match ty {
            TypeExpr::Prim { prim } => match prim {
                Prim::JsonObject => self.name("JsonObject"),
                Prim::UtcTime => self.name("UtcTime"),
                _ => {}
            },
            TypeExpr::Ref { name } => {
                if space.index(name).is_some() {
                    if space.type_path(name, module).starts_with("types::") {
                        self.qualified = true;
                    } else {
                        self.glob = true;
                    }
                }
            }
            TypeExpr::Array { item } => self.ty(space, item, module),
            TypeExpr::Map { value, .. } => {
                self.name("BTreeMap");
                self.ty(space, value, module);
            }
            TypeExpr::Optional { inner } => self.ty(space, inner, module),
        }
    }

    fn name(&mut self, name: &'static str) {
        self.names.insert(name);
    }

    /// `use path::{names}` for those of `names` that are needed, in their order.
    fn import(&self, path: &str, names: &[&'static str]) -> String {
        let names: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| self.names.contains(n))
            .collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => format!("use {path}::{one};\n"),
            many => format!("use {path}::{{{}}};\n", many.join(", ")),
        }
    }
}

impl ItemSpace<'_> {
    /// What the code of `module` names.
    fn needs(&self, module: Module) -> Needs {
        let mut needs = Needs::default();
        match module {
            Module::Types | Module::Members(_) => {
                // `syntax_string_from_json` takes a `__private::Value`.
                needs.name("__private");
                for (t, info) in self.api.types.iter().zip(&self.types) {
                    for (f, _) in t.fields() {
                        needs.ty(self, &f.ty, Module::Types);
                    }
                    match &t.kind {
                        TypeKind::Record { .. } => needs.name("wire_record"),
                        TypeKind::Enum { .. } => needs.name("wire_enum"),
                        TypeKind::Opaque => needs.name("wire_opaque"),
                        TypeKind::Union { .. } => {
                            needs.name("wire_union");
                            if matches!(&info.shape, Shape::Union { members, .. }
                                if members.iter().any(|m| !m.unit))
                            {
                                needs.name("wire_record");
                            }
                        }
                    }
                    if info.error {
                        needs.name("error_type");
                    }
                    if t.syntax.is_some() {
                        // `impl Syntax`, whose method returns a `CommandError`.
                        needs.name("Syntax");
                        needs.name("CommandError");
                    }
                }
            }
            Module::Commands => {
                // `command_string_from_json` takes a `__private::Value`; `AnyCommand` is
                // declared by `any_command!`.
                needs.name("__private");
                needs.name("any_command");
                for item in &self.commands {
                    needs.name("command");
                    needs.name("command_response");
                    for f in &item.fields {
                        needs.ty(self, &f.ty, module);
                    }
                    let Some(plan) = &item.formatter else {
                        continue;
                    };
                    // `impl Command`, whose method returns a `CommandError`, and `impl
                    // ParseCommand`.
                    needs.name("Command");
                    needs.name("CommandError");
                    needs.name("ParseCommand");
                    if plan.as_ref().is_ok_and(|steps| writes_syntax(steps)) {
                        // A value written by its type's `Syntax::write_syntax` and read by its
                        // `Syntax::read_syntax`.
                        needs.name("Syntax");
                    }
                }
            }
            Module::Responses | Module::Events => {
                let tagged = if module == Module::Responses {
                    &self.responses
                } else {
                    &self.events
                };
                needs.name("wire_union");
                for t in tagged.iter().filter(|t| t.shared.is_none()) {
                    needs.name("wire_record");
                    for f in &t.variant.fields {
                        needs.ty(self, &f.ty, module);
                    }
                }
            }
        }
        needs
    }

    /// The `use` lines of `module` (`Types`, `Commands`, `Responses` or `Events`).
    pub fn use_lines(&self, module: Module) -> String {
        let needs = self.needs(module);
        let runtime_names: &[&'static str] = if module == Module::Commands {
            &[
                "Command",
                "CommandError",
                "JsonObject",
                "ParseCommand",
                "Syntax",
                "UtcTime",
            ]
        } else {
            &["CommandError", "JsonObject", "Syntax", "UtcTime"]
        };
        let mut lines = needs.import("std::collections", &self.short_names(&["BTreeMap"]));
        lines.push_str(&needs.import(
            "::simplex_api_types::runtime",
            &self.short_names(runtime_names),
        ));
        let macros: &[&'static str] = match module {
            Module::Types | Module::Members(_) => &[
                "__private",
                "error_type",
                "wire_enum",
                "wire_opaque",
                "wire_record",
                "wire_union",
            ],
            Module::Commands => &["__private", "any_command", "command", "command_response"],
            Module::Responses | Module::Events => &["__private", "wire_record", "wire_union"],
        };
        lines.push_str(&needs.import("::simplex_api_types", macros));
        // Commands name their responses; `ChatEvent::__into_response` returns a
        // `responses::ChatResponse`.
        if matches!(module, Module::Commands | Module::Events) {
            lines.push_str("use super::responses;\n");
        }
        if !matches!(module, Module::Types | Module::Members(_)) {
            match (needs.qualified, needs.glob) {
                (true, true) => lines.push_str("use super::types::{self, *};\n"),
                (true, false) => lines.push_str("use super::types;\n"),
                (false, true) => lines.push_str("use super::types::*;\n"),
                (false, false) => {}
            }
        }
        lines
    }
}
