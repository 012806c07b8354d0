//! The registry's HTTP API (axum on tokio). Every error is `{code, message}` with the status
//! [`RegistryError::status`] gives; bodies are read up to [`MAX_BODY`]; storage work runs on
//! blocking threads.

use std::sync::Arc;
use std::time::Duration;
use steward_error::ErrorCode;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::service::{Registry, MAX_BODY};
use crate::PublishRequest;
use crate::RegistryError;
use crate::{ConsistencyProof, Search, TrustView, NEXT_HEADER};

/// The OpenAPI description of this API, kept in the repository and served as is.
pub const OPENAPI: &str = include_str!("../openapi.json");

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: String,
}

/// A registry error on its way out as an HTTP response.
struct Failure(RegistryError);

impl From<RegistryError> for Failure {
    fn from(e: RegistryError) -> Self {
        Failure(e)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let Failure(e) = self;
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(error = %e, "registry error");
        }
        (status, Json(ErrorBody { code: e.code(), message: e.to_string() })).into_response()
    }
}

type Reply<T> = Result<Json<T>, Failure>;

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, RegistryError> + Send + 'static,
) -> Result<T, RegistryError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| RegistryError::Storage(format!("worker: {e}")))?
}

/// Reads a JSON body of at most [`MAX_BODY`] bytes.
async fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: Body) -> Result<T, RegistryError> {
    let too_large = || RegistryError::TooLarge(format!("the body exceeds {MAX_BODY} bytes"));
    if let Some(len) =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok())
    {
        if len > MAX_BODY as u64 {
            return Err(too_large());
        }
    }
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| too_large())?;
    serde_json::from_slice(&bytes)
        .map_err(|e| RegistryError::BadRequest(format!("the body is not valid JSON for this request: {e}")))
}

pub fn router(reg: Registry) -> Router {
    Router::new()
        .route("/v1/products", post(publish).get(search))
        .route("/v1/products/{name}", get(versions))
        .route("/v1/products/{name}/latest", get(latest))
        .route("/v1/products/{name}/versions/{version}", get(version))
        .route("/v1/products/{name}/versions/{version}/bundle", get(bundle))
        .route("/v1/digests/{digest}", get(by_digest))
        .route("/v1/actions", post(act))
        .route("/v1/trust", get(trust).put(set_trust))
        .route("/v1/log", get(log))
        .route("/v1/checkpoint", get(checkpoint))
        .route("/v1/log/consistency", get(consistency))
        .route("/v1/refusals", get(refusals))
        .route("/v1/grants", post(grant).get(grants))
        .route("/v1/grants/{digest}", get(grant_record))
        .route("/v1/grants/revoke", post(revoke_grant))
        .route("/v1/openapi.json", get(openapi))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { Failure(RegistryError::NotFound("no such endpoint; see /v1/openapi.json".into())) })
        .layer(axum::middleware::from_fn(deadline))
        .with_state(reg)
}

