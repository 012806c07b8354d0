//! `steward keys`, `steward publish` and `steward registry` end to end: keys in the real OS
//! keychain (the test runs under scripts/with-keyring.sh), a registry served by the CLI itself on
//! loopback over a SQLite file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use steward_testkit::{spawn_listening, ServerProcess};

struct Env {
    config: tempfile::TempDir,
    registry: Option<String>,
}

impl Env {
    fn new() -> Env {
        Env { config: tempfile::tempdir().unwrap(), registry: None }
    }

    fn steward(&self, args: &[&str]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_steward"));
        c.args(args).env("STEWARD_CONFIG_DIR", self.config.path()).env_remove("STEWARD_KEY");
        match &self.registry {
            Some(r) => c.env("STEWARD_REGISTRY", r),
            None => c.env_remove("STEWARD_REGISTRY"),
        };
        c.output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.steward(args);
        assert!(o.status.success(), "steward {args:?} failed: {}{}", out(&o), err(&o));
        out(&o)
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Key names unique to this run: the keychain outlives one test.
fn unique(prefix: &str) -> String {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{prefix}-{}-{t}", std::process::id())
}

fn serve(env: &Env, db: &Path, admin_key: &str) -> (ServerProcess, String) {
    spawn_listening(
        Command::new(env!("CARGO_BIN_EXE_steward"))
            .args(["registry", "serve", "--listen", "127.0.0.1:0", "--admin-key", admin_key, "--db"])
            .arg(db)
            .env("STEWARD_CONFIG_DIR", env.config.path())
            .stderr(Stdio::null()),
    )
}

/// A copy of the sample workspace: publishing measures the product on its data.
fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data");
    copy_dir(&src, dir.path());
    let file = dir.path().join("products/customer360.yaml");
    (dir, file)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

#[test]
fn keys_publish_list_show_diff_verify_and_yank() {
    let mut env = Env::new();
    let (admin, ada) = (unique("admin"), unique("ada"));
    env.ok(&["keys", "generate", &admin]);
    let generated: serde_json::Value =
        serde_json::from_str(&env.ok(&["keys", "generate", &ada, "--format", "json"])).unwrap();
    assert!(generated[0]["fingerprint"].as_str().unwrap().starts_with("SHA256:"));
    let listed = env.ok(&["keys", "list"]);
    assert!(listed.contains(&admin) && listed.contains(&ada), "{listed}");
    // Only public halves on disk.
    for f in std::fs::read_dir(env.config.path().join("keys")).unwrap().flatten() {
        let text = std::fs::read_to_string(f.path()).unwrap();
        assert!(text.starts_with("ed25519:") && text.lines().count() == 1, "{text}");
    }
    let o = env.steward(&["keys", "generate", &ada]);
    assert!(err(&o).contains("never replaced"), "{}", err(&o));
    let admin_pub = env.ok(&["keys", "export", &admin]).trim().to_string();
    let ada_pub = env.ok(&["keys", "export", &ada]).trim().to_string();

    let db = tempfile::tempdir().unwrap();
    let (_server, url) = serve(&env, &db.path().join("registry.db"), &admin_pub);
    env.registry = Some(url.clone());
    let (_dir, file) = sample_copy();
    let f = file.to_str().unwrap();

    // Untrusted until the admin signs a policy naming Ada for the customer domain.
    let o = env.steward(&["publish", f, "--key", &ada]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("no trust policy"), "{}", err(&o));
    let policy = db.path().join("policy.yaml");
    std::fs::write(
        &policy,
        format!("signers:\n  - name: ada@example.com\n    key: {ada_pub}\n    domains: [customer]\n"),
    )
    .unwrap();
    let o = env.steward(&["registry", "trust", "--apply", policy.to_str().unwrap(), "--admin", &ada]);
    assert!(err(&o).contains("registry.untrusted") || err(&o).contains("admin"), "{}", err(&o));
    assert!(env
        .ok(&["registry", "trust", "--apply", policy.to_str().unwrap(), "--admin", &admin])
        .contains("trust policy 1 applied"));
    assert!(env.ok(&["registry", "trust"]).contains("ada@example.com"));

    let published = env.ok(&["publish", f, "--key", &ada]);
    assert!(published.contains("published customer360@1.0.0"), "{published}");
    let list: serde_json::Value = serde_json::from_str(&env.ok(&["registry", "list", "--format", "json"])).unwrap();
    assert_eq!(list[0]["name"], "customer360");
    assert!(env.ok(&["registry", "list", "--q", "Support Tickets"]).contains("customer360"));
    assert!(!env.ok(&["registry", "list", "--domain", "finance"]).contains("customer360"));
    let shown = env.ok(&["registry", "show", "customer360@1.0.0"]);
    assert!(shown.contains("customer360@1.0.0") && shown.contains("entity:"), "{shown}");

    // Grants: a consumer key may read the product through one of its profiles.
    let app = unique("support-app");
    env.ok(&["keys", "generate", &app]);
    let o = env.steward(&[
        "grants",
        "add",
        "customer360",
        "--consumer",
        &app,
        "--name",
        "support app",
        "--profile",
        "marketing",
        "--key",
        &ada,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("no masking profile `marketing`") && err(&o).contains("it has: analytics"), "{}", err(&o));
    let granted = env.ok(&[
        "grants",
        "add",
        "customer360",
        "--consumer",
        &app,
        "--name",
        "support app",
        "--profile",
        "analytics",
        "--expires",
        "2099-06-30",
        "--key",
        &ada,
    ]);
    assert!(granted.contains("support app may read customer360 ^1 as `analytics`"), "{granted}");
    let listed: serde_json::Value =
        serde_json::from_str(&env.ok(&["grants", "list", "customer360", "--format", "json"])).unwrap();
    assert_eq!(listed[0]["grant"]["expires"], "2099-06-30T23:59:59Z");
    let digest = listed[0]["digest"].as_str().unwrap().to_string();
    assert!(env.ok(&["grants", "list", "customer360"]).contains("in force"));
    assert!(env
        .ok(&["grants", "revoke", &digest, "--reason", "the app was retired", "--key", &ada])
        .contains("revoked"));
    assert!(env.ok(&["grants", "list", "customer360"]).contains("revoked"));

    // The same version again with a change: refused, and the draft is untouched.
    let original = std::fs::read_to_string(&file).unwrap();
    let edited = original.replace("    - { column: phone, type: str }\n", "");
    let edited =
        edited.replace("  - { rule: regex, column: phone, pattern: \"^\\\\+\\\\d[\\\\d \\\\-()]{6,}$\" }\n", "");
    let edited = edited.replace("      - { field: phone, rule: partial, params: { keep_last: 4 } }\n", "");
    std::fs::write(&file, &edited).unwrap();
    let o = env.steward(&["publish", f, "--key", &ada]);
    assert!(err(&o).contains("exists and versions never change"), "{}", err(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), edited, "a refused publish leaves the draft as it was");
    // The draft against the latest: a removed field, a major bump needed.
    let d: serde_json::Value = serde_json::from_str(&env.ok(&["registry", "diff", f, "--format", "json"])).unwrap();
    assert_eq!(d["suggested"], "major");
    assert!(
        d["changes"].as_array().unwrap().iter().any(|c| c["path"] == "entity.fields[phone]" && c["kind"] == "removed"),
        "{d}"
    );
    std::fs::write(&file, edited.replace("  version: 1.0.0\n", "  version: 1.1.0\n")).unwrap();
    let o = env.steward(&["publish", f, "--key", &ada]);
    assert!(err(&o).contains("needs a major bump"), "{}", err(&o));
    std::fs::write(&file, edited.replace("  version: 1.0.0\n", "  version: 2.0.0\n")).unwrap();
    env.ok(&["publish", f, "--key", &ada]);
    let text = env.ok(&["registry", "diff", "customer360@1.0.0", "2.0.0"]);
    assert!(text.contains("field `phone` removed") && text.contains("suggested bump: major"), "{text}");

    // Offline verification of a fetched bundle; a tampered one fails.
    let bundle = db.path().join("bundle.json");
    env.ok(&["registry", "fetch", "customer360@2.0.0", "--out", bundle.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(&env.ok(&[
        "registry",
        "verify",
        bundle.to_str().unwrap(),
        "--admin-key",
        &admin_pub,
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!((v["version"].as_str(), v["signerName"].as_str()), (Some("2.0.0"), Some("ada@example.com")));
    // With the registry's own key pinned, the bundle's checkpoint is checked too.
    let view: serde_json::Value = serde_json::from_str(&env.ok(&["registry", "trust", "--format", "json"])).unwrap();
    let registry_key = view["registryKey"].as_str().unwrap().to_string();
    let b = bundle.to_str().unwrap();
    let text = env.ok(&["registry", "verify", b, "--admin-key", &admin_pub, "--registry-key", &registry_key]);
    assert!(text.contains("checkpoint signed by the registry"), "{text}");
    let o = env.steward(&["registry", "verify", b, "--admin-key", &admin_pub, "--registry-key", &ada_pub]);
    assert_eq!(o.status.code(), Some(1), "a checkpoint checked against another key: {}", out(&o));
    let tampered = std::fs::read_to_string(&bundle).unwrap().replacen("\"publish\"", "\"yank\"", 1);
    std::fs::write(&bundle, tampered).unwrap();
    let o = env.steward(&["registry", "verify", bundle.to_str().unwrap(), "--admin-key", &admin_pub]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));

    let old = db.path().join("old.json");
    env.ok(&["registry", "fetch", "customer360@2.0.0", "--out", old.to_str().unwrap()]);
    env.ok(&["registry", "yank", "customer360@2.0.0", "--reason", "phone still needed", "--key", &ada]);
    let versions = env.ok(&["registry", "show", "customer360"]);
    assert!(versions.contains("yanked: phone still needed"), "{versions}");

    // Ada's key revoked: verifying what she published says so.
    std::fs::write(&policy, "signers: []\n").unwrap();
    env.ok(&["registry", "trust", "--apply", policy.to_str().unwrap(), "--admin", &admin]);
    let text = env.ok(&["registry", "verify", "customer360@1.0.0", "--admin-key", &admin_pub]);
    assert!(text.contains("REVOKED: trust policy 2 no longer trusts"), "{text}");
    // Found by a review: a bundle fetched before the yank and the revocation verified without a
    // word once this machine had seen the newer log. It says it is stale, in text and JSON.
    let o = old.to_str().unwrap();
    let text = env.ok(&["registry", "verify", o, "--admin-key", &admin_pub]);
    assert!(text.contains("STALE: this bundle ends at log entry"), "{text}");
    let v: serde_json::Value =
        serde_json::from_str(&env.ok(&["registry", "verify", o, "--admin-key", &admin_pub, "--format", "json"]))
            .unwrap();
    assert!(v["stale"].as_str().is_some_and(|s| s.contains("may be stale")), "{v}");

    // An unreachable registry is said plainly.
    env.registry = Some("http://127.0.0.1:9".into());
    let o = env.steward(&["publish", f, "--key", &ada, "--format", "json"]);
    let e: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    assert!(err(&o).contains("unreachable") || e["error"]["code"] == "registry.unreachable", "{}{}", out(&o), err(&o));
}

/// The central policy at publish, from the CLI: the sample's `analytics` profile breaks
/// `min_k: 2` (one customer alone in their class), so the dry run and the publish say so with
/// the fix and nothing is sent; a privacy officer's override lets it through, recorded; a
/// consumer's `verify --require` holds it to their own bar; fixing the rule publishes cleanly.
#[test]
fn publishing_meets_the_central_policy_or_carries_a_co_signed_override() {
    let mut env = Env::new();
    let (admin, ada, officer) = (unique("admin"), unique("ada"), unique("officer"));
    for k in [&admin, &ada, &officer] {
        env.ok(&["keys", "generate", k]);
    }
    let key = |k: &str| env.ok(&["keys", "export", k]).trim().to_string();
    let (admin_pub, ada_pub, officer_pub) = (key(&admin), key(&ada), key(&officer));
    let db = tempfile::tempdir().unwrap();
    let (_server, url) = serve(&env, &db.path().join("registry.db"), &admin_pub);
    env.registry = Some(url);
    let policy = db.path().join("policy.yaml");
    std::fs::write(
        &policy,
        format!(
            "signers:\n  - {{ name: ada@example.com, key: {ada_pub}, domains: [customer] }}\nrequirements:\n  - domains: [customer]\n    max_leaks: 0\n    min_k: 2\n    masked:\n      - {{ tag: email, irreversible: true }}\n    officers: [{officer_pub}]\n"
        ),
    )
    .unwrap();
    env.ok(&["registry", "trust", "--apply", policy.to_str().unwrap(), "--admin", &admin]);
    let (_dir, file) = sample_copy();
    let f = file.to_str().unwrap();

    let o = env.steward(&["publish", f, "--key", &ada, "--dry-run"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let e = err(&o);
    assert!(
        e.contains(
            "min_k[analytics]: k = 1 over birth_date, country_code in profile `analytics` (at least 2 required)"
        ),
        "{e}"
    );
    assert!(e.contains("fix: generalise birth_date, country_code"), "{e}");
    assert!(e.contains("over 500 entities") && e.contains("0 leaks"), "{e}");
    let o = env.steward(&["publish", f, "--key", &ada]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("Nothing was signed or sent"), "{}", err(&o));
    assert!(env.steward(&["registry", "show", "customer360@1.0.0"]).status.code() == Some(1), "nothing was stored");

    // In JSON too the dry run fails while the draft misses the policy, with the judgement on stdout.
    let o = env.steward(&["publish", f, "--key", &ada, "--dry-run", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    let check: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(check["shortfalls"][0]["requirement"], "min_k[analytics]", "{check}");
    assert!(err(&o).contains("registry.policy"), "{}", err(&o));
    let shown = env.ok(&["registry", "trust"]);
    assert!(
        shown.contains("requirements for customer: leaks <= 0; k >= 2; email masked by any rule, irreversibly"),
        "{shown}"
    );

    // Ada cannot waive it herself; the officer can.
    let reason = "k = 1 accepted for the fraud team (DPIA 2026-14)";
    let own = db.path().join("own.json");
    let own = own.to_str().unwrap();
    env.ok(&["registry", "waive", f, "--reason", reason, "--waive", "min_k[analytics]", "--out", own, "--key", &ada]);
    let o = env.steward(&["publish", f, "--key", &ada, "--waiver", own]);
    assert!(err(&o).contains("registry.untrusted") || err(&o).contains("privacy officer"), "{}", err(&o));
    let o = env.steward(&["publish", f, "--key", &ada, "--waiver", own, "--dry-run"]);
    assert!(err(&o).contains("the key that signs the definition"), "{}", err(&o));
    // An override names requirements as refusals do, says why on one line, and is never overwritten.
    let waiver = db.path().join("waiver.json");
    let w = waiver.to_str().unwrap();
    for (name, why, refusal) in [
        ("min_qualty_pct", reason, "is not a requirement an override can waive"),
        ("min_k[analytics]", "ok\u{202e}txt", "--reason"),
    ] {
        let o = env.steward(&["registry", "waive", f, "--reason", why, "--waive", name, "--out", w, "--key", &officer]);
        assert!(err(&o).contains(refusal), "{name}: {}", err(&o));
        assert!(!waiver.exists(), "nothing written");
    }
    // `min_k` alone waives it in every profile.
    env.ok(&["registry", "waive", f, "--reason", reason, "--waive", "min_k", "--out", w, "--key", &officer]);
    let o =
        env.steward(&["registry", "waive", f, "--reason", reason, "--waive", "min_k", "--out", w, "--key", &officer]);
    assert!(err(&o).contains("exists already"), "{}", err(&o));
    // The dry run judges with the override as the registry will.
    let dry = env.ok(&["publish", f, "--key", &ada, "--waiver", w, "--dry-run"]);
    assert!(dry.contains("meets the central policy") && dry.contains("waived min_k[analytics]: k = 1"), "{dry}");
    let published = env.ok(&["publish", f, "--key", &ada, "--waiver", w]);
    assert!(published.contains("profile analytics: 20 rules, k = 1"), "{published}");
    let shown = env.ok(&["registry", "show", "customer360@1.0.0"]);
    assert!(shown.contains("published under a policy override: k = 1 accepted"), "{shown}");

    // A consumer's own bar, checked offline against the signed evidence.
    let o = env.steward(&["registry", "verify", "customer360@1.0.0", "--admin-key", &admin_pub, "--require", "k>=5"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("signed and intact, but its evidence falls short of --require k>=5"), "{}", err(&o));
    let text = env.ok(&["registry", "verify", "customer360@1.0.0", "--admin-key", &admin_pub, "--require", "leaks=0"]);
    assert!(text.contains("policy override co-signed by"), "{text}");
    let o = env.steward(&["registry", "verify", "customer360@1.0.0", "--admin-key", &admin_pub, "--require", "k>5"]);
    assert!(err(&o).contains("`k>5` is not a requirement"), "{}", err(&o));
    // A later bound never loosens an earlier one.
    let o =
        env.steward(&["registry", "verify", "customer360@1.0.0", "--admin-key", &admin_pub, "--require", "k>=5,k>=1"]);
    assert!(err(&o).contains("`k` is given twice"), "{}", err(&o));

    // The fix: the country is masked too (a major change for consumers), and the next version
    // meets the policy by itself.
    let text = std::fs::read_to_string(&file).unwrap();
    let rule = "      - { field: card_number, rule: partial, params: { keep_last: 4 } }\n";
    assert!(text.contains(rule));
    let fixed = text
        .replace(rule, &format!("{rule}      - {{ field: country_code, rule: redact }}\n"))
        .replace("  version: 1.0.0\n", "  version: 2.0.0\n");
    std::fs::write(&file, fixed).unwrap();
    let published = env.ok(&["publish", f, "--key", &ada]);
    assert!(published.contains("published customer360@2.0.0"), "{published}");
    let text = env.ok(&["registry", "verify", "customer360@2.0.0", "--admin-key", &admin_pub, "--require", "k>=5"]);
    assert!(text.contains("k = 7 over birth_date, country_code"), "{text}");
}

/// The contract export validates against the official ODCS JSON Schema from the
/// `open-data-contract-standard` PyPI package (scripts/setup.sh installs it; `make test` says
/// where), with the reference validator.
#[test]
fn export_contract_is_valid_odcs() {
    let python = std::env::var("STEWARD_ODCS_PYTHON").unwrap_or_else(|_| {
        let target = std::env::var("CARGO_TARGET_DIR")
            .unwrap_or_else(|_| format!("{}/../../target", env!("CARGO_MANIFEST_DIR")));
        format!("{target}/tools/odcs-venv/bin/python")
    });
    assert!(Path::new(&python).exists(), "{python} is missing: run scripts/setup.sh (make test does)");
    let env = Env::new();
    let (dir, file) = sample_copy();
    let out = dir.path().join("customer360.odcs.yaml");
    env.ok(&["export-contract", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let text = std::fs::read_to_string(&out).unwrap();
    let doc: serde_json::Value = serde_norway::from_str(&text).unwrap();
    assert_eq!((doc["kind"].as_str(), doc["apiVersion"].as_str()), (Some("DataContract"), Some("v3.1.0")));
    assert_eq!((doc["version"].as_str(), doc["domain"].as_str()), (Some("1.0.0"), Some("customer")));
    let schema = doc["schema"].as_array().unwrap();
    let names: Vec<&str> = schema.iter().map(|o| o["name"].as_str().unwrap()).collect();
    // Every table of the tree is an object, nested ones named by their path.
    assert_eq!(names, ["customer", "orders", "orders_lines", "invoices", "tickets", "country", "orders_lines_product"]);
    let lines = &schema[2];
    assert_eq!(lines["businessName"], "orders.lines");
    assert_eq!(lines["relationships"][0]["from"], "orders_lines.order_id");
    assert_eq!(lines["relationships"][0]["to"], "orders.order_id");
    let key = schema[0]["properties"].as_array().unwrap().iter().find(|p| p["primaryKey"] == true).unwrap();
    assert_eq!(key["name"], "customer_id");
    assert_eq!(schema[1]["relationships"][0]["from"], "orders.customer_id");
    assert_eq!(schema[1]["relationships"][0]["to"], "customer.customer_id");
    let email = schema[0]["properties"].as_array().unwrap().iter().find(|p| p["name"] == "email").unwrap();
    assert_eq!(email["required"], true, "not_null becomes required");
    assert!(email["quality"].as_array().unwrap().iter().any(|q| q["metric"] == "invalidValues"), "{email}");

    let check = Command::new(&python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/odcs/validate.py"))
        .arg(&out)
        .output()
        .unwrap();
    assert!(check.status.success(), "ODCS validation failed:\n{}{}", out_text(&check), err(&check));
    // And the validator does catch a broken contract.
    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, text.replace("kind: DataContract", "kind: Contract")).unwrap();
    let check = Command::new(&python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/odcs/validate.py"))
        .arg(&broken)
        .output()
        .unwrap();
    assert!(!check.status.success());
}

fn out_text(o: &Output) -> String {
    out(o)
}
