//! Errors of the registry, each with a stable code and the HTTP status it travels as.

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// Malformed JSON, a missing part, a non-canonical payload.
    #[error("{0}")]
    BadRequest(String),
    /// A name, version or definition the registry does not accept.
    #[error("{0}")]
    Invalid(String),
    /// A signature that does not verify.
    #[error("{0}")]
    Signature(String),
    /// A valid signature by a key not allowed to do this.
    #[error("{0}")]
    Untrusted(String),
    #[error("{0}")]
    NotFound(String),
    /// name@version exists: versions are immutable.
    #[error("{0}")]
    Exists(String),
    /// The version is not greater than every published one.
    #[error("{0}")]
    NotNewer(String),
    /// A breaking change without the bump it needs.
    #[error("{0}")]
    Breaking(String),
    /// Evidence that misses the central policy of the product's domain (each shortfall named).
    #[error("{0}")]
    Policy(String),
    /// A signed document the registry has already seen (or an older one).
    #[error("{0}")]
    Replay(String),
    #[error("{0}")]
    TooLarge(String),
    /// The request took longer than the registry allows.
    #[error("{0}")]
    Timeout(String),
    #[error("{0}")]
    Storage(String),
    /// Client side: the registry could not be reached.
    #[error("{0}")]
    Unreachable(String),
    /// Client side: no registry was named.
    #[error("{0}")]
    Unconfigured(String),
}

steward_error::error_codes!(RegistryError {
    Self::BadRequest(_) => "registry.bad_request",
    Self::Invalid(_) => "registry.invalid",
    Self::Signature(_) => "registry.signature",
    Self::Untrusted(_) => "registry.untrusted",
    Self::NotFound(_) => "registry.not_found",
    Self::Exists(_) => "registry.version_exists",
    Self::NotNewer(_) => "registry.version_not_newer",
    Self::Breaking(_) => "registry.breaking_change",
    Self::Policy(_) => "registry.policy",
    Self::Replay(_) => "registry.replay",
    Self::TooLarge(_) => "registry.too_large",
    Self::Timeout(_) => "registry.timeout",
    Self::Storage(_) => "registry.storage",
    Self::Unreachable(_) => "registry.unreachable",
    Self::Unconfigured(_) => "registry.unconfigured",
});

impl RegistryError {
    pub fn status(&self) -> u16 {
        match self {
            RegistryError::BadRequest(_) | RegistryError::Unconfigured(_) => 400,
            RegistryError::Invalid(_) | RegistryError::Policy(_) => 422,
            RegistryError::Signature(_) | RegistryError::Untrusted(_) => 403,
            RegistryError::NotFound(_) => 404,
            RegistryError::Exists(_)
            | RegistryError::NotNewer(_)
            | RegistryError::Breaking(_)
            | RegistryError::Replay(_) => 409,
            RegistryError::TooLarge(_) => 413,
            RegistryError::Timeout(_) => 408,
            RegistryError::Storage(_) => 500,
            RegistryError::Unreachable(_) => 503,
        }
    }

    /// The error from a `{code, message}` body the server sent.
    pub fn from_code(code: &str, message: String) -> RegistryError {
        match code {
            "registry.bad_request" => RegistryError::BadRequest(message),
            "registry.invalid" => RegistryError::Invalid(message),
            "registry.signature" => RegistryError::Signature(message),
            "registry.untrusted" => RegistryError::Untrusted(message),
            "registry.not_found" => RegistryError::NotFound(message),
            "registry.version_exists" => RegistryError::Exists(message),
            "registry.version_not_newer" => RegistryError::NotNewer(message),
            "registry.breaking_change" => RegistryError::Breaking(message),
            "registry.policy" => RegistryError::Policy(message),
            "registry.replay" => RegistryError::Replay(message),
            "registry.too_large" => RegistryError::TooLarge(message),
            "registry.timeout" => RegistryError::Timeout(message),
            "registry.unreachable" => RegistryError::Unreachable(message),
            "registry.unconfigured" => RegistryError::Unconfigured(message),
            _ => RegistryError::Storage(message),
        }
    }
}

impl From<steward_signing::SigningError> for RegistryError {
    fn from(e: steward_signing::SigningError) -> Self {
        match e {
            steward_signing::SigningError::Signature(m) => RegistryError::Signature(m),
            steward_signing::SigningError::Envelope(m)
            | steward_signing::SigningError::Canonical { message: m, .. } => RegistryError::BadRequest(m),
            other => RegistryError::Invalid(other.to_string()),
        }
    }
}
