// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The web pages, rendered on the server as plain HTML strings: sign-in, the Tenant list, a
//! Tenant, a pod's log, a new Tenant, a trace's waterfall, and a refusal. Every value from the
//! cluster goes through [`escape`]. The pages work without script; `console.js` adds the live
//! updates (server-sent events) and sends the forms to the JSON API with the CSRF header.

use std::fmt::Write as _;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;

pub use super::html::{encode, escape};
use super::trace::{Waterfall, human, svg};
use super::view::{EventRow, PodRow, TenantList, TenantRow};
use crate::api::v1alpha1::{Tenant, TransitionRecord};

/// The embedded stylesheet and script (served under `/assets/`).
pub const CSS: &str = include_str!("assets/console.css");
pub const JS: &str = include_str!("assets/console.js");

/// Who is signed in, for the page header; `None` on the sign-in page.
pub struct Viewer<'a> {
    pub user: &'a str,
    /// The session's CSRF token, for the script's writes (`None` for bearer callers, who
    /// need none).
    pub csrf: Option<&'a str>,
}

/// The frame of every page.
pub fn frame(title: &str, viewer: Option<&Viewer<'_>>, body: &str) -> String {
    let csrf = viewer
        .and_then(|v| v.csrf)
        .map(|c| format!(r#"<meta name="csrf-token" content="{}">"#, escape(c)))
        .unwrap_or_default();
    let who = match viewer {
        Some(v) => format!(
            r#"<nav><a href="/">Tenants</a> <a href="/new">New Tenant</a></nav><div class="who">signed in as <b id="user">{}</b> <form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="{}"><button type="submit" id="logout">Sign out</button></form></div>"#,
            escape(v.user),
            escape(v.csrf.unwrap_or_default())
        ),
        None => String::new(),
    };
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · RustFS console</title>{csrf}
<link rel="stylesheet" href="/assets/console.css"><script src="/assets/console.js" defer></script></head>
<body><header><a class="brand" href="/">RustFS console</a>{who}</header>
<div id="notice" role="status"></div>
<main>{body}</main></body></html>
"#,
        title = escape(title)
    )
}

/// The sign-in form; `error` says why the last attempt failed.
pub fn login(error: Option<&str>) -> String {
    let error = error
        .map(|e| format!(r#"<p class="refusal" id="login-error">{}</p>"#, escape(e)))
        .unwrap_or_default();
    let body = format!(
        r#"<h1>Sign in</h1>{error}
<p>Paste a Kubernetes bearer token, for example from <code>kubectl create token &lt;service-account&gt;</code>.
The console keeps it in its memory only and sends it with each request it makes for you, so your RBAC decides what you can see and do.</p>
<form method="post" action="/login" id="login-form"><label>Token <input type="password" name="token" id="token" autocomplete="off" required></label>
<button type="submit" id="sign-in">Sign in</button></form>"#
    );
    frame("Sign in", None, &body)
}

/// A phase badge.
pub fn badge(phase: &str) -> String {
    format!(
        r#"<span class="badge phase-{p}">{p}</span>"#,
        p = escape(phase)
    )
}

fn tenant_href(namespace: &str, name: &str) -> String {
    format!("/tenants/{}/{}", encode(namespace), encode(name))
}

/// The state counts and the rows of the Tenant list (replaced live by the script).
pub fn tenant_rows(list: &TenantList) -> String {
    let mut out = String::from(r#"<p class="counts" id="counts">"#);
    if list.counts.is_empty() {
        out.push_str("No Tenants.");
    }
    for (phase, n) in &list.counts {
        let _ = write!(out, "{} {n} ", badge(phase));
    }
    out.push_str(r#"</p><table id="tenants"><thead><tr><th>Namespace</th><th>Name</th><th>Phase</th><th>Ready</th><th>Reason</th><th>Pools</th><th>Age</th></tr></thead><tbody>"#);
    for row in &list.items {
        out.push_str(&tenant_row(row));
    }
    out.push_str("</tbody></table>");
    out
}

fn tenant_row(r: &TenantRow) -> String {
    format!(
        r#"<tr data-tenant="{ns}/{name}"><td>{ns}</td><td><a href="{href}">{name}</a></td><td>{badge}</td><td>{ready}</td><td title="{message}">{reason}</td><td>{pools}</td><td>{age}</td></tr>"#,
        ns = escape(&r.namespace),
        name = escape(&r.name),
        href = tenant_href(&r.namespace, &r.name),
        badge = badge(&r.phase),
        ready = escape(&r.ready),
        message = escape(&r.message),
        reason = escape(&r.reason),
        pools = r.pools,
        age = escape(&r.age),
    )
}

/// The heading and the namespace picker; `known` are the namespaces the caller may list
/// (offered as suggestions; empty when they may not).
fn tenants_head(namespace: Option<&str>, known: &[String]) -> String {
    let options: String = known
        .iter()
        .map(|n| format!(r#"<option value="{}">"#, escape(n)))
        .collect();
    format!(
        r#"<h1>Tenants{scope}</h1>
<form method="get" action="/" class="inline" id="namespace-form"><label>Namespace <input name="namespace" id="namespace" list="namespaces" value="{ns}" placeholder="all"></label><datalist id="namespaces">{options}</datalist> <button type="submit">Show</button></form>"#,
        scope = namespace
            .map(|n| format!(" in {}", escape(n)))
            .unwrap_or_default(),
        ns = escape(namespace.unwrap_or_default()),
    )
}

/// The Tenant list, all namespaces or one.
pub fn tenants(
    viewer: &Viewer<'_>,
    namespace: Option<&str>,
    known: &[String],
    list: &TenantList,
) -> String {
    let nsq = encode(namespace.unwrap_or_default());
    let body = format!(
        r#"{head}
<section id="tenant-list" data-live="/api/v1/watch/tenants?namespace={nsq}" data-fragment="/fragments/tenants?namespace={nsq}">{rows}</section>"#,
        head = tenants_head(namespace, known),
        rows = tenant_rows(list),
    );
    frame("Tenants", Some(viewer), &body)
}

/// The Tenant list Kubernetes refused (listing every namespace needs a cluster-wide grant):
/// its refusal, and the form to pick a namespace.
pub fn tenants_refused(
    viewer: &Viewer<'_>,
    namespace: Option<&str>,
    known: &[String],
    code: u16,
    message: &str,
) -> String {
    let hint = if namespace.is_none() && code == 403 {
        "<p>Listing every namespace needs the right to list Tenants cluster-wide: pick a namespace above.</p>"
    } else {
        ""
    };
    let body = format!(
        "{}{}{hint}",
        tenants_head(namespace, known),
        refusal(code, message)
    );
    frame("Tenants", Some(viewer), &body)
}

/// A section that could not be read: Kubernetes' refusal, in words.
pub fn refusal(code: u16, message: &str) -> String {
    let (what, after) = match code {
        403 => ("Refused by Kubernetes (403 Forbidden)", ""),
        // The token expired or was revoked since sign-in.
        401 => (
            "Kubernetes no longer accepts your token (401 Unauthorized)",
            r#" <a href="/login">Sign in again</a>."#,
        ),
        _ => ("Kubernetes answered an error", ""),
    };
    format!(
        r#"<div class="refusal" data-code="{code}"><b>{what}</b>: {}{after}</div>"#,
        escape(message)
    )
}

fn conditions(conds: &[Condition]) -> String {
    let mut out = String::from(
        r#"<table id="conditions"><thead><tr><th>Type</th><th>Status</th><th>Reason</th><th>Message</th><th>Since</th></tr></thead><tbody>"#,
    );
    for c in conds {
        let _ = write!(
            out,
            r#"<tr class="cond-{s}"><td>{t}</td><td>{s}</td><td>{r}</td><td>{m}</td><td>{at}</td></tr>"#,
            t = escape(&c.type_),
            s = escape(&c.status),
            r = escape(&c.reason),
            m = escape(&c.message),
            at = escape(&c.last_transition_time.0.to_string()),
        );
    }
    out.push_str("</tbody></table>");
    out
}

fn transitions(ns: &str, name: &str, records: &[TransitionRecord], jaeger: bool) -> String {
    let mut out = String::from(r#"<ol class="timeline" id="transitions">"#);
    for r in records.iter().rev() {
        let trace = match (&r.trace_id, jaeger) {
            (Some(id), true) => format!(
                r#" <a class="trace-link" href="{}/traces/{}">trace</a>"#,
                tenant_href(ns, name),
                encode(id)
            ),
            (Some(id), false) => format!(r#" <code title="no --jaeger-url">{}</code>"#, escape(id)),
            (None, _) => String::new(),
        };
        let _ = write!(
            out,
            r#"<li data-to="{to}"><time>{at}</time> {from} &rarr; {to_badge} <span class="reason">{reason}</span>{trace}</li>"#,
            at = escape(&r.time.to_rfc3339()),
            from = escape(r.from.as_ref()),
            to = escape(r.to.as_ref()),
            to_badge = badge(r.to.as_ref()),
            reason = escape(&r.reason),
        );
    }
    out.push_str("</ol>");
    out
}

fn pods(ns: &str, name: &str, pods: &Result<Vec<PodRow>, (u16, String)>) -> String {
    let rows = match pods {
        Err((code, message)) => return refusal(*code, message),
        Ok(rows) => rows,
    };
    let mut out = String::from(
        r#"<table id="pods"><thead><tr><th>Pod</th><th>Pool</th><th>Phase</th><th>Ready</th><th>Restarts</th><th>Node</th><th>Age</th><th></th></tr></thead><tbody>"#,
    );
    for p in rows {
        let _ = write!(
            out,
            r#"<tr data-pod="{pod}"><td>{pod}</td><td>{pool}</td><td>{phase}</td><td>{ready}</td><td>{restarts}</td><td>{node}</td><td>{age}</td><td><a href="{href}/pods/{podq}/logs">logs</a> <form class="api inline" data-method="POST" data-url="/api/v1/namespaces/{nsq}/tenants/{nameq}/pods/{podq}/restart"><button type="submit" class="restart">Restart</button></form></td></tr>"#,
            pod = escape(&p.name),
            podq = encode(&p.name),
            pool = escape(&p.pool),
            phase = escape(&p.phase),
            ready = escape(&p.ready),
            restarts = p.restarts,
            node = escape(&p.node),
            age = escape(&p.age),
            href = tenant_href(ns, name),
            nsq = encode(ns),
            nameq = encode(name),
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// The live part of a Tenant's page: summary, conditions, transitions, pools, pods (replaced
/// by the script whenever the Tenant changes).
pub fn tenant_live(
    t: &Tenant,
    row: &TenantRow,
    pod_rows: &Result<Vec<PodRow>, (u16, String)>,
    jaeger: bool,
) -> String {
    let status = t.status.clone().unwrap_or_default();
    let mut pools = String::from(
        r#"<table id="pools"><thead><tr><th>Pool</th><th>Servers</th><th>Volumes per server</th><th>State</th><th>Ready</th></tr></thead><tbody>"#,
    );
    for p in &t.spec.pools {
        let st = status.pools.iter().find(|s| s.name == p.name);
        let _ = write!(
            pools,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&p.name),
            p.servers,
            p.persistence.volumes_per_server,
            st.map(|s| format!("{:?}", s.state)).unwrap_or_default(),
            st.map(|s| format!("{}/{}", s.ready_replicas, s.replicas))
                .unwrap_or_default(),
        );
    }
    pools.push_str("</tbody></table>");
    let ns = row.namespace.as_str();
    let name = row.name.as_str();
    format!(
        r#"<p class="summary" id="summary" data-phase="{phase}">{badge} ready <b>{ready}</b> · {pool_count} pool(s) · age {age}</p>
<p class="reason" id="reason"><b>{reason}</b> {message}</p>
<h2>Conditions</h2>{conds}
<h2>Transitions</h2>{timeline}
<h2>Pools</h2>{pools}
<h2>Pods</h2>{pods}"#,
        phase = escape(&row.phase),
        badge = badge(&row.phase),
        ready = escape(&row.ready),
        pool_count = row.pools,
        age = escape(&row.age),
        reason = escape(&row.reason),
        message = escape(&row.message),
        conds = conditions(&status.conditions),
        timeline = transitions(ns, name, &status.transitions, jaeger),
        pods = pods(ns, name, pod_rows),
    )
}

/// The events table (the script adds rows as they arrive).
pub fn events(rows: &Result<Vec<EventRow>, (u16, String)>) -> String {
    let rows = match rows {
        Err((code, message)) => return refusal(*code, message),
        Ok(rows) => rows,
    };
    let mut out = String::from(
        r#"<table id="events"><thead><tr><th>Type</th><th>Reason</th><th>Object</th><th>Message</th><th>Count</th><th>Last seen</th></tr></thead><tbody>"#,
    );
    for e in rows {
        let _ = write!(
            out,
            r#"<tr class="event-{t}"><td>{t}</td><td>{r}</td><td>{o}</td><td>{m}</td><td>{c}</td><td>{at}</td></tr>"#,
            t = escape(&e.type_),
            r = escape(&e.reason),
            o = escape(&e.object),
            m = escape(&e.message),
            c = e.count,
            at = e.last_seen.map(|t| t.to_rfc3339()).unwrap_or_default(),
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// A Tenant's YAML as the edit form starts it: what a person would apply (no status, no
/// server-set metadata).
pub fn editable_yaml(t: &Tenant) -> String {
    let mut value = serde_json::to_value(t).unwrap_or_default();
    if let Some(obj) = value.as_object_mut() {
        obj.remove("status");
    }
    if let Some(meta) = value
        .get_mut("metadata")
        .and_then(serde_json::Value::as_object_mut)
    {
        for key in [
            "managedFields",
            "resourceVersion",
            "uid",
            "creationTimestamp",
            "generation",
        ] {
            meta.remove(key);
        }
    }
    serde_yaml::to_string(&value).unwrap_or_default()
}

/// A new pool's YAML, starting from the Tenant's last pool under a fresh name.
pub fn new_pool_yaml(t: &Tenant) -> String {
    let mut pool = t
        .spec
        .pools
        .last()
        .and_then(|p| serde_json::to_value(p).ok())
        .unwrap_or_default();
    let mut n = t.spec.pools.len();
    while t.spec.pools.iter().any(|p| p.name == format!("pool-{n}")) {
        n += 1;
    }
    if let Some(obj) = pool.as_object_mut() {
        obj.insert("name".into(), format!("pool-{n}").into());
        obj.remove("decommission");
    }
    serde_yaml::to_string(&pool).unwrap_or_default()
}

/// A Tenant's page.
pub fn tenant(
    viewer: &Viewer<'_>,
    t: &Tenant,
    row: &TenantRow,
    pod_rows: &Result<Vec<PodRow>, (u16, String)>,
    event_rows: &Result<Vec<EventRow>, (u16, String)>,
    yaml: &str,
    jaeger: bool,
) -> String {
    let ns = row.namespace.as_str();
    let name = row.name.as_str();
    let api = format!("/api/v1/namespaces/{}/tenants/{}", encode(ns), encode(name));
    let body = format!(
        r#"<h1>Tenant {ns_e}/{name_e}</h1>
<section id="tenant" data-live="/api/v1/watch/tenants?namespace={nsq}&amp;name={nameq}" data-fragment="/fragments/tenants/{nsq}/{nameq}">{live}</section>
<h2>Events</h2>
<section id="tenant-events" data-events="/api/v1/namespaces/{nsq}/events?tenant={nameq}">{events}</section>
<h2>Change</h2>
<details><summary>Add a pool</summary>
<form class="api" data-method="POST" data-url="{api}/pools" id="add-pool"><textarea name="body" rows="12" cols="80">{pool}</textarea><br><button type="submit">Add pool</button></form></details>
<details><summary>Edit (server-side apply as rustfs-console)</summary>
<form class="api" data-method="PUT" data-url="{api}" id="edit"><textarea name="body" rows="24" cols="80">{edit}</textarea><br><label><input type="checkbox" name="force"> force (take fields other managers own)</label> <button type="submit">Apply</button></form></details>
<details><summary>Delete</summary>
<p>Deleting the Tenant removes its pods, StatefulSets and Services. Its PersistentVolumeClaims, and so the data, are kept.</p>
<form class="api" data-method="DELETE" data-url="{api}" data-confirm="{name_e}" data-then="/" id="delete"><label>Type the name to confirm <input name="confirm" id="confirm" autocomplete="off"></label> <button type="submit" id="delete-button">Delete Tenant</button></form></details>
<h2>YAML</h2><pre id="yaml">{yaml}</pre>"#,
        ns_e = escape(ns),
        name_e = escape(name),
        nsq = encode(ns),
        nameq = encode(name),
        live = tenant_live(t, row, pod_rows, jaeger),
        events = events(event_rows),
        pool = escape(&new_pool_yaml(t)),
        edit = escape(&editable_yaml(t)),
        yaml = escape(yaml),
    );
    frame(&format!("{ns}/{name}"), Some(viewer), &body)
}

/// The form for a new Tenant.
pub fn new_tenant(viewer: &Viewer<'_>) -> String {
    let example = "apiVersion: rustfs.com/v1alpha1\nkind: Tenant\nmetadata:\n  name: dev\n  namespace: default\nspec:\n  pools:\n    - name: pool-0\n      servers: 1\n      persistence:\n        volumesPerServer: 4\n        volumeClaimTemplate:\n          accessModes: [ReadWriteOnce]\n          resources:\n            requests:\n              storage: 1Gi\n";
    let body = format!(
        r#"<h1>New Tenant</h1>
<p>Paste a Tenant in YAML or JSON. It is created with server-side apply (field manager <code>rustfs-console</code>) as you.</p>
<form class="api" data-method="POST" data-url="/api/v1/tenants" data-then="tenant" id="create"><textarea name="body" rows="24" cols="80">{}</textarea><br><button type="submit">Create</button></form>"#,
        escape(example)
    );
    frame("New Tenant", Some(viewer), &body)
}

/// A pod's log.
pub fn logs(viewer: &Viewer<'_>, ns: &str, tenant: &str, pod: &str, text: &str) -> String {
    let body = format!(
        r#"<h1>Log of {pod}</h1><p><a href="{href}">back to {tenant}</a> · last 500 lines</p><pre id="log">{text}</pre>"#,
        pod = escape(pod),
        href = tenant_href(ns, tenant),
        tenant = escape(tenant),
        text = escape(text),
    );
    frame(&format!("log {pod}"), Some(viewer), &body)
}

/// A transition's trace as a waterfall, or why it cannot be shown.
pub fn trace(
    viewer: &Viewer<'_>,
    ns: &str,
    tenant: &str,
    record: &TransitionRecord,
    waterfall: Result<&Waterfall, String>,
) -> String {
    let picture = match waterfall {
        Ok(w) => format!(
            r#"<p id="trace-summary">{} spans over {}</p><div class="waterfall-box">{}</div>"#,
            w.bars.len(),
            human(w.total_us),
            svg(w)
        ),
        Err(why) => format!(
            r#"<p class="refusal" id="trace-error">{}</p>"#,
            escape(&why)
        ),
    };
    let body = format!(
        r#"<h1>Trace of {from} &rarr; {to}</h1>
<p><a href="{href}">back to {tenant}</a> · {reason} at {at} · trace <code>{id}</code></p>{picture}"#,
        from = escape(record.from.as_ref()),
        to = escape(record.to.as_ref()),
        href = tenant_href(ns, tenant),
        tenant = escape(tenant),
        reason = escape(&record.reason),
        at = escape(&record.time.to_rfc3339()),
        id = escape(record.trace_id.as_deref().unwrap_or_default()),
    );
    frame("Trace", Some(viewer), &body)
}

/// A whole page that could not be made: the API server's refusal, or another error.
pub fn error(viewer: &Viewer<'_>, code: u16, message: &str) -> String {
    let body = format!(
        r#"<h1>Cannot show this page</h1>{}<p><a href="/">back to the Tenants</a></p>"#,
        refusal(code, message)
    );
    frame("Error", Some(viewer), &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_encoding() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(encode("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(encode("pool-0_x.y~"), "pool-0_x.y~");
    }

    #[test]
    fn a_refusal_says_forbidden_in_words() {
        let html = refusal(403, r#"tenants "t" is forbidden: <user> cannot delete"#);
        assert!(html.contains("403 Forbidden"));
        assert!(html.contains("&lt;user&gt;"));
        assert!(html.contains(r#"data-code="403""#));
        assert!(!html.contains("/login"));
        let expired = refusal(401, "Unauthorized");
        assert!(expired.contains("401 Unauthorized") && expired.contains(r#"href="/login""#));
    }

    #[test]
    fn pages_carry_the_csrf_token_but_never_a_bearer_token() {
        let viewer = Viewer {
            user: "system:serviceaccount:x:admin",
            csrf: Some("c0ffee"),
        };
        let html = tenants(
            &viewer,
            None,
            &["team-a".to_owned()],
            &TenantList::default_empty(),
        );
        assert!(html.contains(r#"<option value="team-a">"#));
        assert!(html.contains(r#"<meta name="csrf-token" content="c0ffee">"#));
        assert!(html.contains("No Tenants."));
        assert!(!login(None).contains("csrf-token"));
        assert!(login(Some("<bad>")).contains("&lt;bad&gt;"));
    }

    impl TenantList {
        fn default_empty() -> Self {
            TenantList {
                items: Vec::new(),
                counts: Default::default(),
            }
        }
    }
}
