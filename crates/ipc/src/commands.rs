//! Every desktop command, written once: its name, its arguments and what it answers. The shell
//! builds its handlers from this table (`with_commands!(…)` in `src-tauri`: a signature that
//! differs from the table does not compile) and the UI's typed calls in `ui/src/commands.ts` are
//! generated from it ([`typescript_commands`]); a test fails when they are stale.
//!
//! Types are the IPC shapes of this crate, plus `ArrowBytes` (an Arrow IPC stream: an
//! `ArrayBuffer` in the UI) and `Channel<T>` (progress or change notices the shell sends while
//! the command runs).

/// Calls `$callback!` with the table of commands: `name(arg: Type, …) -> Answer;`, each with its
/// doc comment.
#[macro_export]
macro_rules! with_commands {
    ($callback:ident) => {
        $callback! {
            /// The opened workspace and its sources.
            get_workspace() -> WorkspaceInfo;
            /// Columns, types and row count of one source.
            inspect_source(source_id: String) -> SourceInspection;
            /// The first rows of a source, as Arrow IPC bytes.
            preview_source(request: PreviewRequest) -> ArrowBytes;
            /// Adds a file after checking it reads; the workspace is unchanged when it does not.
            add_file_source(request: AddFileRequest) -> WorkspaceInfo;
            /// The sheets or tables inside a file about to be added (empty for single-table files).
            list_file_tables(path: String) -> Vec<FileTable>;
            /// Connects to a PostgreSQL server and lists the tables the user may read.
            test_postgres(request: PostgresRequest) -> PostgresProbe;
            /// Adds a PostgreSQL table; its password goes to the OS keychain, never the workspace.
            add_postgres_source(request: PostgresRequest) -> WorkspaceInfo;
            /// Profiles every column of a source, reporting progress; `cancel_scan` stops it.
            profile_source(source_id: String, scan_id: u32, on_progress: Channel<ScanProgress>) -> Vec<ColumnProfile>;
            /// Asks a running scan to stop; it ends with a `profile.cancelled` error.
            cancel_scan(scan_id: u32) -> bool;
            /// Sensitive-data suggestions for every column of a source, with the saved decisions.
            classify_source(source_id: String) -> Vec<ColumnClassification>;
            /// Accepts or rejects a suggestion; saved in the workspace manifest.
            decide_classification(request: DecisionRequest) -> Vec<ColumnClassification>;
            /// Keeps a column as text though its values read as ISO-8601 dates, or reads it as
            /// dates again; saved in the workspace manifest.
            keep_text(request: KeepTextRequest) -> WorkspaceInfo;
            /// Join-key suggestions across every source of the workspace, reporting progress;
            /// `cancel_scan` stops it. Kept until a source or the workspace changes.
            discover_relations(scan_id: u32, on_progress: Channel<ScanProgress>) -> RelationsReport;
            /// The product definitions of the workspace.
            list_products() -> Vec<ProductSummary>;
            /// Validates a product against its sources and data.
            validate_product(product_id: String) -> Vec<ModelIssue>;
            /// Validates an edit of a product against its sources and data before it is saved
            /// (a join the data contradicts is shown with its numbers); nothing is written.
            check_draft(request: CheckDraftRequest) -> Vec<ModelIssue>;
            /// A page of the product table, or one entity's rows of one table, as Arrow IPC bytes.
            product_rows(request: ProductRowsRequest) -> ArrowBytes;
            /// The product's quality rules evaluated on its assembled tables.
            product_quality(product_id: String) -> Vec<QualityResult>;
            /// Opens a product definition for the modeller, with its revision and canvas layout.
            open_product(product_id: String) -> ProductDocument;
            /// Saves an edit atomically; `model.conflict` when the file changed outside.
            save_product(request: SaveProductRequest) -> SavedProduct;
            /// Saves where the modeller's nodes are.
            save_layout(request: SaveLayoutRequest) -> ();
            /// Creates a product over one root source and opens it.
            create_product(request: CreateProductRequest) -> ProductDocument;
            /// Reports whenever a definition file is added, edited or removed on disk.
            watch_products(on_change: Channel<ProductsChanged>) -> ();
            /// One column profiled over all its rows: of a source, or of a product's table.
            profile_column(request: ColumnProfileRequest) -> ColumnProfile;
            /// Masks the product with a profile and measures it.
            privacy_report(request: PrivacyRequest) -> PrivacyReport;
            /// The first rows of one table, masked, or original for revealed columns, as Arrow IPC bytes.
            masked_rows(request: MaskedRowsRequest) -> ArrowBytes;
            /// The originals of values masked with a reversible rule, for a holder of the key.
            privacy_reveal(request: RevealRequest) -> Vec<String>;
            /// The registry URL and the signing key in use.
            registry_info() -> RegistryInfo;
            /// Makes a signing key (secret in the OS keychain) and signs with it from now on.
            generate_signing_key(name: String) -> RegistryInfo;
            /// Products of the registry, filtered.
            registry_search(request: RegistrySearchRequest) -> Vec<RegistryProduct>;
            /// Versions of one product.
            registry_versions(name: String) -> Vec<RegistryVersion>;
            /// The local draft of a product against its latest published version.
            registry_diff(product_id: String) -> DraftDiffInfo;
            /// Measures the product (validation, quality, privacy) and checks it against the
            /// registry's central policy, without signing or sending anything.
            registry_check(product_id: String) -> PublishCheck;
            /// Signs the product's definition and its evidence with the steward's key and publishes them.
            registry_publish(request: PublishProductRequest) -> PublishedInfo;
            /// The evidence and any override a published version carries.
            registry_evidence(request: VersionRequest) -> VersionEvidence;
            /// The grants of a product: who may read it from a data node, under which profile.
            registry_grants(product: String) -> Vec<GrantInfo>;
            /// Signs a grant with the steward's key and records it in the registry.
            registry_grant(request: AddGrantRequest) -> GrantInfo;
            /// Signs the revocation of a grant and records it.
            registry_revoke_grant(request: RevokeGrantRequest) -> ();
            /// The newest accesses to a product, from the data node in the settings (for its
            /// owners: the steward's key needs an `unmasked` grant).
            node_accesses(product: String) -> Vec<AccessInfo>;
            /// The steward's settings: the registry saved and the one in use.
            settings_info() -> SettingsInfo;
            /// Saves the settings in the user's config folder and uses the registry from now on.
            save_settings(request: SaveSettingsRequest) -> SettingsInfo;
            /// Reaches a registry: its key and how many products it holds.
            check_registry(url: String) -> RegistryCheckInfo;
        }
    };
}

