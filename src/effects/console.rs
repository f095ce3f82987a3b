// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The console's writes, each made with the client of the person who asked (their own bearer
//! token), so the API server's RBAC decides and its audit log names them. Nothing here uses
//! the operator's identity. Kept in this folder so every write of the binary stays in one
//! place (`tests/architecture.rs`).

use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams, Preconditions};
use serde_json::{Value, json};

use crate::api::v1alpha1::Tenant;

/// Field manager of the console's server-side applies and patches: `managedFields` tell a
/// change made in the console from one made with kubectl or by the operator.
pub const CONSOLE_FIELD_MANAGER: &str = "rustfs-console";

/// Who the API server says the client is (a SelfSubjectReview: it stores nothing, and every
/// authenticated user may make one). An invalid or expired token gives a 401 here.
pub async fn who_am_i(client: &kube::Client) -> Result<String, kube::Error> {
    let api: Api<SelfSubjectReview> = Api::all(client.clone());
    let review: SelfSubjectReview = serde_json::from_value(json!({
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "SelfSubjectReview",
        "metadata": {}
    }))
    .map_err(kube::Error::SerdeError)?;
    let answer = api.create(&PostParams::default(), &review).await?;
    Ok(answer
        .status
        .and_then(|s| s.user_info)
        .and_then(|u| u.username)
        .unwrap_or_default())
}

/// Server-side applies `tenant` (a whole Tenant object as JSON) in `namespace`. `force`
/// takes over fields another manager owns; without it such a field is a 409 conflict.
pub async fn apply_tenant(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    tenant: &Value,
    force: bool,
) -> Result<Tenant, kube::Error> {
    let api: Api<Tenant> = Api::namespaced(client.clone(), namespace);
    let mut params = PatchParams::apply(CONSOLE_FIELD_MANAGER);
    if force {
        params = params.force();
    }
    api.patch(name, &params, &Patch::Apply(tenant)).await
}

/// Sets the Tenant's pools to `pools` (the current ones plus the new pool), if the Tenant is
/// still at `resource_version`: a merge patch carrying the version, so a concurrent change is a
/// 409, never a lost pool. Not an apply: an apply of one pool by the manager that applied the
/// others would drop them.
pub async fn set_pools(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    resource_version: &str,
    pools: &[Value],
) -> Result<Tenant, kube::Error> {
    let api: Api<Tenant> = Api::namespaced(client.clone(), namespace);
    let patch = json!({
        "metadata": {"resourceVersion": resource_version},
        "spec": {"pools": pools},
    });
    let params = PatchParams {
        field_manager: Some(CONSOLE_FIELD_MANAGER.to_owned()),
        ..PatchParams::default()
    };
    api.patch(name, &params, &Patch::Merge(&patch)).await
}

/// Deletes the Tenant. Its objects go by garbage collection; its PersistentVolumeClaims are
/// not owned by it, so they and the data stay.
pub async fn delete_tenant(
    client: &kube::Client,
    namespace: &str,
    name: &str,
) -> Result<(), kube::Error> {
    let api: Api<Tenant> = Api::namespaced(client.clone(), namespace);
    api.delete(name, &DeleteParams::default()).await.map(|_| ())
}

/// Restarts a pod by deleting it (its StatefulSet makes it again), only if it is still the
/// pod with `uid`: a replacement made in the meantime is left alone (409).
pub async fn delete_pod(
    client: &kube::Client,
    namespace: &str,
    pod: &str,
    uid: &str,
) -> Result<(), kube::Error> {
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let params = DeleteParams::default().preconditions(Preconditions {
        uid: Some(uid.to_owned()),
        resource_version: None,
    });
    api.delete(pod, &params).await.map(|_| ())
}
