//! `steward keys`, `steward publish` and `steward registry`: signing keys in the OS keychain,
//! publishing signed definitions, and reading, diffing, verifying and yanking what a registry
//! holds. A thin layer over `steward-signing` and `steward-registry`.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde::Serialize;
use steward_registry::{Client, RegistryError, Search};
use steward_secrets::Keychain;
use steward_signing::{KeyPair, KeyRing, SigningError};

use crate::{table, to_json, CliError, Format};

impl From<RegistryError> for CliError {
    fn from(e: RegistryError) -> Self {
        CliError { code: e.code().into(), message: e.to_string() }
    }
}

impl From<SigningError> for CliError {
    fn from(e: SigningError) -> Self {
        CliError { code: e.code().into(), message: e.to_string() }
    }
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
    product: String,
    #[arg(long)]
    reason: String,
    /// The digest of the content you mean (`sha256:…`); default: the one the registry shows
    /// for NAME@VERSION now. The action is refused for any other content.
    #[arg(long)]
    digest: Option<String>,
    #[arg(long)]
    key: Option<String>,
    #[arg(long)]
    registry: Option<String>,
}

/// `--registry`, else $STEWARD_REGISTRY.
fn client(registry: &Option<String>) -> Result<Client, CliError> {
    let url = registry.clone().or_else(|| std::env::var("STEWARD_REGISTRY").ok()).ok_or_else(|| CliError {
        code: "cli.invalid_input".into(),
        message: "no registry: pass --registry URL or set STEWARD_REGISTRY".into(),
    })?;
    Ok(Client::new(&url)?)
}

/// `--key`, else $STEWARD_KEY, else the only key of this machine.
fn signing_key(key: &Option<String>) -> Result<KeyPair, CliError> {
    let k = KeyRing::default_location().choose(key.as_deref())?;
    Ok(KeyPair::load(&k.name, &Keychain)?)
}

/// `s` safe to print on a terminal: control characters (escape sequences), bidirectional
/// overrides and invisible characters shown escaped.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if steward_registry::is_deceptive_char(c) { c.escape_default().to_string() } else { c.to_string() })
        .collect()
}

fn name_at_version(s: &str) -> Result<(String, Option<String>), CliError> {
    match s.split_once('@') {
        Some((n, v)) => Ok((n.to_string(), Some(v.to_string()))),
        None => Ok((s.to_string(), None)),
    }
}

fn need_version(s: &str) -> Result<(String, String), CliError> {
    match name_at_version(s)? {
        (n, Some(v)) => Ok((n, v)),
        _ => Err(CliError {
            code: "cli.invalid_input".into(),
            message: format!("`{s}`: name the version, NAME@VERSION"),
        }),
    }
}

pub fn keys(command: &KeysCommand, format: Format) -> Result<String, CliError> {
    let ring = KeyRing::default_location();
    let keys = match command {
        KeysCommand::Generate { name } => vec![ring.generate(name, &Keychain)?],
        KeysCommand::List => ring.list()?,
        KeysCommand::Export { name } => {
            let k = ring.get(name)?;
            return if format == Format::Json { to_json(&k) } else { Ok(format!("{}\n", k.public_key)) };
        }
    };
    if format == Format::Json {
        return to_json(&keys);
    }
    let rows: Vec<Vec<String>> =
        keys.iter().map(|k| vec![k.name.clone(), k.fingerprint.clone(), k.public_key.clone()]).collect();
    Ok(table(&["key", "fingerprint", "public key"], &rows))
}

/// Signs FILE with the steward's key and publishes it. The file itself is never changed, so a
/// refused publish loses nothing.
pub fn publish(
    file: &Path,
    registry: &Option<String>,
    key: &Option<String>,
    allow_breaking: bool,
    reason: &Option<String>,
    format: Format,
) -> Result<String, CliError> {
    let def = steward_model::load(file).map_err(|e| CliError { code: e.code().into(), message: e.to_string() })?;
    let c = client(registry)?;
    let k = signing_key(key)?;
    let out = steward_registry::publish_definition(&c, &def, &k, allow_breaking, reason.clone())
        .map_err(|e| CliError { code: e.code().into(), message: format!("{}: {e}", file.display()) })?;
    if format == Format::Json {
        return to_json(&out);
    }
    let mut t = format!(
        "published {}@{} to {} (log entry {}, {})\nsigned with `{}` ({})\n",
        out.name,
        out.version,
        c.base(),
        out.log_index,
        out.digest,
        k.name(),
        k.public().fingerprint()
    );
    if let Some(p) = &out.previous {
        t.push_str(&format!("previous version: {p}\n"));
    }
    if out.privacy_review {
        t.push_str("masking is weaker than in the previous version: flagged for privacy review\n");
    }
    Ok(t)
}

