use super::*;

#[test]
fn error_shape_is_pinned() {
    let e = IpcError::new("source.not_found", "orders.csv: file not found");
    assert_eq!(
        serde_json::to_string(&e).unwrap(),
        r#"{"code":"source.not_found","message":"orders.csv: file not found"}"#
    );
}

#[test]
fn core_errors_keep_their_code_and_name_the_file() {
    let e: IpcError =
        steward_sources::inspect(&steward_sources::Location::file("no/such/orders.csv")).unwrap_err().into();
    assert_eq!(e.code, "source.not_found");
    assert!(e.message.contains("orders.csv"));
    let json: serde_json::Value = serde_json::to_value(&e).unwrap();
    assert_eq!(json.as_object().unwrap().len(), 2, "only code and message cross IPC: {json}");
}

#[test]
fn preview_requests_are_validated() {
    assert!(PreviewRequest { source_id: "orders".into(), limit: 200, offset: Some(1_000_000) }.validate().is_ok());
    let bad = [("orders", 0), ("orders", 100_001), ("../etc", 10), ("", 10), ("Orders", 10)];
    for (id, limit) in bad {
        let e = PreviewRequest { source_id: id.into(), limit, offset: None }.validate().unwrap_err();
        assert_eq!(e.code, "ipc.invalid_input", "{id} {limit}");
    }
    let e: Result<PreviewRequest, _> = serde_json::from_str(r#"{"sourceId":"a","limit":1,"path":"/etc"}"#);
    assert!(e.is_err(), "unknown fields are refused");
}

#[test]
fn requests_are_validated_before_the_core_sees_them() {
    let ok = AddFileRequest { path: "/data/orders.csv".into(), table: None, system: None };
    assert!(ok.validate().is_ok());
    for bad in ["", "relative.csv", "/a\0b"] {
        assert_eq!(AddFileRequest { path: bad.into(), ..ok.clone() }.validate().unwrap_err().code, "ipc.invalid_input");
    }
    let pg = PostgresRequest {
        host: "db".into(),
        port: 5432,
        database: "crm".into(),
        user: "app".into(),
        password: Some("s3cret".into()),
        table: None,
        system: None,
        ssl_mode: Some("verify-ca".into()),
        ssl_root_cert: Some("certs/ca.pem".into()),
    };
    assert!(pg.validate().is_ok());
    assert_eq!(pg.clone().into_core().ssl_mode, steward_sources::pg::SslMode::VerifyCa);
    assert_eq!(
        PostgresRequest { ssl_mode: None, ..pg.clone() }.into_core().ssl_mode,
        steward_sources::pg::SslMode::VerifyFull
    );
    let bad_mode = PostgresRequest { ssl_mode: Some("allow".into()), ..pg.clone() }.validate().unwrap_err();
    assert!(bad_mode.message.contains("verify-full"), "{}", bad_mode.message);
    assert!(PostgresRequest { ssl_root_cert: Some("ca\u{1b}[2J.pem".into()), ..pg.clone() }.validate().is_err());
    assert!(!format!("{pg:?}").contains("s3cret"), "Debug never shows the password");
    assert!(PostgresRequest { port: 0, ..pg.clone() }.validate().is_err());
    assert!(PostgresRequest { host: " ".into(), ..pg.clone() }.validate().is_err());
    assert!(PostgresRequest { user: "a\nb".into(), ..pg }.validate().is_err());
    let d = DecisionRequest { source_id: "crm".into(), column: "email".into(), tag: "email".into(), accepted: true };
    assert!(d.validate().is_ok());
    assert!(DecisionRequest { source_id: "../x".into(), ..d }.validate().is_err());
}

#[test]
fn modeller_requests_are_validated() {
    let create = CreateProductRequest {
        product_id: "customer_orders".into(),
        entity: "Customer".into(),
        source_id: "crm".into(),
        key: vec!["customer_id".into()],
        owner: "team@example.com".into(),
    };
    assert!(create.validate().is_ok());
    let definition = create.clone().into_core().definition();
    assert!(steward_model::check(&definition).is_empty(), "{:?}", steward_model::check(&definition));
    for bad in [
        CreateProductRequest { product_id: "Customer Orders".into(), ..create.clone() },
        CreateProductRequest { product_id: "../x".into(), ..create.clone() },
        CreateProductRequest { entity: " ".into(), ..create.clone() },
        CreateProductRequest { owner: "".into(), ..create.clone() },
        CreateProductRequest { key: vec![], ..create.clone() },
    ] {
        assert_eq!(bad.validate().unwrap_err().code, "ipc.invalid_input", "{bad:?}");
    }
    let save = SaveProductRequest {
        product_id: "customer_orders".into(),
        base_revision: "00ff00ff00ff00ff".into(),
        definition,
    };
    assert!(save.validate().is_ok());
    assert!(SaveProductRequest { base_revision: "HEAD".into(), ..save.clone() }.validate().is_err());
    let mut huge = save.clone();
    huge.definition.entity.derived =
        vec![steward_model::Derived { name: "x".into(), sql: "a".repeat(20_000), field_type: None }];
    assert!(huge.validate().unwrap_err().message.contains("derived field `x`"));
    let layout = SaveLayoutRequest {
        product_id: "customer_orders".into(),
        layout: [("entity".to_string(), CanvasPosition { x: f64::NAN, y: 0.0 })].into(),
    };
    assert!(layout.validate().is_err(), "positions must be finite");
    // The definition crosses IPC as the YAML's own shape, `as` and `type` included.
    let json = serde_json::to_value(&save).unwrap();
    assert_eq!(json["definition"]["entity"]["key"], "customer_id");
    assert!(json["definition"].get("related").is_none(), "empty lists are left out, as in the file");
}

/// The UI's bindings must match the Rust types. Run `make bindings` to regenerate.
#[test]
fn privacy_and_registry_requests_are_validated() {
    let reveal = RevealRequest {
        product_id: "customer360".into(),
        profile: "billing".into(),
        field: "card_number".into(),
        values: vec!["4111 1111 1111 1111".into()],
        key_version: None,
    };
    assert!(reveal.validate().is_ok());
    for bad in [
        RevealRequest { values: vec![], ..reveal.clone() },
        RevealRequest { values: vec!["x".into(); 1001], ..reveal.clone() },
        RevealRequest { values: vec!["a\u{0}b".into()], ..reveal.clone() },
        RevealRequest { field: " ".into(), ..reveal.clone() },
        RevealRequest { key_version: Some(0), ..reveal.clone() },
        RevealRequest { product_id: "../etc".into(), ..reveal.clone() },
    ] {
        assert_eq!(bad.validate().unwrap_err().code, "ipc.invalid_input", "{bad:?}");
    }
    let publish =
        PublishProductRequest { product_id: "customer360".into(), allow_breaking: false, reason: None, waiver: None };
    assert!(publish.validate().is_ok());
    let absolute = std::env::temp_dir().join("waiver.json").to_string_lossy().into_owned();
    let with_nul = std::env::temp_dir().join("w\u{0}.json").to_string_lossy().into_owned();
    for bad in ["waiver.json", "../waiver.json", with_nul.as_str(), ""] {
        let e = PublishProductRequest { waiver: Some(bad.into()), ..publish.clone() }.validate().unwrap_err();
        assert!(e.message.starts_with("waiver:"), "{bad:?}: {}", e.message);
    }
    assert!(PublishProductRequest { waiver: Some(absolute), ..publish.clone() }.validate().is_ok());
    let e = PublishProductRequest { allow_breaking: true, ..publish.clone() }.validate().unwrap_err();
    assert!(e.message.starts_with("reason:"), "{}", e.message);
    assert!(PublishProductRequest { allow_breaking: true, reason: Some("moved".into()), ..publish }.validate().is_ok());
    let search = RegistrySearchRequest { q: Some("x".repeat(201)), ..Default::default() };
    assert!(search.validate().is_err());
    assert!(RegistrySearchRequest { q: Some("' OR 1=1 --".into()), ..Default::default() }.validate().is_ok());
    let rows = MaskedRowsRequest {
        product_id: "customer360".into(),
        profile: "analytics".into(),
        table: Some("orders\n".into()),
        side: "masked".into(),
        columns: None,
        limit: 10,
    };
    assert!(rows.validate().is_err(), "control characters in a table name");
}

#[test]
fn typescript_bindings_are_fresh() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings.ts");
    let want = typescript_bindings();
    if std::env::var_os("STEWARD_UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "ui/src/bindings.ts is stale: run `make bindings` and commit the result");
}

#[test]
fn every_error_code_is_well_formed_and_every_code_the_shell_sends_is_listed() {
    let codes = error_codes();
    assert!(codes.iter().all(|c| steward_error::is_code(c)), "{codes:?}");
    for c in ["model.conflict", "profile.cancelled", "registry.unconfigured", "source.not_found", "app.internal"] {
        assert!(codes.contains(&c), "{c} is missing from {codes:?}");
    }
    // The shell's own codes, as it sends them.
    assert!(codes.contains(&IpcError::invalid_input("x").code.as_str()));
}

/// Every command of the table is declared to tauri-build and granted by the main window's
/// capability — and nothing else is: a command added to the table but not here answers "not
/// allowed" in the app (found by the desktop e2e, after the unit tests had all passed).
#[test]
fn the_shell_declares_and_grants_exactly_the_commands_of_the_table() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src-tauri");
    let build = std::fs::read_to_string(root.join("build.rs")).unwrap();
    let capability: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("capabilities/default.json")).unwrap()).unwrap();
    let granted: Vec<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-").map(|c| c.replace('-', "_")))
        .collect();
    let declared: Vec<String> = build
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('"') && l.ends_with("\","))
        .map(|l| l.trim_matches(|c| c == '"' || c == ',').to_string())
        .collect();
    let mut table: Vec<String> = crate::commands::commands().iter().map(|c| c.name.to_string()).collect();
    table.sort();
    let (mut declared, mut granted) = (declared, granted);
    declared.sort();
    granted.sort();
    assert_eq!(declared, table, "src-tauri/build.rs");
    assert_eq!(granted, table, "src-tauri/capabilities/default.json");
}
