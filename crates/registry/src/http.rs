//! The registry's HTTP API (axum on tokio). Every error is `{code, message}` with the status
//! [`RegistryError::status`] gives; bodies are read up to [`MAX_BODY`]; storage work runs on
//! blocking threads.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::service::{Registry, Search, MAX_BODY};
use crate::types::PublishRequest;
use crate::RegistryError;

/// The OpenAPI description of this API, kept in the repository and served as is.
pub const OPENAPI: &str = include_str!("../openapi.json");

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: String,
}

impl IntoResponse for RegistryError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(error = %self, "registry error");
        }
        (status, Json(ErrorBody { code: self.code(), message: self.to_string() })).into_response()
    }
}

type Reply<T> = Result<Json<T>, RegistryError>;

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
        .route("/v1/openapi.json", get(openapi))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { RegistryError::NotFound("no such endpoint; see /v1/openapi.json".into()) })
        .with_state(reg)
}

async fn publish(State(reg): State<Registry>, headers: HeaderMap, body: Body) -> Result<Response, RegistryError> {
    let req: PublishRequest = json_body(&headers, body).await?;
    let out = blocking(move || reg.publish(req)).await?;
    tracing::info!(name = %out.name, version = %out.version, index = out.log_index, "published");
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

async fn search(
    State(reg): State<Registry>,
    q: Result<Query<Search>, axum::extract::rejection::QueryRejection>,
) -> Reply<Vec<crate::ProductSummary>> {
    let Query(q) = q.map_err(|e| RegistryError::BadRequest(e.body_text()))?;
    Ok(Json(blocking(move || reg.search(&q)).await?))
}

async fn versions(State(reg): State<Registry>, Path(name): Path<String>) -> Reply<Vec<crate::VersionInfo>> {
    Ok(Json(blocking(move || reg.versions(&name)).await?))
}

async fn latest(State(reg): State<Registry>, Path(name): Path<String>) -> Reply<crate::VersionRecord> {
    Ok(Json(blocking(move || reg.latest(&name)).await?))
}

async fn version(
    State(reg): State<Registry>,
    Path((name, v)): Path<(String, String)>,
) -> Result<Response, RegistryError> {
    // Published versions never change: most reads are answered from memory, off the blocking pool.
    let json = match reg.cached_json(&name, &v) {
        Some(hit) => hit,
        None => blocking(move || reg.get_json(&name, &v)).await?,
    };
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

async fn trust(State(reg): State<Registry>) -> Reply<TrustView> {
    let roots: Vec<String> = reg.roots().iter().map(|k| k.to_text()).collect();
    let current = blocking(move || reg.trust()).await?;
    Ok(Json(TrustView { roots, current }))
}

/// The trust policy in force, and the root admin keys the registry started with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustView {
    pub roots: Vec<String>,
    pub current: Option<crate::StoredTrust>,
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
        return Err(RegistryError::Invalid("limit: 1-10,000 entries".into()));
    }
    Ok(Json(blocking(move || reg.log(q.from.unwrap_or(0), limit)).await?))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// Serves `reg` on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(reg: Registry, listener: tokio::net::TcpListener) -> std::io::Result<()> {
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
    axum::serve(listener, router(reg)).with_graceful_shutdown(shutdown).await
}