pub fn registry(command: &RegistryCommand, format: Format) -> Result<String, CliError> {
    match command {
        RegistryCommand::Serve(args) => {
            args.run()?;
            Ok(String::new())
        }
        RegistryCommand::List { registry, q, domain, owner, tag } => {
            let found = client(registry)?.search(&Search {
                text: q.clone(),
                domain: domain.clone(),
                owner: owner.clone(),
                tag: tag.clone(),
            })?;
            if format == Format::Json {
                return to_json(&found);
            }
            let rows: Vec<Vec<String>> = found
                .iter()
                .map(|p| {
                    vec![
                        clean(&p.name),
                        clean(&p.latest),
                        clean(&p.domain),
                        clean(&p.owner),
                        clean(&p.tags.join(", ")),
                        p.versions.to_string(),
                        p.deprecated.as_deref().map(|d| format!("deprecated: {}", clean(d))).unwrap_or_default(),
                    ]
                })
                .collect();
            Ok(table(&["product", "latest", "domain", "owner", "tags", "versions", ""], &rows))
        }
        RegistryCommand::Show { product, registry } => {
            let c = client(registry)?;
            match name_at_version(product)? {
                (name, None) => {
                    let versions = c.versions(&name)?;
                    if format == Format::Json {
                        return to_json(&versions);
                    }
                    let rows: Vec<Vec<String>> = versions
                        .iter()
                        .map(|v| {
                            let status = match (&v.yanked, &v.deprecated) {
                                (Some(r), _) => format!("yanked: {}", clean(r)),
                                (None, Some(r)) => format!("deprecated: {}", clean(r)),
                                _ => String::new(),
                            };
                            vec![clean(&v.version), clean(&v.published_at), clean(&v.signer), clean(&v.digest), status]
                        })
                        .collect();
                    Ok(table(&["version", "published", "signer", "digest", "status"], &rows))
                }
                (name, Some(v)) => {
                    let rec = c.version(&name, &v)?;
                    let def = steward_registry::definition_of(&rec.envelope)?;
                    if format == Format::Json {
                        #[derive(Serialize)]
                        struct Out<'a> {
                            #[serde(flatten)]
                            record: &'a steward_registry::VersionRecord,
                            definition: &'a steward_model::ProductDefinition,
                        }
                        return to_json(&Out { record: &rec, definition: &def });
                    }
                    Ok(format!(
                        "{}@{}  domain {}  owner {}\npublished {} by {}\ndigest {}{}{}\n\n{}",
                        clean(&rec.name),
                        clean(&rec.version),
                        clean(&rec.domain),
                        clean(&rec.owner),
                        clean(&rec.published_at),
                        clean(&rec.signer),
                        clean(&rec.digest),
                        rec.yanked.map(|r| format!("\nYANKED: {}", clean(&r))).unwrap_or_default(),
                        rec.deprecated.map(|r| format!("\ndeprecated: {}", clean(&r))).unwrap_or_default(),
                        steward_model::to_yaml(&def)
                    ))
                }
            }
        }
        RegistryCommand::Diff { from, to, registry } => {
            let c = client(registry)?;
            let (old, new) = match to {
                None => {
                    let draft = steward_model::load(Path::new(from))
                        .map_err(|e| CliError { code: e.code().into(), message: e.to_string() })?;
                    let latest = c.latest(&draft.metadata.name)?;
                    (steward_registry::definition_of(&latest.envelope)?, draft)
                }
                Some(to) => {
                    let (a, av) = need_version(from)?;
                    let (b, bv) = match name_at_version(to)? {
                        (n, Some(v)) => (n, v),
                        (v, None) => (a.clone(), v),
                    };
                    (
                        steward_registry::definition_of(&c.version(&a, &av)?.envelope)?,
                        steward_registry::definition_of(&c.version(&b, &bv)?.envelope)?,
                    )
                }
            };
            diff_text(&steward_model::diff(&old, &new), format)
        }
        RegistryCommand::Fetch { product, out, registry } => {
            let (name, version) = need_version(product)?;
            let b = client(registry)?.bundle(&name, &version)?;
            let text = serde_json::to_vec_pretty(&b)
                .map_err(|e| CliError { code: "cli.json".into(), message: e.to_string() })?;
            steward_workspace::write_atomic(out, &text)?;
            Ok(format!("{name}@{version}: bundle written to {} ({} log entries)\n", out.display(), b.log.len()))
        }
        RegistryCommand::Verify { bundle, admin_keys, registry_key, registry } => {
            let mut keys = admin_keys.clone();
            if keys.is_empty() {
                keys.extend(std::env::var("STEWARD_REGISTRY_ADMIN_KEY").ok());
            }
            let roots = steward_registry::read_admin_keys(&keys)?;
            // Fetched from the registry (NAME@VERSION), the client can also ask it to prove its
            // log extends the checkpoint seen before; a bundle file is checked offline only.
            let (b, online): (steward_registry::Bundle, Option<Client>) = if Path::new(bundle).is_file() {
                let text = std::fs::read_to_string(bundle)
                    .map_err(|e| CliError { code: "cli.io".into(), message: format!("{bundle}: {e}") })?;
                let b = serde_json::from_str(&text).map_err(|e| CliError {
                    code: "registry.bad_request".into(),
                    message: format!("{bundle}: not a bundle: {e}"),
                })?;
                (b, None)
            } else {
                let (name, version) = need_version(bundle)?;
                let c = client(registry)?;
                (c.bundle(&name, &version)?, Some(c))
            };
            let pinned = match registry_key.clone().or_else(|| std::env::var("STEWARD_REGISTRY_KEY").ok()) {
                Some(k) if !k.is_empty() => Some(steward_signing::PublicKey::from_text(&k)?),
                _ => None,
            };
            let v = steward_registry::verify_bundle_pinned(&b, &roots, pinned.as_ref())?;
            // What this machine saw of the registry's log before must still be there.
            let seen = steward_signing::config_dir().join("seen");
            let mut remark = steward_registry::check_seen_head(&seen, &roots, &b, &v)?;
            if let (Some(key), Some(c), Some(cp)) = (&pinned, &online, &b.checkpoint) {
                let r = steward_registry::check_seen_checkpoint(&seen, key, cp, |a, z| c.consistency(a, z))?;
                remark = remark.or(r);
            }
            if format == Format::Json {
                // The JSON answer carries what the note says, so scripts see a stale bundle too.
                let mut out = serde_json::to_value(&v)
                    .map_err(|e| CliError { code: "cli.json".into(), message: e.to_string() })?;
                if let serde_json::Value::Object(o) = &mut out {
                    o.insert("stale".into(), serde_json::json!(remark));
                }
                return to_json(&out);
            }
            if let Some(r) = &remark {
                // On standard output with the verdict, where a reader of the verdict sees it.
                println!("STALE: {}", clean(r));
            }
            if v.trust_expired {
                eprintln!("note: the newest trust policy in this bundle has expired: fetch the bundle again");
            }
            if pinned.is_none() {
                eprintln!("note: no registry key given (--registry-key): the log head was not checked against a registry checkpoint");
            }
            Ok(format!(
                "verified {}@{} ({})\nsigned by {}{} for domain `{}` under trust policy {}\naudit log: entry {} chains to entry {} ({}){}\n{}{}{}",
                clean(&v.name),
                clean(&v.version),
                v.digest,
                clean(&v.signer),
                v.signer_name.as_deref().map(|n| format!(" ({})", clean(n))).unwrap_or_default(),
                clean(&v.domain),
                v.trust_serial,
                v.log_index,
                v.head_index,
                v.head_hash,
                v.checkpoint_at.as_deref().map(|t| format!(", checkpoint signed by the registry at {}", clean(t))).unwrap_or_default(),
                if v.signer_revoked {
                    format!(
                        "REVOKED: trust policy {} no longer trusts {} for domain `{}`\n",
                        v.newest_trust_serial,
                        clean(&v.signer),
                        clean(&v.domain)
                    )
                } else {
                    String::new()
                },
                v.yanked.map(|r| format!("YANKED: {}\n", clean(&r))).unwrap_or_default(),
                v.deprecated.map(|r| format!("deprecated: {}\n", clean(&r))).unwrap_or_default(),
            ))
        }
        RegistryCommand::Yank(ActionArgs { product, reason, digest, key, registry })
        | RegistryCommand::Deprecate(ActionArgs { product, reason, digest, key, registry }) => {
            let action = if matches!(command, RegistryCommand::Yank(_)) { "yank" } else { "deprecate" };
            let (name, version) = need_version(product)?;
            let k = signing_key(key)?;
            let c = client(registry)?;
            let digest = match digest {
                Some(d) => d.clone(),
                None => c.version(&name, &version)?.digest,
            };
            let env = steward_registry::sign_action(action, &name, &version, &digest, reason, &k)?;
            let e = c.act(&env)?;
            if format == Format::Json {
                return to_json(&e);
            }
            Ok(format!("{name}@{version}: {action} recorded (log entry {})\n", e.index))
        }
        RegistryCommand::Trust { apply, admin, registry } => {
            let c = client(registry)?;
            let view = c.trust()?;
            let Some(file) = apply else {
                return match format {
                    Format::Json => to_json(&view),
                    _ => Ok(trust_text(&view)),
                };
            };
            let text = std::fs::read_to_string(file)
                .map_err(|e| CliError { code: "cli.io".into(), message: format!("{}: {e}", file.display()) })?;
            let mut doc: serde_json::Value = serde_norway::from_str(&text).map_err(|e| CliError {
                code: "cli.invalid_input".into(),
                message: format!("{}: {e}", file.display()),
            })?;
            let in_force = view.current.as_ref().map(|t| t.serial).unwrap_or(0);
            if doc.get("serial").is_none() {
                doc["serial"] = (in_force + 1).into();
            }
            // Bound to the policy it replaces, and fresh: a signed draft cannot be applied later.
            if doc.get("replaces").is_none() {
                doc["replaces"] = in_force.into();
            }
            if doc.get("issued_at").is_none() {
                doc["issued_at"] = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into();
            }
            let policy: steward_registry::TrustPolicy = serde_json::from_value(doc).map_err(|e| CliError {
                code: "cli.invalid_input".into(),
                message: format!("{}: {e}", file.display()),
            })?;
            let k = signing_key(admin)?;
            let e = c.set_trust(&steward_registry::sign_trust(&policy, &k)?)?;
            if format == Format::Json {
                return to_json(&e);
            }
            Ok(format!("trust policy {} applied (log entry {})\n", policy.serial, e.index))
        }
    }
}

