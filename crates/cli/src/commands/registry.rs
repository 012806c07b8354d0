//! `steward keys`, `steward publish` and `steward registry`: signing keys in the OS keychain,
//! publishing signed definitions, and reading, diffing, verifying and yanking what a registry
//! holds. A thin layer over `steward-signing` and `steward-registry`.

use std::path::Path;
use steward_app::ErrorCode;

use serde::Serialize;
use steward_app::model::{Diff, ProductDefinition};
use steward_app::registry::{self, BundleSource, RegistryConfig, StatusAction};
use steward_app::registry::{Search, TrustView, VersionRecord};

use super::evidence::{evidence_text, requirements_count, requirements_text, shortfalls_text, waived_text};
use crate::args::{ActionArgs, Format, KeysCommand, RegistryCommand};
use crate::render::*;
use crate::CliError;

/// `--registry`/`--key`, else what the environment says.
pub(super) fn config(registry: &Option<String>, key: &Option<String>) -> RegistryConfig {
    RegistryConfig {
        url: registry
            .clone()
            .or_else(|| std::env::var("STEWARD_REGISTRY").ok())
            .or_else(|| steward_app::load_settings().ok().and_then(|s| s.registry)),
        key: key.clone().or_else(|| std::env::var("STEWARD_KEY").ok()).filter(|k| !k.is_empty()),
    }
}

fn name_at_version(s: &str) -> (String, Option<String>) {
    match s.split_once('@') {
        Some((n, v)) => (n.to_string(), Some(v.to_string())),
        None => (s.to_string(), None),
    }
}

fn need_version(s: &str) -> Result<(String, String), CliError> {
    match name_at_version(s) {
        (n, Some(v)) => Ok((n, v)),
        _ => Err(CliError {
            code: "cli.invalid_input".into(),
            message: format!("`{s}`: name the version, NAME@VERSION"),
        }),
    }
}

