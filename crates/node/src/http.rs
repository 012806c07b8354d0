//! The node's HTTP API. Every product endpoint verifies the request's signature (RFC 9421),
//! finds the caller's grant, answers from one snapshot through the granted profile's view only,
//! enters the answer in the access log (on disk before it leaves) and says where the data comes
//! from: `steward-product` (name@version), `steward-definition-digest`, `steward-profile`,
//! `steward-key-version`, `steward-as-of` — in the Arrow and Parquet metadata as well. A refusal
//! is `{code, message}` and carries nothing of the data.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use polars::prelude::*;
use steward_error::ErrorCode;
use steward_httpsig::Verifier;
use steward_registry_client::Grant;

use crate::access::{Access, AccessLog};
use crate::grants::GrantBook;
use crate::metrics::Metrics;
use crate::snapshot::{Served, Snapshot, StreamMetadata, View};
use crate::NodeError;

/// Entities per page of `/rows` at most.
pub const MAX_ROWS: u32 = 1000;

/// What the handlers share.
pub struct NodeState {
    pub products: HashMap<String, Arc<Served>>,
    pub grants: Arc<GrantBook>,
    pub verifier: Verifier,
    pub log: AccessLog,
    pub metrics: Metrics,
}

type Shared = Arc<NodeState>;

struct Failure(NodeError);

impl From<NodeError> for Failure {
    fn from(e: NodeError) -> Self {
        Failure(e)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        use steward_httpsig::SignatureError as S;
        let status = match &self.0 {
            NodeError::Signature(S::UnknownKey(_)) | NodeError::Forbidden(_) => StatusCode::FORBIDDEN,
            NodeError::Signature(S::Busy) | NodeError::Timeout(_) => StatusCode::SERVICE_UNAVAILABLE,
            NodeError::Signature(_) => StatusCode::UNAUTHORIZED,
            NodeError::NotFound(_) | NodeError::Unpublished(_) => StatusCode::NOT_FOUND,
            NodeError::BadRequest(_) => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let body = serde_json::json!({ "code": self.0.code(), "message": self.0.to_string() });
        (status, Json(body)).into_response()
    }
}

/// A verified, granted request: what it may read.
struct Granted {
    served: Arc<Served>,
    snapshot: Arc<Snapshot>,
    view: Arc<View>,
    grant: Grant,
}

impl Granted {
    fn access(&self, endpoint: &'static str, entities: u64) -> Access {
        Access {
            consumer: self.grant.consumer.fingerprint(),
            consumer_name: self.grant.consumer_name.clone(),
            product: self.served.published.name().to_string(),
            version: self.served.published.version().to_string(),
            profile: self.grant.profile.clone(),
            endpoint,
            entities,
        }
    }

    fn provenance(&self) -> Vec<(&'static str, String)> {
        let p = &self.served.published;
        vec![
            ("steward-product", format!("{}@{}", p.name(), p.version())),
            ("steward-definition-digest", p.verified.digest.clone()),
            ("steward-profile", self.grant.profile.clone()),
            ("steward-key-version", self.view.key_version.map_or_else(|| "none".into(), |v| v.to_string())),
            ("steward-as-of", self.snapshot.as_of.clone()),
        ]
    }

    fn headers(&self, content_type: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        for (k, v) in self.provenance() {
            if let Ok(v) = HeaderValue::from_str(&v) {
                h.insert(HeaderName::from_static(k), v);
            }
        }
        h
    }
}

async fn authorize(
    s: &NodeState,
    name: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Granted, NodeError> {
    let served = s
        .products
        .get(name)
        .cloned()
        .ok_or_else(|| NodeError::NotFound(format!("this node serves no product `{name}`")))?;
    let fields: Vec<(&str, &str)> =
        headers.iter().filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str(), v))).collect();
    let authority = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let req = steward_httpsig::Request {
        method: method.as_str(),
        authority,
        path: uri.path(),
        query: uri.query(),
        headers: &fields,
    };
    let now = chrono::Utc::now();
    let who = s.verifier.verify(&req, now.timestamp(), |keyid| s.grants.key(keyid))?;
    let grant = s.grants.grant_for(&who.keyid, &served.published, now)?;
    let snapshot = served.current();
    let view = match snapshot.view(&grant.profile) {
        Some(v) => v,
        // A profile granted since the snapshot was built: built once, off the workers.
        None => {
            let (sv, sn, profile) = (served.clone(), snapshot.clone(), grant.profile.clone());
            blocking(move || sv.view(&sn, &profile)).await?
        }
    };
    Ok(Granted { served, snapshot, view, grant })
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, NodeError> + Send + 'static,
) -> Result<T, NodeError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| NodeError::Io(format!("worker: {e}")))?
}