/// The table's name for an Arrow IPC stream (an `ArrayBuffer` in the UI); the shell maps it to
/// its own byte response.
pub struct ArrowBytes;

/// The table's name for a channel the shell sends `T`s over while a command runs.
pub struct Channel<T>(std::marker::PhantomData<T>);

impl ts_rs::TS for ArrowBytes {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;
    fn name(_: &ts_rs::Config) -> String {
        "ArrayBuffer".into()
    }
    fn inline(cfg: &ts_rs::Config) -> String {
        Self::name(cfg)
    }
}

impl<T: ts_rs::TS + 'static> ts_rs::TS for Channel<T> {
    type WithoutGenerics = Channel<ts_rs::Dummy>;
    type OptionInnerType = Self;
    fn name(cfg: &ts_rs::Config) -> String {
        format!("Channel<{}>", T::name(cfg))
    }
    fn inline(cfg: &ts_rs::Config) -> String {
        Self::name(cfg)
    }
    fn visit_generics(v: &mut impl ts_rs::TypeVisitor) {
        v.visit::<T>();
    }
}

/// One command of the table, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSig {
    pub name: &'static str,
    pub doc: &'static str,
    /// (name, Rust type) of each argument.
    pub args: Vec<(&'static str, &'static str)>,
    pub answer: &'static str,
}

macro_rules! signatures {
    ($($(#[doc = $doc:literal])* $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        vec![$(CommandSig {
            name: stringify!($name),
            doc: concat!($($doc),*),
            args: vec![$((stringify!($arg), stringify!($ty))),*],
            answer: stringify!($ret),
        }),*]
    };
}