pub fn keys(command: &KeysCommand, format: Format) -> Result<String, CliError> {
    let keys = match command {
        KeysCommand::Generate { name } => vec![registry::generate_key(name)?],
        KeysCommand::List => registry::list_keys()?,
        KeysCommand::Export { name } => {
            let k = registry::key(name)?;
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
    choices: &registry::PublishChoices,
    dry_run: bool,
    format: Format,
) -> Result<String, CliError> {
    if dry_run {
        let check = registry::check_publish_file(file, &config(registry, key), choices)?;
        let t = format!(
            "{}{}{}",
            shortfalls_text(&check.shortfalls),
            waived_text(&check.waived, check.officer.as_deref()),
            evidence_text(&check.evidence)
        );
        // The dry run fails as the publish would, in every format, so a pipeline can gate on it:
        // in JSON the judgement still goes to stdout, the error to stderr.
        if !check.shortfalls.is_empty() {
            let message = if format == Format::Json {
                print!("{}", to_json(&check)?);
                format!("the draft misses the central policy of its domain ({})", requirements_count(&check.shortfalls))
            } else {
                format!("the draft {}", t.trim_end())
            };
            return Err(CliError { code: "registry.policy".into(), message });
        }
        return if format == Format::Json { to_json(&check) } else { Ok(t) };
    }
    let done = registry::publish_file(file, &config(registry, key), choices)?;
    let out = &done.published;
    if format == Format::Json {
        return to_json(out);
    }
    let mut t = format!(
        "published {}@{} to {} (log entry {}, {})\nsigned with `{}` ({})\n",
        out.name, out.version, done.registry, out.log_index, out.digest, done.key.name, done.key.fingerprint
    );
    if let Some(p) = &out.previous {
        t.push_str(&format!("previous version: {p}\n"));
    }
    if out.privacy_review {
        t.push_str("masking is weaker than in the previous version: flagged for privacy review\n");
    }
    if let Some(w) = &choices.waiver {
        t.push_str(&format!(
            "published under the officer's override in {} (its officer and reason are in the audit log)\n",
            w.display()
        ));
    }
    match &done.evidence {
        Some(e) => t.push_str(&evidence_text(e)),
        None => t.push_str("published without evidence\n"),
    }
    Ok(t)
}

pub fn run(command: &RegistryCommand, format: Format) -> Result<String, CliError> {
    match command {
        RegistryCommand::Serve(args) => {
            args.run().map_err(|e| CliError { code: e.code().into(), message: e.to_string() })?;
            Ok(String::new())
        }
        RegistryCommand::List { registry, q, domain, owner, tag } => {
            let found = registry::search(
                &config(registry, &None),
                &Search { text: q.clone(), domain: domain.clone(), owner: owner.clone(), tag: tag.clone() },
            )?;
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
            let cfg = config(registry, &None);
            match name_at_version(product) {
                (name, None) => {
                    let versions = registry::versions(&cfg, &name)?;
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
                    let (def, rec) = registry::published_version(&cfg, &name, &v)?;
                    let (evidence, waiver) = registry::published_evidence(&cfg, &name, &v)?;
                    if format == Format::Json {
                        #[derive(Serialize)]
                        struct Out<'a> {
                            #[serde(flatten)]
                            record: &'a VersionRecord,
                            definition: &'a ProductDefinition,
                            evidence: &'a Option<registry::Evidence>,
                            #[serde(rename = "override")]
                            waiver: &'a Option<registry::Override>,
                        }
                        return to_json(&Out { record: &rec, definition: &def, evidence: &evidence, waiver: &waiver });
                    }
                    let evidence = match (&evidence, &waiver) {
                        (None, _) => "no evidence was published with it\n".to_string(),
                        (Some(e), w) => {
                            evidence_text(e)
                                + &w.as_ref()
                                    .map(|w| {
                                        format!(
                                            "published under a policy override: {} (waived: {})\n",
                                            clean(&w.reason),
                                            w.waives.iter().map(|x| clean(x)).collect::<Vec<_>>().join(", ")
                                        )
                                    })
                                    .unwrap_or_default()
                        }
                    };
                    Ok(format!(
                        "{}@{}  domain {}  owner {}\npublished {} by {}\ndigest {}{}{}\n{evidence}\n{}",
                        clean(&rec.name),
                        clean(&rec.version),
                        clean(&rec.domain),
                        clean(&rec.owner),
                        clean(&rec.published_at),
                        clean(&rec.signer),
                        clean(&rec.digest),
                        rec.yanked.map(|r| format!("\nYANKED: {}", clean(&r))).unwrap_or_default(),
                        rec.deprecated.map(|r| format!("\ndeprecated: {}", clean(&r))).unwrap_or_default(),
                        steward_app::definition_yaml(&def)
                    ))
                }
            }
        }
        RegistryCommand::Diff { from, to, registry } => {
            let cfg = config(registry, &None);
            let diff = match to {
                None => {
                    let (draft, diff) = registry::draft_diff_file(Path::new(from), &cfg)?;
                    diff.ok_or_else(|| CliError {
                        code: "registry.not_found".into(),
                        message: format!("{}: nothing is published under `{}` yet", from, draft.metadata.name),
                    })?
                }
                Some(to) => {
                    let (a, av) = need_version(from)?;
                    let (b, bv) = match name_at_version(to) {
                        (n, Some(v)) => (n, v),
                        (v, None) => (a.clone(), v),
                    };
                    registry::diff_versions(&cfg, (&a, &av), (&b, &bv))?
                }
            };
            diff_text(&diff, format)
        }
        RegistryCommand::Fetch { product, out, registry } => {
            let (name, version) = need_version(product)?;
            let b = registry::fetch_bundle(&config(registry, &None), &name, &version, out)?;
            Ok(format!("{name}@{version}: bundle written to {} ({} log entries)\n", out.display(), b.log.len()))
        }
        RegistryCommand::Waive { file, reason, waives, out, key } => {
            let o = registry::waive_file(file, &config(&None, key), reason, waives, out)?;
            if format == Format::Json {
                return to_json(&o);
            }
            Ok(format!(
                "override of {} for {}@{} ({}) written to {}: give it to the steward (`steward publish --waiver`)\n",
                o.waives.join(", "),
                o.name,
                o.version,
                o.digest,
                out.display()
            ))
        }
        RegistryCommand::Verify { bundle, admin_keys, registry_key, registry, require } => {
            let mut keys = admin_keys.clone();
            if keys.is_empty() {
                keys.extend(std::env::var("STEWARD_REGISTRY_ADMIN_KEY").ok());
            }
            let registry_key = registry_key.clone().or_else(|| std::env::var("STEWARD_REGISTRY_KEY").ok());
            let cfg = config(registry, &None);
            let named;
            // Fetched from the registry (NAME@VERSION), the registry must also prove its log
            // extends the checkpoint seen before; a bundle file is checked offline only.
            let source = if Path::new(bundle).is_file() {
                BundleSource::File(Path::new(bundle))
            } else {
                named = need_version(bundle)?;
                BundleSource::Registry { config: &cfg, name: &named.0, version: &named.1 }
            };
            let checked = registry::verify(source, &keys, registry_key.as_deref())?;
            if let Some(spec) = require {
                let missing = registry::require(&checked.verified, spec)?;
                if !missing.is_empty() {
                    return Err(CliError {
                        code: "registry.policy".into(),
                        message: format!(
                            "{}@{} is signed and intact, but its evidence falls short of --require {spec}:\n{}",
                            clean(&checked.verified.name),
                            clean(&checked.verified.version),
                            shortfalls_text(&missing).lines().skip(1).collect::<Vec<_>>().join("\n")
                        ),
                    });
                }
            }
            verify_text(&checked, format)
        }
        RegistryCommand::Yank(ActionArgs { product, reason, digest, key, registry })
        | RegistryCommand::Deprecate(ActionArgs { product, reason, digest, key, registry }) => {
            let action =
                if matches!(command, RegistryCommand::Yank(_)) { StatusAction::Yank } else { StatusAction::Deprecate };
            let (name, version) = need_version(product)?;
            let e =
                registry::change_status(&config(registry, key), action, &name, &version, digest.as_deref(), reason)?;
            if format == Format::Json {
                return to_json(&e);
            }
            Ok(format!("{name}@{version}: {} recorded (log entry {})\n", action.as_str(), e.index))
        }
        RegistryCommand::Trust { apply, admin, registry } => {
            let cfg = config(registry, admin);
            let Some(file) = apply else {
                let view = registry::trust_view(&cfg)?;
                return match format {
                    Format::Json => to_json(&view),
                    _ => Ok(trust_text(&view)),
                };
            };
            let (policy, e) = registry::apply_trust(&cfg, file)?;
            if format == Format::Json {
                return to_json(&e);
            }
            Ok(format!("trust policy {} applied (log entry {})\n", policy.serial, e.index))
        }
    }
}

fn verify_text(checked: &registry::Verification, format: Format) -> Result<String, CliError> {
    let (v, remark) = (&checked.verified, &checked.stale);
    if format == Format::Json {
        // The JSON answer carries what the note says, so scripts see a stale bundle too.
        let mut out =
            serde_json::to_value(v).map_err(|e| CliError { code: "cli.json".into(), message: e.to_string() })?;
        if let serde_json::Value::Object(o) = &mut out {
            o.insert("stale".into(), serde_json::json!(remark));
        }
        return to_json(&out);
    }
    if let Some(r) = remark {
        // On standard output with the verdict, where a reader of the verdict sees it.
        println!("STALE: {}", clean(r));
    }
    if v.trust_expired {
        eprintln!("note: the newest trust policy in this bundle has expired: fetch the bundle again");
    }
    if !checked.pinned {
        eprintln!(
            "note: no registry key given (--registry-key): the log head was not checked against a registry checkpoint"
        );
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
        v.yanked.as_ref().map(|r| format!("YANKED: {}\n", clean(r))).unwrap_or_default(),
        v.deprecated.as_ref().map(|r| format!("deprecated: {}\n", clean(r))).unwrap_or_default(),
    ) + &match (&v.evidence, &v.waiver) {
        (None, _) => "no evidence was published with it\n".to_string(),
        (Some(e), w) => {
            let mut t = format!("signed {}", evidence_text(e));
            if let Some(w) = w {
                t.push_str(&format!(
                    "published under a policy override co-signed by {}: {} (waived: {})\n",
                    clean(&w.officer),
                    clean(&w.reason),
                    w.waives.iter().map(|x| clean(x)).collect::<Vec<_>>().join(", ")
                ));
            }
            t
        }
    })
}

fn trust_text(v: &TrustView) -> String {
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
            t.push_str(&requirements_text(&c.policy.requirements));
        }
    }
    t
}

pub fn diff_text(d: &Diff, format: Format) -> Result<String, CliError> {
    if format == Format::Json {
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            diff: &'a Diff,
            required: steward_app::model::Bump,
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
    let def = steward_app::load_definition(file)?;
    let doc = steward_app::contract_of(&def);
    let text = if format == Format::Json {
        to_json(&doc)?
    } else {
        serde_norway::to_string(&doc).map_err(|e| CliError { code: "cli.output".into(), message: e.to_string() })?
    };
    match out {
        None => Ok(text),
        Some(path) => {
            steward_app::write_file(path, text.as_bytes())?;
            Ok(format!(
                "{}: ODCS {} contract written to {}\n",
                def.metadata.name,
                steward_app::model::ODCS_API_VERSION,
                path.display()
            ))
        }
    }
}