fn json_rows(df: &DataFrame) -> Result<Vec<u8>, NodeError> {
    let mut df =
        steward_app::display::json_frame(df).map_err(|(c, e)| NodeError::Workspace(format!("field `{c}`: {e}")))?;
    let mut buf = Vec::new();
    JsonWriter::new(&mut buf)
        .with_json_format(JsonFormat::Json)
        .finish(&mut df)
        .map_err(|e| NodeError::Io(e.to_string()))?;
    Ok(buf)
}

/// Runs `answer`, records its status and time, and turns a refusal into `{code, message}`.
async fn timed(
    s: &NodeState,
    product: &str,
    endpoint: &'static str,
    answer: impl std::future::Future<Output = Result<Response, NodeError>>,
) -> Response {
    let started = Instant::now();
    let r = match answer.await {
        Ok(r) => r,
        Err(e) => Failure(e).into_response(),
    };
    s.metrics.record(product, endpoint, r.status().as_u16(), started.elapsed());
    r
}

async fn entity(
    State(s): State<Shared>,
    Path((name, key)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let answer = async {
        let g = authorize(&s, &name, &method, &uri, &headers).await?;
        if key.len() > 1000 {
            return Err(NodeError::BadRequest("an entity key has at most 1000 characters".into()));
        }
        // A hash lookup and one row already nested: done here, a hop to the blocking pool costs
        // more than the work.
        let parts = steward_app::parse_entity_key(&key);
        let row = g.view.table.entity(&parts).map_err(|e| NodeError::BadRequest(e.to_string()))?;
        s.log.append(g.access("entity", row.height() as u64)).await?;
        if row.height() == 0 {
            return Err(NodeError::NotFound(format!("no entity with key `{key}` in the data this grant reads")));
        }
        let body = json_rows(&row)?;
        // One object, not a list of one.
        let body = body.strip_prefix(b"[").and_then(|b| b.strip_suffix(b"]")).map(<[u8]>::to_vec).unwrap_or(body);
        Ok((g.headers("application/json"), body).into_response())
    };
    timed(&s, &name, "entity", answer).await
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Page {
    offset: Option<u64>,
    limit: Option<u32>,
}

async fn rows(
    State(s): State<Shared>,
    Path(name): Path<String>,
    q: Result<Query<Page>, axum::extract::rejection::QueryRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let answer = async {
        let g = authorize(&s, &name, &method, &uri, &headers).await?;
        let Query(q) = q.map_err(|e| NodeError::BadRequest(e.body_text()))?;
        let limit = q.limit.unwrap_or(100);
        if !(1..=MAX_ROWS).contains(&limit) {
            return Err(NodeError::BadRequest(format!("limit: 1 to {MAX_ROWS} entities")));
        }
        let offset = q.offset.unwrap_or(0).min(i64::MAX as u64) as i64;
        let view = g.view.clone();
        let (entities, body) = blocking(move || {
            let page = view.table.page(offset, limit).map_err(|e| NodeError::Workspace(e.to_string()))?;
            Ok((page.height() as u64, json_rows(&page)?))
        })
        .await?;
        s.log.append(g.access("rows", entities)).await?;
        let mut h = g.headers("application/json");
        h.insert("steward-total-entities", HeaderValue::from(g.view.table.len() as u64));
        Ok((h, body).into_response())
    };
    timed(&s, &name, "rows", answer).await
}

/// `steward-as-of` → `steward.as_of`: the provenance's names in Arrow and Parquet metadata.
fn metadata_key(header: &str) -> String {
    header.replacen("steward-", "steward.", 1).replace('-', "_")
}

fn metadata(g: &Granted) -> StreamMetadata {
    g.provenance().into_iter().map(|(k, v)| (PlSmallStr::from(metadata_key(k)), PlSmallStr::from(v))).collect()
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StreamQuery {
    /// `lz4`: the stream's buffers compressed.
    compression: Option<String>,
}

async fn arrow(
    State(s): State<Shared>,
    Path(name): Path<String>,
    q: Result<Query<StreamQuery>, axum::extract::rejection::QueryRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let answer = async {
        let g = authorize(&s, &name, &method, &uri, &headers).await?;
        let Query(q) = q.map_err(|e| NodeError::BadRequest(e.body_text()))?;
        let lz4 = match q.compression.as_deref() {
            None => false,
            Some("lz4") => true,
            Some(other) => return Err(NodeError::BadRequest(format!("compression: `lz4` or none, not `{other}`"))),
        };
        let (view, meta) = (g.view.clone(), metadata(&g));
        let bytes = blocking(move || view.stream(meta, lz4)).await?;
        s.log.append(g.access("arrow", g.view.table.len() as u64)).await?;
        Ok((g.headers("application/vnd.apache.arrow.stream"), Body::from(bytes)).into_response())
    };
    timed(&s, &name, "arrow", answer).await
}

async fn parquet(
    State(s): State<Shared>,
    Path(name): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let answer = async {
        let g = authorize(&s, &name, &method, &uri, &headers).await?;
        let view = g.view.clone();
        let kv: Vec<(String, String)> = g.provenance().into_iter().map(|(k, v)| (metadata_key(k), v)).collect();
        let bytes = blocking(move || {
            let mut df = view.table.frame().clone();
            let mut buf = Vec::new();
            ParquetWriter::new(&mut buf)
                .with_key_value_metadata(Some(KeyValueMetadata::from_static(kv)))
                .finish(&mut df)
                .map_err(|e| NodeError::Io(e.to_string()))?;
            Ok(buf)
        })
        .await?;
        s.log.append(g.access("parquet", g.view.table.len() as u64)).await?;
        Ok((g.headers("application/vnd.apache.parquet"), bytes).into_response())
    };
    timed(&s, &name, "parquet", answer).await
}

/// The newest accesses to a product, for its owners (an `unmasked` grant): who read it, when,
/// under which profile, how many entities — never values.
async fn accesses(
    State(s): State<Shared>,
    Path(name): Path<String>,
    q: Result<Query<Page>, axum::extract::rejection::QueryRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let answer = async {
        let g = authorize(&s, &name, &method, &uri, &headers).await?;
        if g.grant.profile != steward_registry_client::UNMASKED {
            return Err(NodeError::Forbidden(
                "the access log is for the product's owners: it takes an `unmasked` grant".into(),
            ));
        }
        let Query(q) = q.map_err(|e| NodeError::BadRequest(e.body_text()))?;
        let limit = q.limit.unwrap_or(50);
        if !(1..=MAX_ROWS / 2).contains(&limit) || q.offset.is_some() {
            return Err(NodeError::BadRequest(format!("limit: 1 to {} accesses, no offset", MAX_ROWS / 2)));
        }
        let recent = s.log.recent(&name, limit as usize);
        s.log.append(g.access("accesses", 0)).await?;
        Ok((g.headers("application/json"), Json(recent)).into_response())
    };
    timed(&s, &name, "accesses", answer).await
}

async fn metrics(State(s): State<Shared>) -> Response {
    let served: Vec<&Served> = s.products.values().map(|p| p.as_ref()).collect();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], s.metrics.render(&served)).into_response()
}

/// How long an entity, a page, the accesses or the metrics may take: answers cut short by a
/// slow reader are the connection loop's to end (`steward_serve::WRITE_STALL`). The whole-product
/// streams have no deadline: their length is the product's.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Answers 503 `node.timeout` when a bounded request takes longer than [`REQUEST_TIMEOUT`].
async fn deadline(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(r) => r,
        Err(_) => Failure(NodeError::Timeout(format!("the request took longer than {} s", REQUEST_TIMEOUT.as_secs())))
            .into_response(),
    }
}

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/v1/products/{name}/entities/{key}", get(entity))
        .route("/v1/products/{name}/rows", get(rows))
        .route("/v1/products/{name}/accesses", get(accesses))
        .route("/metrics", get(metrics))
        .route("/healthz", get(|| async { "ok" }))
        // The routes above have a deadline; the streams below do not.
        .route_layer(axum::middleware::from_fn(deadline))
        .route("/v1/products/{name}/arrow", get(arrow))
        .route("/v1/products/{name}/parquet", get(parquet))
        .fallback(|| async { Failure(NodeError::NotFound("no such endpoint".into())) })
        .with_state(state)
}

/// Serves `state` on `listen` until Ctrl-C or SIGTERM; `ready` is told the bound address.
/// Every `refresh` the sources are checked and the grants fetched again, in the background.
pub fn serve_blocking(
    state: Shared,
    listen: &str,
    refresh: std::time::Duration,
    on_refresh: impl Fn(&NodeState) + Send + Sync + 'static,
    ready: impl FnOnce(std::net::SocketAddr),
) -> Result<(), NodeError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| NodeError::Io(format!("runtime: {e}")))?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| NodeError::BadRequest(format!("cannot listen on {listen}: {e}")))?;
        let addr = listener.local_addr().map_err(|e| NodeError::Io(e.to_string()))?;
        let bg = state.clone();
        let on_refresh = Arc::new(on_refresh);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(refresh).await;
                let (st, f) = (bg.clone(), on_refresh.clone());
                let _ = tokio::task::spawn_blocking(move || f(&st)).await;
            }
        });
        tracing::info!(%addr, "node listening");
        ready(addr);
        steward_serve::serve(router(state), listener, None).await.map_err(|e| NodeError::Io(format!("server: {e}")))
    })
}