/// The table, as text.
pub fn commands() -> Vec<CommandSig> {
    with_commands!(signatures)
}

/// `snake_case` → `camelCase`, as Tauri names arguments on the JavaScript side.
fn camel(s: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in s.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The TypeScript of a table type, and the binding types it names.
fn ts_type(rust: &str, named: &mut std::collections::BTreeSet<String>) -> String {
    let t: String = rust.chars().filter(|c| !c.is_whitespace()).collect();
    let inner = |prefix: &str| t.strip_prefix(prefix).and_then(|r| r.strip_suffix('>')).map(str::to_string);
    if let Some(i) = inner("Vec<") {
        let x = ts_type(&i, named);
        return if x.contains(' ') { format!("({x})[]") } else { format!("{x}[]") };
    }
    if let Some(i) = inner("Option<") {
        return format!("{} | null", ts_type(&i, named));
    }
    if let Some(i) = inner("Channel<") {
        return format!("Channel<{}>", ts_type(&i, named));
    }
    match t.as_str() {
        "String" => "string".into(),
        "u32" | "u64" | "i64" | "f64" => "number".into(),
        "bool" => "boolean".into(),
        "()" => "null".into(),
        "ArrowBytes" => "ArrayBuffer".into(),
        other => {
            named.insert(other.to_string());
            other.to_string()
        }
    }
}

/// `ui/src/commands.ts`: one typed function per command, sending it through `call`.
pub fn typescript_commands() -> String {
    let mut named = std::collections::BTreeSet::new();
    let mut body = String::new();
    for c in commands() {
        let params: Vec<String> =
            c.args.iter().map(|(a, t)| format!("{}: {}", camel(a), ts_type(t, &mut named))).collect();
        let answer = ts_type(c.answer, &mut named);
        let args = if c.args.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = c.args.iter().map(|(a, _)| camel(a)).collect();
            format!(", {{ {} }}", names.join(", "))
        };
        let doc = c.doc.trim();
        body.push_str(&format!(
            "    /** {doc} */\n    {}: ({}) => call<{answer}>(\"{}\"{args}),\n",
            camel(c.name),
            params.join(", "),
            c.name
        ));
    }
    let imports: Vec<String> = named.into_iter().collect();
    format!(
        "// Generated from crates/ipc (the command table) by `make bindings`. Do not edit: a test fails when this is stale.\n\
         import type {{ Channel }} from \"@tauri-apps/api/core\";\n\
         import type {{ {} }} from \"./bindings\";\n\n\
         /** Sends one command: its name and arguments, answered with `T` or rejected with an `IpcError`. */\n\
         export type Call = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;\n\n\
         /** Every command of the desktop shell, typed. */\n\
         export function commands(call: Call) {{\n  return {{\n{body}  }};\n}}\n",
        imports.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_arguments_camel_cased() {
        let cs = commands();
        let mut names: Vec<&str> = cs.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), cs.len());
        assert_eq!(camel("on_progress"), "onProgress");
        let mut named = Default::default();
        assert_eq!(ts_type("Vec < ColumnProfile >", &mut named), "ColumnProfile[]");
        assert_eq!(ts_type("Channel<ScanProgress>", &mut named), "Channel<ScanProgress>");
        assert_eq!(ts_type("()", &mut named), "null");
        assert!(cs.iter().all(|c| !c.doc.trim().is_empty()), "every command says what it does");
    }

    #[test]
    fn every_type_the_commands_name_is_in_the_bindings() {
        let bindings = crate::typescript_bindings();
        let mut named = std::collections::BTreeSet::new();
        for c in commands() {
            for (_, t) in &c.args {
                ts_type(t, &mut named);
            }
            ts_type(c.answer, &mut named);
        }
        for n in named {
            assert!(bindings.contains(&format!("export type {n} ")), "{n} is not in the bindings");
        }
    }

    #[test]
    fn typescript_commands_are_fresh() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/commands.ts");
        let want = typescript_commands();
        if std::env::var_os("STEWARD_UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(have == want, "ui/src/commands.ts is stale: run `make bindings` and commit the result");
    }
}
