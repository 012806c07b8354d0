//! The command line's arguments: every command, flag and its help text, and nothing else.
//! Parsing is clap's; what each command does is in `commands`, how answers print in `render`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

mod grants;
mod node;
pub use grants::GrantsCommand;
pub use node::{ConsumeArgs, NodeCommand};

#[derive(Parser, Debug)]
#[command(name = "steward", version, about = "Steward: model, preview, protect and publish entity-based data products")]
pub struct Cli {
    /// Output for people (`table`) or for scripts (`json`).
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    /// `preview` and `export` only.
    Csv,
    /// `export` only.
    Parquet,
    /// `export` only.
    Ndjson,
    /// `export` only.
    Sqlite,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Show the assembled product: the 360 view of one entity (--entity), or the first entities
    /// of the product table.
    Preview {
        file: PathBuf,
        /// Instance key of one entity (one value per key field, comma-separated).
        #[arg(long)]
        entity: Option<String>,
        /// Entities to show from the product table.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Entities to skip first.
        #[arg(long, default_value_t = 0)]
        offset: u32,
        /// Evaluate the product's quality rules instead: violations per rule, with samples.
        #[arg(long)]
        quality: bool,
        /// Show the product masked with this masking profile (`--entity` takes the original key).
        #[arg(long)]
        profile: Option<String>,
        #[arg(long, short)]
        workspace: Option<PathBuf>,
    },
    /// Export the product (or chosen entities): --format parquet|csv|ndjson|sqlite.
    Export {
        file: PathBuf,
        /// Folder to write into (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Export only these entities (repeatable; one value per key field, comma-separated).
        #[arg(long)]
        entity: Vec<String>,
        #[arg(long, short)]
        workspace: Option<PathBuf>,
        /// Entities per pass. By default the product is written in one pass when it fits in a
        /// third of available memory, and in key ranges sized to fit otherwise.
        #[arg(long)]
        batch_entities: Option<u32>,
        /// Export the product masked with this masking profile.
        #[arg(long)]
        profile: Option<String>,
    },
    /// Signing keys: the secret in the OS keychain, the public key to share.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Sign a product definition with your key and publish it to a registry. The local file is
    /// never changed: a refused publish loses nothing.
    Publish {
        file: PathBuf,
        /// Registry URL (default: $STEWARD_REGISTRY, else the registry saved in the app's Settings).
        #[arg(long)]
        registry: Option<String>,
        /// Signing key name (default: $STEWARD_KEY, or the only key of this machine).
        #[arg(long)]
        key: Option<String>,
        /// Publish a breaking change without a major bump; needs --reason, recorded in the audit log.
        #[arg(long, requires = "reason")]
        allow_breaking: bool,
        #[arg(long)]
        reason: Option<String>,
        /// The workspace whose data the evidence is measured on (default: the one holding FILE).
        #[arg(long, short = 'w')]
        workspace: Option<PathBuf>,
        /// Publish without measuring the product: refused where the central policy asks for evidence.
        #[arg(long, conflicts_with = "dry_run")]
        without_evidence: bool,
        /// A privacy officer's signed override of the central policy (written by `steward registry waive`).
        #[arg(long)]
        waiver: Option<PathBuf>,
        /// Measure and check against the central policy only: nothing is signed or sent.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the product as an Open Data Contract Standard (ODCS v3) YAML document: schema,
    /// keys and relationships, quality rules, owner, domain, version.
    ExportContract {
        file: PathBuf,
        /// Write to this file (atomically) instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The shared registry: serve, list, show, diff, verify, yank, trust.
    Registry {
        #[command(subcommand)]
        command: RegistryCommand,
    },
    /// Grants: which consumer key may read which product from a data node, under which profile.
    Grants {
        #[command(subcommand)]
        command: GrantsCommand,
    },
    /// A domain's data node: serve published products to consumers, check its access log.
    Node {
        #[command(subcommand)]
        command: NodeCommand,
    },
    /// Read a product from a data node, signed with your consumer key: one entity, a page, or
    /// the whole product (Arrow or Parquet).
    Consume(ConsumeArgs),
    /// Masking profiles: check what leaves, rotate keys.
    Privacy {
        #[command(subcommand)]
        command: PrivacyCommand,
    },
    /// Work with data product definitions.
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
    /// Create or describe a workspace: the folder of a steward's sources and products.
    Workspace {
        #[command(subcommand)]
        command: WorkspaceCommand,
    },
    /// Work with the sources of a workspace, or with any data file.
    Sources {
        #[command(subcommand)]
        command: SourcesCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum WorkspaceCommand {
    /// Make DIR (default: the current folder) a Steward workspace: a steward.yaml listing no
    /// sources yet. An existing workspace is never replaced.
    Init {
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The workspace's name (default: the folder's name).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ModelCommand {
    /// Start a product over one root source: `products/<ID>.yaml` with the source's columns and
    /// its instance key, ready to model further (what the desktop's New product dialog does).
    New {
        /// The root source's id.
        #[arg(long)]
        root: String,
        /// Column(s) of the root source identifying one entity (repeatable, or comma-separated).
        #[arg(long, value_delimiter = ',', required = true)]
        key: Vec<String>,
        /// Product id (default: the root source's id).
        #[arg(long)]
        name: Option<String>,
        /// The entity's business name (default: from the source's id).
        #[arg(long)]
        entity: Option<String>,
        /// Who answers for the product (default: the workspace's name).
        #[arg(long)]
        owner: Option<String>,
        #[arg(long, short, default_value = ".")]
        workspace: PathBuf,
    },
    /// Check a product definition: its structure, then its sources, columns, types, keys and data.
    /// Exits non-zero when there is an error (warnings alone pass).
    Validate {
        file: PathBuf,
        /// Workspace folder (default: the nearest folder above FILE holding steward.yaml).
        #[arg(long, short)]
        workspace: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum PrivacyCommand {
    /// Mask the product with a profile and measure it: masked fields and their rules, original
    /// values that survive, collisions of remapped keys, re-identification risk. Exits non-zero
    /// when the profile's thresholds (max_leaks, min_k, min_l) are broken, so it can gate CI.
    Check {
        file: PathBuf,
        #[arg(long)]
        profile: String,
        /// Quasi-identifiers (entity fields), comma-separated; default: the profile's.
        #[arg(long, value_delimiter = ',')]
        quasi: Option<Vec<String>>,
        /// Sensitive attribute for l-diversity; default: the profile's.
        #[arg(long)]
        sensitive: Option<String>,
        #[arg(long, short)]
        workspace: Option<PathBuf>,
    },
    /// Give back the originals of values masked with a reversible rule (fpe), for holders of the
    /// profile's masking key in their OS keychain. Values come as arguments or, one per line, on
    /// standard input.
    Reveal {
        file: PathBuf,
        #[arg(long)]
        profile: String,
        /// The masked field: `card_number` (entity) or `orders.card`.
        #[arg(long)]
        field: String,
        /// The key version the values were masked with (default: the profile's current one).
        #[arg(long)]
        key_version: Option<u32>,
        values: Vec<String>,
        #[arg(long, short)]
        workspace: Option<PathBuf>,
    },
    /// Give a profile a new masking key (in the OS keychain) and a new key version in the
    /// definition: every masked value changes.
    RotateKey {
        file: PathBuf,
        #[arg(long)]
        profile: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum SourcesCommand {
    /// Add a file, or a PostgreSQL table (postgres://user@host:port/database[?sslmode=verify-full&sslrootcert=ca.pem]), to the workspace
    /// after checking that it reads. A database password is read from stdin and stored in the
    /// OS keychain; the workspace keeps only a reference to it.
    Add {
        path: PathBuf,
        /// Read the database password from standard input (never put it in the URL).
        #[arg(long)]
        password_stdin: bool,
        /// Workspace folder (default: the current folder).
        #[arg(long, short, default_value = ".")]
        workspace: PathBuf,
        /// Source id (default: from the file name).
        #[arg(long)]
        id: Option<String>,
        /// Display name (default: from the file name).
        #[arg(long)]
        name: Option<String>,
        /// The system of record it comes from (CRM, billing…).
        #[arg(long)]
        system: Option<String>,
        /// Sheet of a workbook, or table/view of a SQLite database.
        #[arg(long, alias = "sheet")]
        table: Option<String>,
        /// 1-based sheet row holding the column names.
        #[arg(long)]
        header_row: Option<u32>,
        /// Text columns to keep as text, though every value reads as an ISO-8601 date
        /// (SQLite, Excel and JSON lines; comma-separated).
        #[arg(long, value_delimiter = ',')]
        keep_text: Vec<String>,
    },
    /// Keep a column as text though its values read as ISO-8601 dates (SQLite, Excel, CSV and
    /// JSON lines), or read it as dates again with --dates. Saved in steward.yaml (`keep_text`).
    KeepText {
        /// The source's id.
        source: String,
        /// The column.
        column: String,
        /// Read the column as dates again.
        #[arg(long)]
        dates: bool,
        #[arg(long, short, default_value = ".")]
        workspace: PathBuf,
    },
    /// List the sources of a workspace.
    List {
        /// Workspace folder (default: the current folder).
        #[arg(long, short, default_value = ".")]
        workspace: PathBuf,
    },
    /// Print a file's columns, inferred types and row count. TARGET is a file path, or the id of
    /// a source in the workspace.
    Inspect {
        target: String,
        /// Workspace folder used to resolve source ids (default: the current folder).
        #[arg(long, short, default_value = ".")]
        workspace: PathBuf,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Profile every column: nulls, distinct values, range, top values, histogram.
    Profile {
        target: String,
        #[arg(long, short, default_value = ".")]
        workspace: PathBuf,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Suggest which columns hold personal data, with confidence and evidence. For a workspace
    /// source, --accept and --reject save the steward's decisions.
    Classify {
        target: String,
        #[arg(long, short, default_value = ".")]
        workspace: PathBuf,
        /// Accept a suggestion: COLUMN=TAG (repeatable).
        #[arg(long, value_name = "COLUMN=TAG")]
        accept: Vec<String>,
        /// Reject a suggestion: COLUMN=TAG (repeatable).
        #[arg(long, value_name = "COLUMN=TAG")]
        reject: Vec<String>,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Suggest join keys between the workspace's sources, with inclusion, cardinality and orphans.
    Relations {
        #[arg(long, short, default_value = ".")]
        workspace: PathBuf,
    },
}

/// How to read a file, when detection is not what the steward wants.
#[derive(clap::Args, Debug, Default)]
pub struct ReadArgs {
    /// Sheet of a workbook, or table/view of a SQLite database.
    #[arg(long, alias = "sheet")]
    pub table: Option<String>,
    /// 1-based sheet row holding the column names.
    #[arg(long)]
    pub header_row: Option<u32>,
    /// Field delimiter of a text file (detected by default).
    #[arg(long)]
    pub delimiter: Option<char>,
    /// Read a text file whose first row is data, not column names.
    #[arg(long)]
    pub no_header: bool,
    /// Read rows with too many or too few fields instead of refusing the file.
    #[arg(long)]
    pub allow_ragged: bool,
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Make a signing key: the secret goes into the OS keychain, the public key into
    /// ~/.config/steward/keys (or $STEWARD_CONFIG_DIR/keys).
    Generate { name: String },
    /// The signing keys of this machine, with their fingerprints.
    List,
    /// Print a public key (`ed25519:…`) to give to a registry admin.
    Export { name: String },
}

#[derive(Subcommand, Debug)]
pub enum RegistryCommand {
    /// Serve a registry (SQLite file or postgres:// URL).
    Serve(steward_registry::ServeArgs),
    /// Products in the registry (latest versions), optionally filtered.
    List {
        #[arg(long)]
        registry: Option<String>,
        /// Text anywhere in name, description, tags, domain or owner.
        #[arg(long)]
        q: Option<String>,
        #[arg(long)]
        domain: Option<String>,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        tag: Option<String>,
    },
    /// One product: its versions, or one version (NAME@VERSION) with its definition.
    Show {
        product: String,
        #[arg(long)]
        registry: Option<String>,
    },
    /// Semantic diff: a local draft FILE against the latest published version, or NAME@A NAME@B.
    Diff {
        from: String,
        to: Option<String>,
        #[arg(long)]
        registry: Option<String>,
    },
    /// Verify a bundle offline (a file from `registry fetch`), or NAME@VERSION fetched first.
    Verify {
        bundle: String,
        /// The registry's root admin key (`ed25519:…` or a file); default $STEWARD_REGISTRY_ADMIN_KEY.
        #[arg(long = "admin-key")]
        admin_keys: Vec<String>,
        /// The registry's own key (`ed25519:…`, shown by `registry trust`); default
        /// $STEWARD_REGISTRY_KEY. When given, the bundle's log head must carry a checkpoint
        /// signed by it.
        #[arg(long = "registry-key")]
        registry_key: Option<String>,
        #[arg(long)]
        registry: Option<String>,
        /// Refuse a version whose signed evidence falls short: `k>=5,leaks=0,uncovered=0,quality>=95,errors=0`.
        #[arg(long)]
        require: Option<String>,
    },
    /// As a privacy officer, sign an override of the central policy for FILE's definition as it
    /// is now; the steward publishes with `--waiver OUT`.
    Waive {
        file: PathBuf,
        /// Why the policy may be missed: recorded in the audit log.
        #[arg(long)]
        reason: String,
        /// Each requirement waived, as the refused publish named it (`min_k[analytics]`).
        #[arg(long = "waive", required = true)]
        waives: Vec<String>,
        #[arg(long)]
        out: PathBuf,
        /// The officer's key name (default: $STEWARD_KEY, or the only key of this machine).
        #[arg(long)]
        key: Option<String>,
    },
    /// Download NAME@VERSION as a bundle for offline verification.
    Fetch {
        product: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        registry: Option<String>,
    },
    /// Yank NAME@VERSION: hidden from latest and search, never deleted.
    Yank(ActionArgs),
    /// Deprecate NAME@VERSION.
    Deprecate(ActionArgs),
    /// Show the trust policy, or sign and apply a new one (`--apply FILE` with an admin key).
    Trust {
        /// A policy (JSON or YAML): signers with name, key, domains; admins. `serial` defaults to
        /// the current one + 1.
        #[arg(long)]
        apply: Option<PathBuf>,
        /// The admin key (by name) that signs it.
        #[arg(long)]
        admin: Option<String>,
        #[arg(long)]
        registry: Option<String>,
    },
}

/// A signed change of a published version's status.
#[derive(clap::Args, Debug)]
pub struct ActionArgs {
    /// NAME@VERSION
    pub product: String,
    #[arg(long)]
    pub reason: String,
    /// The digest of the content you mean (`sha256:…`); default: the one the registry shows
    /// for NAME@VERSION now. The action is refused for any other content.
    #[arg(long)]
    pub digest: Option<String>,
    #[arg(long)]
    pub key: Option<String>,
    #[arg(long)]
    pub registry: Option<String>,
}