fn trust_text(v: &steward_registry::TrustView) -> String {
    let mut t = format!("root admin keys: {}\n", v.roots.join(", "));
    if let Some(k) = &v.registry_key {
        t.push_str(&format!("registry key: {} (give it to `registry verify --registry-key`)\n", clean(k)));
    }
    match &v.current {
        None => t.push_str("no trust policy yet: nobody can publish\n"),
        Some(c) => {
            t.push_str(&format!("trust policy {}\n", c.serial));
            let rows: Vec<Vec<String>> = c
                .policy
                .signers
                .iter()
                .map(|s| vec![clean(&s.name), s.key.fingerprint(), clean(&s.domains.join(", "))])
                .collect();
            t.push_str(&table(&["signer", "fingerprint", "domains"], &rows));
        }
    }
    t
}

pub fn diff_text(d: &steward_model::Diff, format: Format) -> Result<String, CliError> {
    if format == Format::Json {
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            diff: &'a steward_model::Diff,
            required: steward_model::Bump,
            under_bumped: bool,
        }
        return to_json(&Out { diff: d, required: d.required(), under_bumped: d.under_bumped() });
    }
    let mut t = format!("{} {} → {}\n", d.product, d.from_version, d.to_version);
    if d.changes.is_empty() {
        t.push_str("no changes\n");
        return Ok(t);
    }
    let rows: Vec<Vec<String>> = d
        .changes
        .iter()
        .map(|c| vec![c.bump.as_str().to_string(), c.kind.clone(), c.path.clone(), c.message.clone()])
        .collect();
    t.push_str(&table(&["bump", "change", "where", "what"], &rows));
    t.push_str(&format!("\nsuggested bump: {}", d.required().as_str()));
    if d.under_bumped() {
        t.push_str(&format!(" — {} → {} is not enough", d.from_version, d.to_version));
    }
    t.push('\n');
    if d.privacy_review {
        t.push_str("masking is weaker: a privacy officer should review\n");
    }
    Ok(t)
}

