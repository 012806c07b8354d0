//! # steward-serve
//!
//! Owns the HTTP connection loop Steward's servers (the registry, the data node) share, with
//! every input bounded: at most [`MAX_CONNECTIONS`] at once (more wait in the kernel's backlog),
//! headers within [`HEADER_TIMEOUT`], a TLS handshake within the same, a stalled write failing
//! the connection after [`WRITE_STALL`] (slow readers cannot hold slots), and a graceful stop on
//! Ctrl-C or SIGTERM. Routes, handlers and request deadlines are each server's own.
//!
//! It must not know what a server serves: no registry, no product data.

mod stall;

use std::sync::Arc;
use std::time::Duration;

pub use stall::{StallGuard, WRITE_STALL};

/// How long the server waits for a request's headers and for a TLS handshake; how many
/// connections it serves at once.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
pub const MAX_CONNECTIONS: usize = 512;
/// How long requests in flight may finish once the server is told to stop.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a server's TLS set-up failed (the file and what is wrong with it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeError(pub String);

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ServeError {}

/// A certificate chain and its private key (PEM files) to serve HTTPS with.
#[derive(Debug, Clone)]
pub struct Tls {
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

impl Tls {
    /// The rustls configuration (TLS 1.2 and 1.3, no client certificates).
    pub fn config(&self) -> Result<Arc<rustls::ServerConfig>, ServeError> {
        use rustls_pki_types::pem::PemObject;
        use rustls_pki_types::{CertificateDer, PrivateKeyDer};
        let bad = |what: &std::path::Path, e: &dyn std::fmt::Display| ServeError(format!("{}: {e}", what.display()));
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&self.cert)
            .map_err(|e| bad(&self.cert, &e))?
            .collect::<Result<_, _>>()
            .map_err(|e| bad(&self.cert, &e))?;
        if certs.is_empty() {
            return Err(bad(&self.cert, &"no certificate in this file"));
        }
        let key = PrivateKeyDer::from_pem_file(&self.key).map_err(|e| bad(&self.key, &e))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ServeError(format!("TLS: {e}")))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| ServeError(format!("TLS certificate and key: {e}")))?;
        Ok(Arc::new(config))
    }
}

/// Serves `app` on `listener` (over TLS when `tls` is given) until Ctrl-C or SIGTERM.
pub async fn serve(
    app: axum::Router,
    listener: tokio::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> std::io::Result<()> {
    let shutdown = async {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
            tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
    };
    tokio::pin!(shutdown);
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    loop {
        // Wait for a free slot before accepting: excess connections queue in the backlog.
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.map_err(std::io::Error::other)?,
            _ = &mut shutdown => break,
        };
        let (stream, _) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let app = app.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let service = hyper_util::service::TowerToHyperService::new(app);
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
            let done = match acceptor {
                Some(acceptor) => match tokio::time::timeout(HEADER_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(s)) => http.serve_connection(hyper_util::rt::TokioIo::new(StallGuard::new(s)), service).await,
                    Ok(Err(e)) => {
                        tracing::debug!(error = %e, "TLS handshake failed");
                        return;
                    }
                    Err(_) => return,
                },
                None => http.serve_connection(hyper_util::rt::TokioIo::new(StallGuard::new(stream)), service).await,
            };
            if let Err(e) = done {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    // Let requests in flight finish (for a while), then stop.
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, slots.acquire_many(MAX_CONNECTIONS as u32)).await;
    Ok(())
}
