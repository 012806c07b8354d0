//! TLS to PostgreSQL with rustls, and the guard that keeps a password off the wire in the clear.
//!
//! The connector negotiates TLS itself (the `SSLRequest` exchange), so it decides, per
//! `sslmode`, whether a server without TLS is acceptable. Every stream it returns watches the
//! server's authentication request: when a server asks for the password in cleartext over a
//! connection that is not encrypted, nothing more is written — the password is never sent.

use std::future::Future;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

/// How a PostgreSQL connection uses TLS, named as libpq names it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SslMode {
    /// No TLS. Cleartext password authentication is still refused (over TCP).
    Disable,
    /// TLS when the server offers it (certificate not checked), plain otherwise.
    Prefer,
    /// TLS, or no connection. The certificate is not checked unless `sslrootcert` is given,
    /// in which case it must chain to it (as libpq does).
    Require,
    /// TLS with a certificate chaining to `sslrootcert` (or the public CAs); any host name.
    VerifyCa,
    /// TLS with a certificate chaining to `sslrootcert` (or the public CAs) and valid for the
    /// host name connected to. The default.
    #[default]
    VerifyFull,
}

impl SslMode {
    pub const ALL: [SslMode; 5] =
        [SslMode::Disable, SslMode::Prefer, SslMode::Require, SslMode::VerifyCa, SslMode::VerifyFull];

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// Parses libpq's name (`verify-full`…).
    pub fn parse(s: &str) -> Option<SslMode> {
        SslMode::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

impl std::fmt::Display for SslMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The message of a refused cleartext password request (also how errors recognise it).
pub(crate) const CLEARTEXT_REFUSED: &str =
    "the server asked for the password in cleartext over an unencrypted connection; Steward refused to send it (use TLS: sslmode require, verify-ca or verify-full)";

/// The rustls configuration for `mode`, trusting `root_cert` (PEM) or else the public CAs.
pub(crate) fn client_config(mode: SslMode, root_cert: Option<&Path>) -> Result<Option<Arc<ClientConfig>>, String> {
    if mode == SslMode::Disable {
        return Ok(None);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verify = match (mode, root_cert) {
        (SslMode::Prefer, _) | (SslMode::Require, None) => None,
        _ => Some(roots(root_cert)?),
    };
    let verifier: Arc<dyn ServerCertVerifier> = match verify {
        None => Arc::new(NoVerification(provider.clone())),
        Some(roots) => {
            let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| format!("TLS trust store: {e}"))?;
            if mode == SslMode::VerifyFull {
                webpki
            } else {
                Arc::new(AnyName(webpki))
            }
        }
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Some(Arc::new(config)))
}

fn roots(root_cert: Option<&Path>) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    match root_cert {
        None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("sslrootcert {}: {e}", path.display()))?;
            if certs.is_empty() {
                return Err(format!("sslrootcert {}: no PEM certificate in it", path.display()));
            }
            for c in certs {
                store.add(c).map_err(|e| format!("sslrootcert {}: {e}", path.display()))?;
            }
        }
    }
    Ok(store)
}

/// Accepts any certificate (`prefer`, `require` without a root): encryption only.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the chain must verify; the host name may differ.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// Makes one [`Connect`] per host; given to `postgres::Config::connect` with direct TLS
/// negotiation, so the SSLRequest exchange happens here.
#[derive(Clone)]
pub(crate) struct Connector {
    pub mode: SslMode,
    pub config: Option<Arc<ClientConfig>>,
}

impl<S> MakeTlsConnect<S> for Connector
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = Guarded<S>;
    type TlsConnect = Connect;
    type Error = io::Error;

    fn make_tls_connect(&mut self, domain: &str) -> io::Result<Connect> {
        let name = ServerName::try_from(domain.to_string())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("host `{domain}`: {e}")))?;
        Ok(Connect { mode: self.mode, config: self.config.clone(), name })
    }
}

pub(crate) struct Connect {
    mode: SslMode,
    config: Option<Arc<ClientConfig>>,
    name: ServerName<'static>,
}

/// PostgreSQL's SSLRequest: length 8, code 80877103.
const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

