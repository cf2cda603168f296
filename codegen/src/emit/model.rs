//! What the emitters need to know beyond the IR: Rust names, which fields are boxed, how each
//! type is represented.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{Api, Field, Prim, TypeDef, TypeExpr, TypeKind};
use crate::naming::{self, Scope};

/// Which generated module code is emitted into (decides how type paths are written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Module {
    /// `types.rs`: types are referred to by bare name.
    Types,
    /// Any other module: `super::types::Name`.
    Other,
}

/// Rust-side facts about one TYPES.md type.
#[derive(Debug, Clone)]
pub struct TypeInfo {
    /// The Rust name.
    pub rust: String,
    /// Union members: the variant name and the member struct name, by member index; enum
    /// values: the variant name, by value index (struct name empty).
    pub variants: Vec<(String, String)>,
}

/// The analysed API.
pub struct Model<'a> {
    /// The IR.
    pub api: &'a Api,
    types: BTreeMap<&'a str, TypeInfo>,
    /// `(owner, field wire name)` pairs that must be boxed to break type recursion; the owner is
    /// the type name, or `Type.member` for union members.
    boxed: BTreeSet<(String, String)>,
}

/// How a field's value is read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repr {
    /// Through its own serde impls.
    Plain,
    /// An integer that may arrive as a string (`int`, `int64`, `word32`).
    Int,
    /// An array of such integers.
    IntVec,
}

/// One field of a generated struct.
#[derive(Debug, Clone)]
pub struct FieldSpec {
    /// Upstream (wire) name.
    pub wire: String,
    /// Rust identifier.
    pub ident: Ident,
    /// Its type.
    pub ty: TypeExpr,
    /// Boxed to break recursion.
    pub boxed: bool,
    /// Read/write representation of the present value.
    pub repr: Repr,
}

impl FieldSpec {
    /// True for `T?` fields.
    pub fn optional(&self) -> bool {
        self.ty.is_optional()
    }
}

/// Names reserved in every generated struct for the runtime's own fields.
pub const STRUCT_RESERVED: &[&str] = &["extra_fields", "__meta"];

