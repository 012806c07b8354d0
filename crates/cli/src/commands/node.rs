//! `steward node` and `steward consume` (see `steward-node` and `steward_app::consume`).

use steward_app::consume::{consume as read, Answer, Ask};
use steward_app::ErrorCode;

use crate::args::{ConsumeArgs, Format, NodeCommand};
use crate::CliError;

pub fn run(command: &NodeCommand) -> Result<String, CliError> {
    let fail = |e: steward_node::NodeError| CliError { code: e.code().into(), message: e.to_string() };
    match command {
        NodeCommand::Serve(args) => {
            args.run().map_err(fail)?;
            Ok(String::new())
        }
        NodeCommand::VerifyLog { path } => {
            let c = steward_node::access::verify_log(path).map_err(fail)?;
            Ok(steward_node::log_summary(path, &c))
        }
    }
}

fn provenance(a: &Answer) -> String {
    a.provenance
        .iter()
        .map(|(k, v)| format!("{}: {v}", k.trim_start_matches("steward-")))
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn consume(args: &ConsumeArgs, format: Format) -> Result<String, CliError> {
    let what = match (&args.entity, &args.out) {
        (Some(k), _) => Ask::Entity(k.clone()),
        (None, Some(out)) if out.extension().is_some_and(|e| e == "parquet") => Ask::Parquet,
        (None, Some(_)) => Ask::Arrow,
        (None, None) => Ask::Rows { offset: args.offset, limit: args.limit },
    };
    let a = read(&args.node, &args.product, &args.key, &what, args.out.as_deref())?;
    if let Some(out) = &args.out {
        return Ok(format!("wrote {} ({} bytes) · {}\n", out.display(), a.body.len(), provenance(&a)));
    }
    if format == Format::Json {
        return Ok(String::from_utf8_lossy(&a.body).into_owned() + "\n");
    }
    let value: serde_json::Value = serde_json::from_slice(&a.body)
        .map_err(|e| CliError { code: "cli.output".into(), message: format!("the node's answer is not JSON: {e}") })?;
    Ok(format!("{}\n{}\n", provenance(&a), serde_json::to_string_pretty(&value).unwrap_or_default()))
}
