//! The registry `make run` starts beside the app: demo keys made on first run, the admin key as
//! root, and a trust policy letting the demo steward publish — enforced like any other — with,
//! when asked, a central policy on the evidence of every publish.

use steward_secrets::Keychain;
use steward_signing::{KeyPair, KeyRing};

use crate::evidence::Requirements;
use crate::{sign_trust, Registry, RegistryError, TrustPolicy, TrustedSigner};

/// The requirements in a JSON file (a list), or none; each checked as the registry checks a
/// policy's.
pub fn read_requirements(file: Option<&std::path::Path>) -> Result<Vec<Requirements>, RegistryError> {
    let Some(file) = file else { return Ok(vec![]) };
    let text = std::fs::read_to_string(file).map_err(|e| RegistryError::Invalid(format!("{}: {e}", file.display())))?;
    let list: Vec<Requirements> = serde_json::from_str(&text)
        .map_err(|e| RegistryError::Invalid(format!("{}: not a list of requirements: {e}", file.display())))?;
    for (i, r) in list.iter().enumerate() {
        r.check(&format!("{}: [{i}]", file.display()))?;
    }
    Ok(list)
}

/// Serves the demo registry on `listen` over `db` until stopped; prints `listening on URL`.
pub fn serve(
    db: &str,
    listen: &str,
    admin: &str,
    steward: &str,
    requirements: Vec<Requirements>,
) -> Result<(), RegistryError> {
    let ring = KeyRing::default_location();
    ring.ensure(admin, &Keychain)?;
    let demo = ring.ensure(steward, &Keychain)?;
    let admin_key = KeyPair::load(admin, &Keychain)?;
    let url = crate::DbUrl::parse(db);
    let reg = Registry::open(&url, vec![admin_key.public()], crate::registry_key("registry")?)?;
    let trusted = reg.trust()?.is_some_and(|t| {
        t.policy.signers.iter().any(|s| s.key.to_text() == demo.public_key) && t.policy.requirements == requirements
    });
    if !trusted {
        let serial = reg.trust()?.map(|t| t.serial).unwrap_or(0) + 1;
        let policy = TrustPolicy {
            serial,
            admins: vec![],
            signers: vec![TrustedSigner {
                name: format!("{steward} (demo)"),
                key: steward_signing::PublicKey::from_text(&demo.public_key)?,
                domains: vec!["*".into()],
            }],
            expires: None,
            replaces: None,
            issued_at: None,
            requirements,
        };
        reg.set_trust(sign_trust(&policy, &admin_key)?)?;
        tracing::info!(serial, steward, "demo trust policy applied");
    }
    drop(reg);
    crate::serve_blocking(db, listen, vec![admin_key.public()], crate::registry_key("registry")?, |a| {
        println!("listening on http://{a}")
    })
}
