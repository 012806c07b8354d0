//! `steward grants`: who may read a published product from a data node, under which profile.

use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum GrantsCommand {
    /// Grant a consumer key read access to PRODUCT under one masking profile (or `unmasked`, for
    /// its owners), signed with your key: the registry takes it from keys trusted for the
    /// product's domain.
    Add {
        product: String,
        /// The consumer's public key (`ed25519:…`, from `steward keys export`), or the name of a
        /// key on this machine.
        #[arg(long)]
        consumer: String,
        /// Who holds the key (`support-app@example.com`).
        #[arg(long)]
        name: String,
        /// The masking profile the consumer reads through, or `unmasked`.
        #[arg(long)]
        profile: String,
        /// Versions covered, as a semver range (default: the latest version's major, `^1`).
        #[arg(long)]
        versions: Option<String>,
        /// When the grant ends: a date (2027-06-30, end of day UTC) or an RFC 3339 time.
        #[arg(long)]
        expires: Option<String>,
        #[arg(long)]
        key: Option<String>,
        #[arg(long)]
        registry: Option<String>,
    },
    /// The grants of PRODUCT: consumer, profile, versions, expiry, whether revoked.
    List {
        product: String,
        #[arg(long)]
        registry: Option<String>,
    },
    /// Revoke a grant by its digest (`sha256:…`, shown by `grants list`).
    Revoke {
        digest: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        key: Option<String>,
        #[arg(long)]
        registry: Option<String>,
    },
}
