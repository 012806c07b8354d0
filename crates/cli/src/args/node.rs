//! `steward node` and `steward consume`: a domain's data node, and reading from one.

use std::path::PathBuf;

use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum NodeCommand {
    /// Serve published products from the workspace's sources, masked by each consumer's grant.
    Serve(steward_node::ServeArgs),
    /// Check an access log end to end: every line chained and matching its hash.
    VerifyLog { path: PathBuf },
}

/// What `steward consume` reads.
#[derive(clap::Args, Debug)]
pub struct ConsumeArgs {
    pub product: String,
    /// The data node (`http://host:7979`).
    #[arg(long)]
    pub node: String,
    /// Your consumer key's name (its secret in the OS keychain signs every request).
    #[arg(long)]
    pub key: String,
    /// One entity's whole tree, by the key your grant's profile shows (comma-separated parts).
    #[arg(long, conflicts_with = "out")]
    pub entity: Option<String>,
    /// The whole product, written atomically: `.parquet` as Parquet, anything else as an Arrow
    /// IPC stream.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// A page of the product table (without --entity or --out): entities to skip.
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
    /// A page of the product table: entities to show (1-1000).
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
}
