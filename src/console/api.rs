// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The JSON API under `/api/v1`. Each handler carries its OpenAPI description
//! (`#[utoipa::path]`); [`routes`] registers handler and description together, so the
//! document served at `/api/v1/openapi.json` lists exactly the routes there are.
//!
//! Every call to Kubernetes is made with the [`Caller`]'s client. Kubernetes' refusals come
//! back unchanged ([`ApiError`]): a 403 is a 403 with the API server's message.

use std::convert::Infallible;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::{Stream, StreamExt as _};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::reads;
use super::state::{ApiError, AppState, Caller};
use super::trace::Waterfall;
use super::view::{self, PodRow, TenantList, TenantRow};
use crate::api::v1alpha1::{Pool, Tenant};
use crate::effects::console as writes;

/// The OpenAPI document's frame; the paths come from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "rustfs-operator console API",
        description = "Tenants, pods and events, read and changed as the caller: every call to \
                       Kubernetes carries the caller's own bearer token, so RBAC decides."
    ),
    components(schemas(ApiError)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every API route with its description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(list_tenants, create_tenant))
        .routes(routes!(list_namespace_tenants))
        .routes(routes!(get_tenant, update_tenant, delete_tenant))
        .routes(routes!(add_pool))
        .routes(routes!(list_pods))
        .routes(routes!(pod_logs))
        .routes(routes!(restart_pod))
        .routes(routes!(tenant_trace))
        .routes(routes!(watch_events))
        .routes(routes!(watch_tenants))
        .routes(routes!(list_namespaces))
        .routes(routes!(whoami))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NamespaceQuery {
    /// Only this namespace (default: every namespace the caller may list).
    pub namespace: Option<String>,
}

/// List Tenants, across namespaces or in one, with the counts per phase.
#[utoipa::path(get, path = "/api/v1/tenants", tag = "tenants", params(NamespaceQuery),
    responses((status = 200, body = TenantList), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
async fn list_tenants(
    caller: Caller,
    Query(q): Query<NamespaceQuery>,
) -> Result<Json<TenantList>, ApiError> {
    let ns = q.namespace.filter(|n| !n.is_empty());
    let items = reads::tenants(&caller.client, ns.as_deref()).await?;
    Ok(Json(view::tenant_list(&items, chrono::Utc::now())))
}

/// List the Tenants of one namespace, with the counts per phase.
#[utoipa::path(get, path = "/api/v1/namespaces/{namespace}/tenants", tag = "tenants",
    params(("namespace" = String, Path)),
    responses((status = 200, body = TenantList), (status = 403, body = ApiError)))]
async fn list_namespace_tenants(
    caller: Caller,
    Path(namespace): Path<String>,
) -> Result<Json<TenantList>, ApiError> {
    let items = reads::tenants(&caller.client, Some(&namespace)).await?;
    Ok(Json(view::tenant_list(&items, chrono::Utc::now())))
}

/// One Tenant: its row, spec, status, conditions and transitions.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantDetail {
    pub summary: TenantRow,
    #[schema(value_type = Object)]
    pub spec: Value,
    #[schema(value_type = Object)]
    pub status: Value,
    #[schema(value_type = Vec<Object>)]
    pub conditions: Value,
    /// The last phase transitions, each with the trace id of the reconcile that made it.
    #[schema(value_type = Vec<Object>)]
    pub transitions: Value,
    /// The whole object as YAML, without managedFields.
    pub yaml: String,
}