impl<S> TlsConnect<S> for Connect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = Guarded<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Guarded<S>>> + Send>>;

    fn connect(self, mut stream: S) -> Self::Future {
        Box::pin(async move {
            let Some(config) = self.config.filter(|_| self.mode != SslMode::Disable) else {
                return Ok(Guarded::new(Inner::Plain(stream)));
            };
            stream.write_all(&SSL_REQUEST).await?;
            let mut answer = [0u8];
            stream.read_exact(&mut answer).await?;
            if answer[0] != b'S' {
                if self.mode == SslMode::Prefer {
                    tracing::debug!("server offers no TLS; sslmode=prefer continues unencrypted");
                    return Ok(Guarded::new(Inner::Plain(stream)));
                }
                return Err(io::Error::other(format!(
                    "the server does not offer TLS, and sslmode={} requires it",
                    self.mode
                )));
            }
            let tls = tokio_rustls::TlsConnector::from(config).connect(self.name, stream).await?;
            Ok(Guarded::new(Inner::Tls(Box::new(tls))))
        })
    }
}

pub(crate) enum Inner<S> {
    Plain(S),
    Tls(Box<tokio_rustls::client::TlsStream<S>>),
}

/// Watches the server's messages until authentication completes, and refuses to write once a
/// server asked for a cleartext password over a plain connection.
#[derive(Debug, Default)]
struct AuthWatch {
    header: [u8; 9],
    have: usize,
    skip: usize,
    done: bool,
    cleartext_asked: bool,
}

impl AuthWatch {
    fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() && !self.done {
            if self.skip > 0 {
                let n = self.skip.min(data.len());
                self.skip -= n;
                data = &data[n..];
                continue;
            }
            self.header[self.have] = data[0];
            self.have += 1;
            data = &data[1..];
            let auth = self.header[0] == b'R';
            if self.have < 5 || (auth && self.have < 9) {
                continue;
            }
            let len = u32::from_be_bytes([self.header[1], self.header[2], self.header[3], self.header[4]]) as usize;
            if auth {
                let code = u32::from_be_bytes([self.header[5], self.header[6], self.header[7], self.header[8]]);
                match code {
                    0 => self.done = true,
                    3 => self.cleartext_asked = true,
                    _ => {}
                }
                self.skip = len.saturating_sub(8);
            } else {
                self.skip = len.saturating_sub(4);
            }
            self.have = 0;
        }
    }
}

pub(crate) struct Guarded<S> {
    inner: Inner<S>,
    watch: AuthWatch,
}

impl<S> Guarded<S> {
    fn new(inner: Inner<S>) -> Self {
        Guarded { inner, watch: AuthWatch::default() }
    }

    fn refused(&self) -> bool {
        matches!(self.inner, Inner::Plain(_)) && self.watch.cleartext_asked
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        let poll = match &mut this.inner {
            Inner::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Inner::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        };
        if let Poll::Ready(Ok(())) = &poll {
            if !this.watch.done {
                this.watch.feed(&buf.filled()[before..]);
            }
        }
        poll
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        if self.refused() {
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::PermissionDenied, CLEARTEXT_REFUSED)));
        }
        match &mut self.inner {
            Inner::Plain(s) => Pin::new(s).poll_write(cx, data),
            Inner::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, data),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.refused() {
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::PermissionDenied, CLEARTEXT_REFUSED)));
        }
        match &mut self.inner {
            Inner::Plain(s) => Pin::new(s).poll_flush(cx),
            Inner::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.inner {
            Inner::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Inner::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for Guarded<S> {
    fn channel_binding(&self) -> ChannelBinding {
        // SCRAM without channel binding: the certificate is verified instead (verify-full).
        ChannelBinding::none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![kind];
        v.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn the_watch_sees_a_cleartext_request_split_anywhere() {
        let mut stream = msg(b'N', b"SNOTICE\0\0");
        stream.extend(msg(b'R', &3u32.to_be_bytes()));
        for cut in 0..stream.len() {
            let mut w = AuthWatch::default();
            w.feed(&stream[..cut]);
            w.feed(&stream[cut..]);
            assert!(w.cleartext_asked, "cut at {cut}");
        }
        let mut w = AuthWatch::default();
        w.feed(&msg(b'R', &[0, 0, 0, 10, b'S', b'C', b'R', b'A', b'M', 0]));
        w.feed(&msg(b'R', &0u32.to_be_bytes()));
        assert!(!w.cleartext_asked && w.done);
        w.feed(&msg(b'R', &3u32.to_be_bytes()));
        assert!(!w.cleartext_asked, "after authentication the watch stops");
    }
}