async fn publish(State(reg): State<Registry>, headers: HeaderMap, body: Body) -> Result<Response, Failure> {
    let req: PublishRequest = json_body(&headers, body).await?;
    let out = blocking(move || reg.publish(req)).await?;
    tracing::info!(name = %out.name, version = %out.version, index = out.log_index, "published");
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// A page of a listing: at most `limit` items after `after`.
#[derive(Deserialize)]
struct Page {
    after: Option<String>,
    limit: Option<u32>,
}

async fn search(
    State(reg): State<Registry>,
    q: Result<Query<Search>, axum::extract::rejection::QueryRejection>,
    page: Result<Query<Page>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, Failure> {
    let Query(q) = q.map_err(|e| RegistryError::BadRequest(e.body_text()))?;
    let Query(page) = page.map_err(|e| RegistryError::BadRequest(e.body_text()))?;
    let (found, next) = blocking(move || reg.search_page(&q, page.after.as_deref(), page.limit.unwrap_or(100))).await?;
    let mut resp = Json(found).into_response();
    if let Some(n) = next.and_then(|n| header::HeaderValue::from_str(&n).ok()) {
        resp.headers_mut().insert(NEXT_HEADER, n);
    }
    Ok(resp)
}

async fn versions(State(reg): State<Registry>, Path(name): Path<String>) -> Reply<Vec<crate::VersionInfo>> {
    Ok(Json(blocking(move || reg.versions(&name)).await?))
}

async fn latest(State(reg): State<Registry>, Path(name): Path<String>) -> Reply<crate::VersionRecord> {
    Ok(Json(blocking(move || reg.latest(&name)).await?))
}

async fn version(State(reg): State<Registry>, Path((name, v)): Path<(String, String)>) -> Result<Response, Failure> {
    // Its status is read from the database every time; only the signed envelope is cached.
    let json = blocking(move || reg.get_json(&name, &v)).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}

async fn bundle(State(reg): State<Registry>, Path((name, v)): Path<(String, String)>) -> Reply<crate::Bundle> {
    Ok(Json(blocking(move || reg.bundle(&name, &v)).await?))
}

async fn by_digest(State(reg): State<Registry>, Path(d): Path<String>) -> Reply<crate::VersionRecord> {
    Ok(Json(blocking(move || reg.by_digest(&d)).await?))
}

async fn act(State(reg): State<Registry>, headers: HeaderMap, body: Body) -> Reply<crate::LogEntry> {
    let env = json_body(&headers, body).await?;
    Ok(Json(blocking(move || reg.act(env)).await?))
}

async fn grant(State(reg): State<Registry>, headers: HeaderMap, body: Body) -> Result<Response, Failure> {
    let env = json_body(&headers, body).await?;
    let out = blocking(move || reg.grant(env)).await?;
    tracing::info!(product = %out.grant.product, profile = %out.grant.profile, index = out.log_index, "granted");
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

async fn revoke_grant(State(reg): State<Registry>, headers: HeaderMap, body: Body) -> Reply<crate::LogEntry> {
    let env = json_body(&headers, body).await?;
    Ok(Json(blocking(move || reg.revoke_grant(env)).await?))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantsQuery {
    product: String,
    consumer: Option<String>,
    /// The log index of the last grant of the previous page.
    after: Option<u64>,
}

async fn grants(
    State(reg): State<Registry>,
    q: Result<Query<GrantsQuery>, axum::extract::rejection::QueryRejection>,
) -> Reply<Vec<steward_registry_core::GrantRecord>> {
    let Query(q) = q.map_err(|e| RegistryError::BadRequest(e.body_text()))?;
    if q.consumer.as_ref().is_some_and(|c| c.len() > 100) {
        return Err(RegistryError::Invalid("consumer: a key fingerprint (`SHA256:…`)".into()).into());
    }
    Ok(Json(blocking(move || reg.grants(&q.product, q.consumer.as_deref(), q.after)).await?))
}

async fn grant_record(
    State(reg): State<Registry>,
    Path(digest): Path<String>,
) -> Reply<steward_registry_core::GrantRecord> {
    if digest.len() > 100 {
        return Err(RegistryError::Invalid("a grant is named by its `sha256:` digest".into()).into());
    }
    Ok(Json(blocking(move || reg.grant_record(&digest)).await?))
}

async fn trust(State(reg): State<Registry>) -> Reply<TrustView> {
    let roots: Vec<String> = reg.roots().iter().map(|k| k.to_text()).collect();
    let registry_key = Some(reg.public_key().to_text());
    let (current, checkpoint) = blocking(move || Ok((reg.trust()?, reg.checkpoint().ok()))).await?;
    Ok(Json(TrustView { roots, current, registry_key, checkpoint }))
}

async fn checkpoint(State(reg): State<Registry>) -> Reply<steward_signing::Envelope> {
    Ok(Json(blocking(move || reg.checkpoint()).await?))
}

#[derive(Deserialize)]
struct ConsistencyQuery {
    from: u64,
    to: u64,
}

async fn consistency(
    State(reg): State<Registry>,
    q: Result<Query<ConsistencyQuery>, axum::extract::rejection::QueryRejection>,
) -> Reply<ConsistencyProof> {
    let Query(q) = q.map_err(|e| RegistryError::BadRequest(e.body_text()))?;
    let proof = blocking(move || reg.consistency(q.from, q.to)).await?;
    Ok(Json(ConsistencyProof { from: q.from, to: q.to, proof }))
}

#[derive(Deserialize)]
struct LimitQuery {
    limit: Option<u64>,
}

async fn refusals(
    State(reg): State<Registry>,
    q: Result<Query<LimitQuery>, axum::extract::rejection::QueryRejection>,
) -> Reply<Vec<crate::Refusal>> {
    let Query(q) = q.map_err(|e| RegistryError::BadRequest(e.body_text()))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=crate::MAX_REFUSALS).contains(&limit) {
        return Err(RegistryError::Invalid(format!("limit: 1-{} refusals", crate::MAX_REFUSALS)).into());
    }
    Ok(Json(blocking(move || reg.refusals(limit)).await?))
}

async fn set_trust(State(reg): State<Registry>, headers: HeaderMap, body: Body) -> Reply<crate::LogEntry> {
    let env = json_body(&headers, body).await?;
    Ok(Json(blocking(move || reg.set_trust(env)).await?))
}

#[derive(Deserialize)]
struct LogQuery {
    from: Option<u64>,
    limit: Option<u64>,
}

async fn log(
    State(reg): State<Registry>,
    q: Result<Query<LogQuery>, axum::extract::rejection::QueryRejection>,
) -> Reply<Vec<crate::LogEntry>> {
    let Query(q) = q.map_err(|e| RegistryError::BadRequest(e.body_text()))?;
    let limit = q.limit.unwrap_or(1000);
    if !(1..=10_000).contains(&limit) {
        return Err(RegistryError::Invalid("limit: 1-10,000 entries".into()).into());
    }
    let from = q.from.unwrap_or(0);
    if from > i64::MAX as u64 {
        return Err(RegistryError::BadRequest(format!("from: {from} is beyond any log index")).into());
    }
    Ok(Json(blocking(move || reg.log(from, limit)).await?))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// How long the server waits for a request's headers, for a whole request (body read and
/// answer), and for a TLS handshake; how many connections it serves at once (more wait in the
/// kernel's backlog until one closes).
pub use steward_serve::{Tls, HEADER_TIMEOUT, MAX_CONNECTIONS};
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Answers 408 when a request (reading its body included) takes longer than [`REQUEST_TIMEOUT`].
async fn deadline(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(r) => r,
        Err(_) => {
            Failure(RegistryError::Timeout(format!("the request took longer than {} s", REQUEST_TIMEOUT.as_secs())))
                .into_response()
        }
    }
}

/// Serves `reg` on `listener` (over TLS when `tls` is given) until Ctrl-C or SIGTERM: headers
/// must arrive within [`HEADER_TIMEOUT`], a request finish within [`REQUEST_TIMEOUT`], and at
/// most [`MAX_CONNECTIONS`] connections are served at once.
pub async fn serve(
    reg: Registry,
    listener: tokio::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> std::io::Result<()> {
    steward_serve::serve(router(reg), listener, tls).await
}