/// Read one Tenant.
#[utoipa::path(get, path = "/api/v1/namespaces/{namespace}/tenants/{name}", tag = "tenants",
    params(("namespace" = String, Path), ("name" = String, Path)),
    responses((status = 200, body = TenantDetail), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
async fn get_tenant(
    caller: Caller,
    Path((namespace, name)): Path<(String, String)>,
) -> Result<Json<TenantDetail>, ApiError> {
    let t = reads::tenant(&caller.client, &namespace, &name).await?;
    let status = serde_json::to_value(t.status.clone().unwrap_or_default()).unwrap_or_default();
    Ok(Json(TenantDetail {
        summary: view::tenant_row(&t, chrono::Utc::now()),
        spec: serde_json::to_value(&t.spec).unwrap_or_default(),
        conditions: status["conditions"].clone(),
        transitions: status["transitions"].clone(),
        status,
        yaml: view::tenant_yaml(&t),
    }))
}

/// What a write did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub namespace: String,
    pub name: String,
    pub message: String,
    /// For a delete: the claims that stay (the data is kept). Empty when the caller may not
    /// list claims.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept_claims: Vec<String>,
}

/// A Tenant from a YAML or JSON body, ready to apply: kind and apiVersion checked, fields the
/// server owns (status, resourceVersion, uid, managedFields...) dropped.
fn tenant_from_body(body: &str) -> Result<Value, ApiError> {
    let mut value: Value = serde_yaml::from_str(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not YAML or JSON: {e}")))?;
    let obj = value
        .as_object_mut()
        .ok_or_else(|| ApiError::bad_request("the body is not an object"))?;
    match obj.get("kind").and_then(Value::as_str) {
        Some("Tenant") | None => {}
        Some(other) => return Err(ApiError::bad_request(format!("kind {other} is not Tenant"))),
    }
    let api_version = api_version();
    let api_version = api_version.as_str();
    match obj.get("apiVersion").and_then(Value::as_str) {
        Some(v) if v == api_version => {}
        None => {}
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "apiVersion {other} is not {api_version}"
            )));
        }
    }
    obj.insert("kind".into(), "Tenant".into());
    obj.insert("apiVersion".into(), api_version.into());
    obj.remove("status");
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        for key in [
            "resourceVersion",
            "uid",
            "managedFields",
            "creationTimestamp",
            "generation",
            "deletionTimestamp",
        ] {
            meta.remove(key);
        }
    }
    Ok(value)
}

/// `rustfs.com/v1alpha1`, from the Tenant type.
fn api_version() -> String {
    <Tenant as kube::Resource>::api_version(&()).into_owned()
}

fn name_of(t: &Value) -> Option<&str> {
    t["metadata"]["name"].as_str().filter(|n| !n.is_empty())
}

/// Create a Tenant from YAML or JSON, by server-side apply (field manager `rustfs-console`).
/// The namespace is the object's, else the `namespace` query parameter.
#[utoipa::path(post, path = "/api/v1/tenants", tag = "tenants", params(NamespaceQuery),
    request_body(content = String, description = "A Tenant in YAML or JSON", content_type = "application/yaml"),
    responses((status = 201, body = Outcome), (status = 400, body = ApiError), (status = 403, body = ApiError),
              (status = 409, body = ApiError, description = "a Tenant of that name exists"), (status = 422, body = ApiError)))]
