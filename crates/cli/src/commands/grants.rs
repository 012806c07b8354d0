//! `steward grants`: grant, list and revoke consumers' read access (see `steward_app::registry`).

use steward_app::registry::{self, GrantRecord, GrantRequest};

use super::registry::config;
use crate::args::{Format, GrantsCommand};
use crate::render::*;
use crate::CliError;

fn line(g: &GrantRecord) -> Vec<String> {
    vec![
        g.grant.consumer_name.clone(),
        g.grant.consumer.fingerprint(),
        g.grant.profile.clone(),
        g.grant.versions.clone(),
        g.grant.expires.clone().unwrap_or_else(|| "never".into()),
        if g.revocation.is_some() { "revoked".into() } else { "in force".into() },
        g.digest.clone(),
    ]
}

const HEADER: [&str; 7] = ["consumer", "key", "profile", "versions", "expires", "status", "grant"];

pub fn run(command: &GrantsCommand, format: Format) -> Result<String, CliError> {
    match command {
        GrantsCommand::Add { product, consumer, name, profile, versions, expires, key, registry } => {
            let req = GrantRequest {
                product: product.clone(),
                consumer: consumer.clone(),
                consumer_name: name.clone(),
                profile: profile.clone(),
                versions: versions.clone(),
                expires: expires.clone(),
            };
            let g = registry::grant(&config(registry, key), &req)?;
            if format == Format::Json {
                return to_json(&g);
            }
            Ok(format!(
                "granted: {} may read {} {} as `{}` (log entry {})\n{}",
                g.grant.consumer_name,
                g.grant.product,
                g.grant.versions,
                g.grant.profile,
                g.log_index,
                table(&HEADER, &[line(&g)])
            ))
        }
        GrantsCommand::List { product, registry } => {
            let all = registry::grants(&config(registry, &None), product)?;
            if format == Format::Json {
                return to_json(&all);
            }
            if all.is_empty() {
                return Ok(format!(
                    "{product}: no grants yet (steward grants add {product} --consumer KEY --name WHO --profile P)\n"
                ));
            }
            let rows: Vec<Vec<String>> = all.iter().map(line).collect();
            Ok(format!("{product}: {} grants\n\n{}", all.len(), table(&HEADER, &rows)))
        }
        GrantsCommand::Revoke { digest, reason, key, registry } => {
            let e = registry::revoke_grant(&config(registry, key), digest, reason)?;
            if format == Format::Json {
                return to_json(&e);
            }
            Ok(format!("revoked {digest} (log entry {})\n", e.index))
        }
    }
}
