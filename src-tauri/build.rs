fn main() {
    // The one tauri.conf.json lives at the repository root; the shell's commands are declared
    // here so that capabilities can grant exactly these and nothing else.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "get_workspace",
        "inspect_source",
        "preview_source",
        "add_file_source",
        "list_file_tables",
        "test_postgres",
        "add_postgres_source",
        "profile_source",
        "cancel_scan",
        "classify_source",
        "decide_classification",
        "discover_relations",
        "list_products",
        "validate_product",
        "product_rows",
        "product_quality",
        "open_product",
        "save_product",
        "save_layout",
        "create_product",
        "watch_products",
        "profile_column",
        "privacy_report",
        "masked_rows",
        "privacy_reveal",
        "registry_info",
        "generate_signing_key",
        "registry_search",
        "registry_versions",
        "registry_diff",
        "registry_check",
        "registry_publish",
        "registry_evidence",
        "settings_info",
        "save_settings",
        "check_registry",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json").app_manifest(manifest))
        .expect("tauri-build: failed to read ../tauri.conf.json or the capabilities");
}