async fn create_tenant(
    caller: Caller,
    Query(q): Query<NamespaceQuery>,
    body: String,
) -> Result<(StatusCode, Json<Outcome>), ApiError> {
    let mut t = tenant_from_body(&body)?;
    let name = name_of(&t)
        .ok_or_else(|| ApiError::bad_request("metadata.name is required"))?
        .to_owned();
    let from_object = t["metadata"]["namespace"].as_str().map(str::to_owned);
    let namespace = match (from_object, q.namespace.filter(|n| !n.is_empty())) {
        (Some(a), Some(b)) if a != b => {
            return Err(ApiError::bad_request(format!(
                "metadata.namespace {a} differs from the namespace parameter {b}"
            )));
        }
        (Some(ns), _) | (None, Some(ns)) => ns,
        (None, None) => {
            return Err(ApiError::bad_request(
                "name a namespace: metadata.namespace or ?namespace=",
            ));
        }
    };
    t["metadata"]["namespace"] = namespace.clone().into();
    match reads::tenant(&caller.client, &namespace, &name).await {
        Ok(_) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "AlreadyExists",
                format!("Tenant {namespace}/{name} exists; change it with PUT"),
            ));
        }
        Err(kube::Error::Api(e)) if e.code == 404 => {}
        Err(e) => return Err(e.into()),
    }
    writes::apply_tenant(&caller.client, &namespace, &name, &t, false).await?;
    tracing::info!(%namespace, %name, user = caller.user.as_deref().unwrap_or("(bearer)"), "Tenant created from the console");
    Ok((
        StatusCode::CREATED,
        Json(Outcome {
            message: format!("Tenant {namespace}/{name} created"),
            namespace,
            name,
            kept_claims: Vec::new(),
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForceQuery {
    /// Take over fields another field manager owns (server-side apply `force`).
    #[serde(default)]
    pub force: bool,
}

/// Change a Tenant: server-side apply of the whole object as `rustfs-console`. A field owned
/// by another manager is a 409 unless `force=true`.
#[utoipa::path(put, path = "/api/v1/namespaces/{namespace}/tenants/{name}", tag = "tenants",
    params(("namespace" = String, Path), ("name" = String, Path), ForceQuery),
    request_body(content = String, description = "The Tenant in YAML or JSON", content_type = "application/yaml"),
    responses((status = 200, body = Outcome), (status = 400, body = ApiError), (status = 403, body = ApiError),
              (status = 409, body = ApiError), (status = 422, body = ApiError)))]
async fn update_tenant(
    caller: Caller,
    Path((namespace, name)): Path<(String, String)>,
    Query(q): Query<ForceQuery>,
    body: String,
) -> Result<Json<Outcome>, ApiError> {
    let mut t = tenant_from_body(&body)?;
    if name_of(&t).is_some_and(|n| n != name) {
        return Err(ApiError::bad_request("metadata.name differs from the path"));
    }
    if t["metadata"]["namespace"]
        .as_str()
        .is_some_and(|n| n != namespace)
    {
        return Err(ApiError::bad_request(
            "metadata.namespace differs from the path",
        ));
    }
    if !t["metadata"].is_object() {
        t["metadata"] = serde_json::json!({});
    }
    t["metadata"]["name"] = name.clone().into();
    t["metadata"]["namespace"] = namespace.clone().into();
    writes::apply_tenant(&caller.client, &namespace, &name, &t, q.force).await?;
    Ok(Json(Outcome {
        message: format!("Tenant {namespace}/{name} applied"),
        namespace,
        name,
        kept_claims: Vec::new(),
    }))
}

/// Delete a Tenant. Its pods, StatefulSets and Services go; its PersistentVolumeClaims, and
/// so the data, stay (the answer names them).
#[utoipa::path(delete, path = "/api/v1/namespaces/{namespace}/tenants/{name}", tag = "tenants",
    params(("namespace" = String, Path), ("name" = String, Path)),
    responses((status = 200, body = Outcome), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
async fn delete_tenant(
    caller: Caller,
    Path((namespace, name)): Path<(String, String)>,
) -> Result<Json<Outcome>, ApiError> {
    writes::delete_tenant(&caller.client, &namespace, &name).await?;
    let kept = reads::claims(&caller.client, &namespace, &name)
        .await
        .unwrap_or_default();
    tracing::info!(%namespace, %name, user = caller.user.as_deref().unwrap_or("(bearer)"), "Tenant deleted from the console");
    Ok(Json(Outcome {
        message: format!(
            "Tenant {namespace}/{name} deleted. Its PersistentVolumeClaims are not deleted: \
             the data stays until you delete them{}",
            if kept.is_empty() {
                String::new()
            } else {
                format!(" ({})", kept.join(", "))
            }
        ),
        namespace,
        name,
        kept_claims: kept,
    }))
}

/// Add a pool to a Tenant (the body is one `spec.pools[]` item, YAML or JSON).
#[utoipa::path(post, path = "/api/v1/namespaces/{namespace}/tenants/{name}/pools", tag = "tenants",
    params(("namespace" = String, Path), ("name" = String, Path)),
    request_body(content = String, description = "A pool, as in spec.pools[]", content_type = "application/yaml"),
    responses((status = 200, body = Outcome), (status = 400, body = ApiError), (status = 403, body = ApiError),
              (status = 409, body = ApiError), (status = 422, body = ApiError)))]
async fn add_pool(
    caller: Caller,
    Path((namespace, name)): Path<(String, String)>,
    body: String,
) -> Result<Json<Outcome>, ApiError> {
    let pool: Value = serde_yaml::from_str(&body)
        .map_err(|e| ApiError::bad_request(format!("the body is not YAML or JSON: {e}")))?;
    let parsed: Pool = serde_json::from_value(pool.clone())
        .map_err(|e| ApiError::bad_request(format!("not a pool: {e}")))?;
    let t = reads::tenant(&caller.client, &namespace, &name).await?;
    if t.spec.pools.iter().any(|p| p.name == parsed.name) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "AlreadyExists",
            format!(
                "Tenant {namespace}/{name} has a pool {} already",
                parsed.name
            ),
        ));
    }
    let mut pools: Vec<Value> = t
        .spec
        .pools
        .iter()
        .map(|p| serde_json::to_value(p).unwrap_or_default())
        .collect();
    pools.push(pool);
    let rv = t.metadata.resource_version.clone().unwrap_or_default();
    writes::set_pools(&caller.client, &namespace, &name, &rv, &pools).await?;
    Ok(Json(Outcome {
        message: format!("pool {} added to Tenant {namespace}/{name}", parsed.name),
        namespace,
        name,
        kept_claims: Vec::new(),
    }))
}