impl<'a> Model<'a> {
    /// Analyses `api`.
    pub fn new(api: &'a Api) -> Model<'a> {
        let mut type_scope = Scope::default();
        let mut types = BTreeMap::new();
        // Type names first, so member structs never take a type's name.
        let rust_names: Vec<String> = api
            .types
            .iter()
            .map(|t| type_scope.unique(naming::type_name(&t.name)))
            .collect();
        for (t, rust) in api.types.iter().zip(rust_names) {
            let mut variant_scope = Scope::with_reserved(&["Unknown"]);
            let variants = match &t.kind {
                TypeKind::Enum { values } => values
                    .iter()
                    .map(|v| {
                        (
                            variant_scope.unique(naming::type_name(&v.value)),
                            String::new(),
                        )
                    })
                    .collect(),
                TypeKind::Union { members } => members
                    .iter()
                    .map(|m| {
                        let variant = variant_scope.unique(naming::type_name(&m.name));
                        let strukt = type_scope.unique(format!("{rust}{variant}"));
                        (variant, strukt)
                    })
                    .collect(),
                TypeKind::Record { .. } => Vec::new(),
            };
            types.insert(t.name.as_str(), TypeInfo { rust, variants });
        }
        let mut model = Model {
            api,
            types,
            boxed: BTreeSet::new(),
        };
        model.find_recursion();
        model
    }

    /// Rust facts for the type named `name`.
    pub fn info(&self, name: &str) -> Option<&TypeInfo> {
        self.types.get(name)
    }

    /// The Rust name of type `name` (its upstream name in Rust case when TYPES.md lacks it).
    pub fn rust_name(&self, name: &str) -> String {
        self.info(name)
            .map_or_else(|| naming::type_name(name), |i| i.rust.clone())
    }

    /// Types directly (not through an array or map) contained in `ty`.
    fn inline_refs(ty: &TypeExpr, out: &mut Vec<String>) {
        match ty {
            TypeExpr::Ref { name } => out.push(name.clone()),
            TypeExpr::Optional { inner } => Self::inline_refs(inner, out),
            _ => {}
        }
    }

    fn fields_of(t: &TypeDef) -> Vec<(String, &Field)> {
        match &t.kind {
            TypeKind::Record { fields } => fields.iter().map(|f| (t.name.clone(), f)).collect(),
            TypeKind::Union { members } => members
                .iter()
                .flat_map(|m| {
                    m.fields
                        .iter()
                        .map(move |f| (format!("{}.{}", t.name, m.tag), f))
                })
                .collect(),
            TypeKind::Enum { .. } => Vec::new(),
        }
    }

    /// Boxes every inline field whose type can reach back to its owner inline.
    fn find_recursion(&mut self) {
        let mut edges: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for t in &self.api.types {
            for (_, f) in Self::fields_of(t) {
                let mut refs = Vec::new();
                Self::inline_refs(&f.ty, &mut refs);
                edges.entry(t.name.as_str()).or_default().extend(refs);
            }
        }
        let reaches = |from: &str, to: &str| -> bool {
            let mut seen = BTreeSet::new();
            let mut stack = vec![from.to_owned()];
            while let Some(n) = stack.pop() {
                if n == to {
                    return true;
                }
                if seen.insert(n.clone()) {
                    if let Some(next) = edges.get(n.as_str()) {
                        stack.extend(next.iter().cloned());
                    }
                }
            }
            false
        };
        let mut boxed = BTreeSet::new();
        for t in &self.api.types {
            for (owner, f) in Self::fields_of(t) {
                let mut refs = Vec::new();
                Self::inline_refs(&f.ty, &mut refs);
                if refs.iter().any(|r| reaches(r, &t.name)) {
                    boxed.insert((owner, f.name.clone()));
                }
            }
        }
        self.boxed = boxed;
    }

    /// Field specs for a struct: unique Rust names, boxing, representation.
    pub fn field_specs(&self, owner: &str, fields: &[Field]) -> Vec<FieldSpec> {
        let mut scope = Scope::with_reserved(STRUCT_RESERVED);
        fields
            .iter()
            .map(|f| {
                let name = scope.unique(naming::field_name(&f.name));
                FieldSpec {
                    wire: f.name.clone(),
                    ident: naming::ident(&name),
                    ty: f.ty.clone(),
                    boxed: self.boxed.contains(&(owner.to_owned(), f.name.clone())),
                    repr: repr(f.ty.strip_optional()),
                }
            })
            .collect()
    }

    /// The Rust type of `ty`, written for `module`.
    pub fn ty(&self, ty: &TypeExpr, module: Module) -> TokenStream {
        match ty {
            TypeExpr::Prim { prim } => prim_ty(*prim),
            TypeExpr::Ref { name } => {
                let ident = format_ident!("{}", self.rust_name(name));
                match module {
                    Module::Types => quote!(#ident),
                    Module::Other => quote!(super::types::#ident),
                }
            }
            TypeExpr::Array { item } => {
                let item = self.ty(item, module);
                quote!(::std::vec::Vec<#item>)
            }
            TypeExpr::Map { value, .. } => {
                let value = self.ty(value, module);
                quote!(::std::collections::BTreeMap<::std::string::String, #value>)
            }
            TypeExpr::Optional { inner } => {
                let inner = self.ty(inner, module);
                quote!(::std::option::Option<#inner>)
            }
        }
    }

    /// The Rust type of a field, boxed where needed (`Option<Box<T>>` for optional ones).
    pub fn field_ty(&self, f: &FieldSpec, module: Module) -> TokenStream {
        let present = self.ty(f.ty.strip_optional(), module);
        let present = if f.boxed {
            quote!(::std::boxed::Box<#present>)
        } else {
            present
        };
        if f.optional() {
            quote!(::std::option::Option<#present>)
        } else {
            present
        }
    }

    /// The type of the present value, unboxed.
    pub fn present_ty(&self, f: &FieldSpec, module: Module) -> TokenStream {
        self.ty(f.ty.strip_optional(), module)
    }

    /// The type definition of a reference (through `?`).
    pub fn type_def(&self, ty: &TypeExpr) -> Option<&'a TypeDef> {
        match ty.strip_optional() {
            TypeExpr::Ref { name } => self.api.type_def(name),
            _ => None,
        }
    }
}

fn repr(ty: &TypeExpr) -> Repr {
    let is_int = |t: &TypeExpr| {
        matches!(
            t,
            TypeExpr::Prim {
                prim: Prim::Int | Prim::Int64 | Prim::Word32
            }
        )
    };
    match ty {
        t if is_int(t) => Repr::Int,
        TypeExpr::Array { item } if is_int(item) => Repr::IntVec,
        _ => Repr::Plain,
    }
}

/// The Rust type of a primitive.
pub fn prim_ty(prim: Prim) -> TokenStream {
    match prim {
        Prim::Bool => quote!(bool),
        Prim::String => quote!(::std::string::String),
        Prim::Int | Prim::Int64 => quote!(i64),
        Prim::Word32 => quote!(u32),
        Prim::Double => quote!(f64),
        Prim::JsonObject => quote!(::simplex_api_types::runtime::JsonObject),
        Prim::UtcTime => quote!(::simplex_api_types::runtime::UtcTime),
    }
}