/// `steward export-contract`: the ODCS v3 document of a product, as YAML (or JSON with
/// `--format json`), to standard output or a file written atomically.
pub fn export_contract(file: &Path, out: Option<&Path>, format: Format) -> Result<String, CliError> {
    let def = steward_model::load(file).map_err(|e| CliError { code: e.code().into(), message: e.to_string() })?;
    let doc = steward_model::to_odcs(&def);
    let text = if format == Format::Json {
        to_json(&doc)?
    } else {
        serde_norway::to_string(&doc).map_err(|e| CliError { code: "cli.output".into(), message: e.to_string() })?
    };
    match out {
        None => Ok(text),
        Some(path) => {
            steward_workspace::write_atomic(path, text.as_bytes())?;
            Ok(format!(
                "{}: ODCS {} contract written to {}\n",
                def.metadata.name,
                steward_model::ODCS_API_VERSION,
                path.display()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_escaped_on_print() {
        assert_eq!(super::clean("team\u{1b}]8;;https://evil\u{7}x\u{9b}"), "team\\u{1b}]8;;https://evil\\u{7}x\\u{9b}");
        assert_eq!(super::clean("Ünïcode ok"), "Ünïcode ok");
        assert_eq!(super::clean("admin\u{202e}gro"), "admin\\u{202e}gro");
    }
}