/// A Tenant's pods.
#[utoipa::path(get, path = "/api/v1/namespaces/{namespace}/tenants/{name}/pods", tag = "pods",
    params(("namespace" = String, Path), ("name" = String, Path)),
    responses((status = 200, body = Vec<PodRow>), (status = 403, body = ApiError)))]
async fn list_pods(
    caller: Caller,
    Path((namespace, name)): Path<(String, String)>,
) -> Result<Json<Vec<PodRow>>, ApiError> {
    Ok(Json(reads::pods(&caller.client, &namespace, &name).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct LogQuery {
    /// Lines from the end (default 500, at most 10000).
    pub tail_lines: Option<i64>,
    /// Container (default: the pod's first).
    pub container: Option<String>,
}

/// The log of one of the Tenant's pods, as text.
#[utoipa::path(get, path = "/api/v1/namespaces/{namespace}/tenants/{name}/pods/{pod}/logs", tag = "pods",
    params(("namespace" = String, Path), ("name" = String, Path), ("pod" = String, Path), LogQuery),
    responses((status = 200, body = String, content_type = "text/plain"), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
async fn pod_logs(
    caller: Caller,
    Path((namespace, name, pod)): Path<(String, String, String)>,
    Query(q): Query<LogQuery>,
) -> Result<impl IntoResponse, ApiError> {
    reads::tenant_pod(&caller.client, &namespace, &name, &pod).await?;
    let tail = q.tail_lines.unwrap_or(500).clamp(1, 10_000);
    let text = reads::logs(&caller.client, &namespace, &pod, q.container, tail).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text))
}

/// Restart one of the Tenant's pods: delete it, and its StatefulSet makes it again.
#[utoipa::path(post, path = "/api/v1/namespaces/{namespace}/tenants/{name}/pods/{pod}/restart", tag = "pods",
    params(("namespace" = String, Path), ("name" = String, Path), ("pod" = String, Path)),
    responses((status = 200, body = Outcome), (status = 403, body = ApiError), (status = 404, body = ApiError)))]
