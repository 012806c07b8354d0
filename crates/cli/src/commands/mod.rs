//! What each command does: parse nothing, print nothing — call `steward-app` and return the
//! text to print. One module per command family.

mod evidence;
mod grants;
mod node;
mod privacy;
mod products;
mod registry;
mod sources;
mod workspace;

use steward_app::AddFile;

use crate::args::*;
use crate::CliError;

pub(crate) fn run(cli: &Cli) -> Result<String, CliError> {
    match &cli.command {
        Command::Preview { quality: true, profile: Some(_), .. } => Err(CliError {
            code: "cli.invalid_input".into(),
            // Quality samples are original values: never shown under a masking profile's name.
            message: "`preview --quality` checks the product as its sources hold it and shows original values as samples; it cannot be combined with --profile".into(),
        }),
        Command::Preview { file, quality: true, workspace, .. } => {
            products::quality(file, workspace.as_deref(), cli.format)
        }
        Command::Preview { file, entity, limit, offset, workspace, profile, .. } => products::preview(
            file,
            entity.as_deref(),
            *limit,
            *offset,
            workspace.as_deref(),
            profile.as_deref(),
            cli.format,
        ),
        Command::Export { file, out, entity, workspace, batch_entities, profile } => {
            products::export(file, out, entity, workspace.as_deref(), cli.format, *batch_entities, profile.as_deref())
        }
        Command::Privacy { command: PrivacyCommand::Check { file, profile, quasi, sensitive, workspace } } => {
            privacy::privacy_check(
                file,
                profile,
                quasi.as_deref(),
                sensitive.as_deref(),
                workspace.as_deref(),
                cli.format,
            )
        }
        Command::Privacy { command: PrivacyCommand::RotateKey { file, profile } } => privacy::rotate_key(file, profile),
        Command::Privacy {
            command: PrivacyCommand::Reveal { file, profile, field, key_version, values, workspace },
        } => privacy::reveal(file, profile, field, *key_version, values, workspace.as_deref(), cli.format),
        Command::Keys { command } => registry::keys(command, cli.format),
        Command::Publish { file, registry, key, allow_breaking, reason, workspace, without_evidence, waiver, dry_run } => {
            let choices = steward_app::registry::PublishChoices {
                allow_breaking: *allow_breaking,
                reason: reason.clone(),
                workspace: workspace.clone(),
                without_evidence: *without_evidence,
                waiver: waiver.clone(),
            };
            registry::publish(file, registry, key, &choices, *dry_run, cli.format)
        }
        Command::Registry { command } => registry::run(command, cli.format),
        Command::Grants { command } => grants::run(command, cli.format),
        Command::Node { command } => node::run(command),
        Command::Consume(args) => node::consume(args, cli.format),
        Command::ExportContract { file, out } => registry::export_contract(file, out.as_deref(), cli.format),
        Command::Model { command: ModelCommand::Validate { file, workspace } } => {
            products::validate(file, workspace.as_deref(), cli.format)
        }
        Command::Model { command: ModelCommand::New { root, key, name, entity, owner, workspace } } => {
            products::new(workspace, root, key, name.as_deref(), entity.as_deref(), owner.as_deref(), cli.format)
        }
        Command::Workspace { command: WorkspaceCommand::Init { dir, name } } => {
            workspace::init(dir, name.as_deref(), cli.format)
        }
        Command::Sources { command } => match command {
            SourcesCommand::List { workspace } => sources::list(workspace, cli.format),
            SourcesCommand::KeepText { source, column, dates, workspace } => {
                sources::keep_text(workspace, source, column, !dates, cli.format)
            }
            SourcesCommand::Add { path, password_stdin, workspace, id, name, system, table, .. }
                if path.to_string_lossy().starts_with("postgres://")
                    || path.to_string_lossy().starts_with("postgresql://") =>
            {
                sources::add_postgres(
                    &path.to_string_lossy(),
                    *password_stdin,
                    workspace,
                    id,
                    name,
                    system,
                    table,
                    cli.format,
                )
            }
            SourcesCommand::Add { path, workspace, id, name, system, table, header_row, keep_text, .. } => sources::add(
                workspace,
                AddFile {
                    path: path.clone(),
                    id: id.clone(),
                    name: name.clone(),
                    table: table.clone(),
                    header_row: *header_row,
                    system: system.clone(),
                    keep_text: keep_text.clone(),
                },
                cli.format,
            ),
            SourcesCommand::Inspect { target, workspace, read } => {
                sources::inspect(target, workspace, read, cli.format)
            }
            SourcesCommand::Profile { target, workspace, read } => {
                sources::profile(target, workspace, read, cli.format)
            }
            SourcesCommand::Classify { target, workspace, accept, reject, read } => {
                sources::classify(target, workspace, accept, reject, read, cli.format)
            }
            SourcesCommand::Relations { workspace } => sources::relations(workspace, cli.format),
        },
    }
}