async fn restart_pod(
    caller: Caller,
    Path((namespace, name, pod)): Path<(String, String, String)>,
) -> Result<Json<Outcome>, ApiError> {
    let p = reads::tenant_pod(&caller.client, &namespace, &name, &pod).await?;
    let uid = p.metadata.uid.unwrap_or_default();
    writes::delete_pod(&caller.client, &namespace, &pod, &uid).await?;
    Ok(Json(Outcome {
        message: format!("pod {pod} deleted; its StatefulSet starts it again"),
        namespace,
        name,
        kept_claims: Vec::new(),
    }))
}

/// The trace of one of the Tenant's transitions, laid out as a waterfall (from Jaeger).
#[utoipa::path(get, path = "/api/v1/namespaces/{namespace}/tenants/{name}/traces/{trace_id}", tag = "tenants",
    params(("namespace" = String, Path), ("name" = String, Path), ("trace_id" = String, Path, description = "32 hex digits, from status.transitions[].traceId")),
    responses((status = 200, body = Waterfall), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 502, body = ApiError)))]
async fn tenant_trace(
    State(state): State<AppState>,
    caller: Caller,
    Path((namespace, name, trace_id)): Path<(String, String, String)>,
) -> Result<Json<Waterfall>, ApiError> {
    let (_, waterfall) =
        reads::transition_trace(&state, &caller.client, &namespace, &name, &trace_id).await?;
    waterfall
        .map(Json)
        .map_err(|why| ApiError::new(StatusCode::BAD_GATEWAY, "TraceUnavailable", why))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Only events about this Tenant and its objects.
    pub tenant: Option<String>,
}

/// A live stream that ends when the console shuts down.
fn sse(
    stopped: impl std::future::Future<Output = ()> + Send + 'static,
    stream: impl Stream<Item = Result<SseEvent, Infallible>> + Send + 'static,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>> + Send + 'static> {
    Sse::new(stream.take_until(stopped)).keep_alive(KeepAlive::default())
}

/// Events of a namespace as they happen (server-sent events): `reset` when the first list
/// starts, then one message per event; `refused` (and the end) when Kubernetes says no.
#[utoipa::path(get, path = "/api/v1/namespaces/{namespace}/events", tag = "events",
    params(("namespace" = String, Path), EventsQuery),
    responses((status = 200, description = "text/event-stream of event rows", content_type = "text/event-stream")))]
async fn watch_events(
    State(state): State<AppState>,
    caller: Caller,
    Path(namespace): Path<String>,
    Query(q): Query<EventsQuery>,
) -> impl IntoResponse {
    sse(
        state.stopped(),
        reads::watch_events(caller.client, namespace, q.tenant.filter(|t| !t.is_empty())),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WatchQuery {
    pub namespace: Option<String>,
    /// Only this Tenant (needs `namespace`).
    pub name: Option<String>,
}

/// Tenant changes as they happen (server-sent events): one message per change with the
/// Tenant's row, one when the first list is done; `refused` when Kubernetes says no.
#[utoipa::path(get, path = "/api/v1/watch/tenants", tag = "tenants", params(WatchQuery),
    responses((status = 200, description = "text/event-stream of Tenant rows", content_type = "text/event-stream")))]
async fn watch_tenants(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<WatchQuery>,
) -> impl IntoResponse {
    let namespace = q.namespace.filter(|n| !n.is_empty());
    let name = q.name.filter(|n| !n.is_empty() && namespace.is_some());
    sse(
        state.stopped(),
        reads::watch_tenants(caller.client, namespace, name),
    )
}

/// The namespaces the caller may list.
#[utoipa::path(get, path = "/api/v1/namespaces", tag = "namespaces",
    responses((status = 200, body = Vec<String>), (status = 403, body = ApiError)))]
async fn list_namespaces(caller: Caller) -> Result<Json<Vec<String>>, ApiError> {
    Ok(Json(reads::namespaces(&caller.client).await?))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WhoAmI {
    /// The user name Kubernetes gives the caller's token.
    pub user: String,
}

/// Who Kubernetes says the caller is.
#[utoipa::path(get, path = "/api/v1/whoami", tag = "namespaces",
    responses((status = 200, body = WhoAmI), (status = 401, body = ApiError)))]
async fn whoami(caller: Caller) -> Result<Json<WhoAmI>, ApiError> {
    let user = match caller.user {
        Some(user) => user,
        None => writes::who_am_i(&caller.client).await?,
    };
    Ok(Json(WhoAmI { user }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Method and path of every route the router serves.
    const ROUTES: &[(&str, &str)] = &[
        ("get", "/api/v1/tenants"),
        ("post", "/api/v1/tenants"),
        ("get", "/api/v1/namespaces/{namespace}/tenants"),
        ("get", "/api/v1/namespaces/{namespace}/tenants/{name}"),
        ("put", "/api/v1/namespaces/{namespace}/tenants/{name}"),
        ("delete", "/api/v1/namespaces/{namespace}/tenants/{name}"),
        (
            "post",
            "/api/v1/namespaces/{namespace}/tenants/{name}/pools",
        ),
        ("get", "/api/v1/namespaces/{namespace}/tenants/{name}/pods"),
        (
            "get",
            "/api/v1/namespaces/{namespace}/tenants/{name}/pods/{pod}/logs",
        ),
        (
            "post",
            "/api/v1/namespaces/{namespace}/tenants/{name}/pods/{pod}/restart",
        ),
        (
            "get",
            "/api/v1/namespaces/{namespace}/tenants/{name}/traces/{trace_id}",
        ),
        ("get", "/api/v1/namespaces/{namespace}/events"),
        ("get", "/api/v1/watch/tenants"),
        ("get", "/api/v1/namespaces"),
        ("get", "/api/v1/whoami"),
    ];

    #[test]
    fn the_openapi_document_lists_every_route() {
        let (_, doc) = routes().split_for_parts();
        let json = serde_json::to_value(&doc).unwrap();
        let mut listed: Vec<(String, String)> = json["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, ops)| {
                ops.as_object()
                    .unwrap()
                    .keys()
                    .filter(|k| ["get", "post", "put", "delete", "patch"].contains(&k.as_str()))
                    .map(move |m| (m.clone(), path.clone()))
            })
            .collect();
        listed.sort();
        let mut want: Vec<(String, String)> = ROUTES
            .iter()
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        want.sort();
        assert_eq!(listed, want);
        // Each operation says what a refusal looks like, or streams.
        for (method, path) in ROUTES {
            let op = &json["paths"][path][method];
            assert!(
                op["summary"].is_string() || op["description"].is_string(),
                "{method} {path}"
            );
            assert!(op["responses"]["200"].is_object() || op["responses"]["201"].is_object());
        }
        assert_eq!(
            json["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
        assert!(json["components"]["schemas"]["TenantList"].is_object());
    }

    #[test]
    fn a_tenant_body_is_checked_and_cleaned() {
        let t = tenant_from_body(
            "kind: Tenant\nmetadata:\n  name: a\n  resourceVersion: '5'\n  uid: x\nspec: {pools: []}\nstatus: {phase: Ready}\n",
        )
        .unwrap();
        assert_eq!(t["apiVersion"], "rustfs.com/v1alpha1");
        assert!(t.get("status").is_none());
        assert!(t["metadata"].get("resourceVersion").is_none());
        assert!(t["metadata"].get("uid").is_none());
        assert_eq!(name_of(&t), Some("a"));
        let json = tenant_from_body(r#"{"metadata": {"name": "b"}}"#).unwrap();
        assert_eq!(name_of(&json), Some("b"));
        for bad in ["kind: Pod\n", "apiVersion: v1\n", "- a\n", "{"] {
            let e = tenant_from_body(bad).unwrap_err();
            assert_eq!(e.code, 400, "{bad}: {e:?}");
        }
    }
}
