// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! `rustfs-operator console` against the full local control plane (kube-apiserver,
//! controllers, kwok nodes, Jaeger) with the real operator reconciling: the JSON API and a
//! real headless Chromium, each with two identities made here (an admin and a viewer,
//! ServiceAccounts bound to ClusterRoles of this test, tokens from the TokenRequest API).
//! The console itself runs with a ServiceAccount that may do nothing: every call it makes is
//! the caller's. No token may appear in any log.
//!
//! The browser test needs the Debian packages `chromium` and `chromium-driver`
//! (`deploy/local/node-packages.sh` installs them); it saves screenshots under
//! `target/console-screenshots/`.

mod support;

use std::fs::File;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use k8s_openapi::api::authentication::v1::TokenRequest;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, ServiceAccount};
use kube::api::{Api, ListParams, PostParams};
use local_cluster::{ControlPlane, Options};
use serde_json::{Value, json};

use support::operator::{Operator, OperatorOptions};
use support::{admin_client, eventually, http_get};

fn cp() -> &'static ControlPlane {
    support::cluster(Options::full())
}

const READY_TIMEOUT: Duration = Duration::from_secs(150);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The ClusterRoles of the two identities (bound per namespace, by RoleBindings).
const ROLES: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: console-test-admin}
rules:
  - {apiGroups: [rustfs.com], resources: [tenants], verbs: [get, list, watch, create, patch, update, delete]}
  - {apiGroups: [""], resources: [pods], verbs: [get, list, watch, delete]}
  - {apiGroups: [""], resources: [pods/log], verbs: [get]}
  - {apiGroups: [""], resources: [events], verbs: [get, list, watch]}
  - {apiGroups: [""], resources: [persistentvolumeclaims], verbs: [list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: console-test-viewer}
rules:
  - {apiGroups: [rustfs.com], resources: [tenants], verbs: [get, list, watch]}
  - {apiGroups: [""], resources: [pods], verbs: [get, list, watch]}
  - {apiGroups: [""], resources: [pods/log], verbs: [get]}
  - {apiGroups: [""], resources: [events], verbs: [get, list, watch]}
"#;

/// A namespace with an operator, the two identities and a console.
struct Scene {
    cp: &'static ControlPlane,
    ns: String,
    client: kube::Client,
    op: Operator,
    admin: String,
    viewer: String,
    console: Console,
}

impl Scene {
    async fn start(prefix: &str) -> Scene {
        let cp = cp();
        let ns = cp.new_namespace(prefix).unwrap();
        let client = admin_client(cp).await;
        // Once per process: two tests creating them at once would race.
        static ROLES_APPLIED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
        ROLES_APPLIED.get_or_init(|| {
            cp.kubectl_apply(ROLES).expect("the test's ClusterRoles");
        });
        let mut tokens = Vec::new();
        for who in ["admin", "viewer", "console"] {
            let sa: ServiceAccount =
                serde_json::from_value(json!({"metadata": {"name": who}})).unwrap();
            Api::<ServiceAccount>::namespaced(client.clone(), &ns)
                .create(&PostParams::default(), &sa)
                .await
                .unwrap();
            if who != "console" {
                cp.kubectl_apply(&format!(
                    "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: {who}, namespace: {ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: console-test-{who}}}\nsubjects: [{{kind: ServiceAccount, name: {who}, namespace: {ns}}}]\n"
                ))
                .unwrap();
            }
            tokens.push(token(&client, &ns, who).await);
        }
        let op = Operator::start(
            cp,
            &ns,
            OperatorOptions {
                otlp_http: cp.jaeger_otlp_http_endpoint().map(str::to_owned),
                ..OperatorOptions::default()
            },
        );
        let console = Console::start(cp, &tokens[2]);
        Scene {
            cp,
            ns,
            client,
            op,
            admin: tokens[0].clone(),
            viewer: tokens[1].clone(),
            console,
        }
    }

    /// Every token of this scene is absent from the console's and the operator's logs, and
    /// from every log of the control plane (the API server's, its audit log, ...).
    fn assert_no_token_in_logs(&self) {
        let mut logs = vec![
            ("console".to_owned(), self.console.log()),
            ("operator".to_owned(), self.op.log()),
        ];
        let mut files = vec![self.cp.audit_log_path()];
        if let Ok(dir) = std::fs::read_dir(self.cp.logs_dir()) {
            files.extend(dir.filter_map(|e| e.ok()).map(|e| e.path()));
        }
        for file in files {
            let text = std::fs::read(&file).unwrap_or_default();
            logs.push((
                file.display().to_string(),
                String::from_utf8_lossy(&text).into_owned(),
            ));
        }
        assert!(
            logs.len() > 4,
            "the control plane's logs are missing: {:?}",
            self.cp.logs_dir()
        );
        for (name, log) in &logs {
            if name == "console" || name == "operator" {
                assert!(!log.is_empty(), "the {name} log is empty");
            }
            for token in [&self.admin, &self.viewer] {
                // The signature part alone would be enough to use it.
                let signature = token.rsplit('.').next().unwrap();
                assert!(
                    !log.contains(token.as_str()) && !log.contains(signature),
                    "a token is in the {name} log"
                );
            }
        }
    }
}

/// A one-hour token of ServiceAccount `name`, from the TokenRequest API.
async fn token(client: &kube::Client, ns: &str, name: &str) -> String {
    let request: TokenRequest =
        serde_json::from_value(json!({"spec": {"expirationSeconds": 3600, "audiences": []}}))
            .unwrap();
    let answer = Api::<ServiceAccount>::namespaced(client.clone(), ns)
        .create_token_request(name, &PostParams::default(), &request)
        .await
        .expect("a token from the TokenRequest API");
    answer.status.expect("a token").token
}

/// `rustfs-operator console` as its own process, with the kubeconfig of a ServiceAccount
/// bound to nothing (it only gives the server's address and CA). Killed on drop.
struct Console {
    child: Option<Child>,
    dir: tempfile::TempDir,
    addr: String,
}

impl Console {
    fn start(cp: &ControlPlane, own_token: &str) -> Console {
        let dir = tempfile::tempdir().unwrap();
        let mut kubeconfig: serde_yaml::Value = serde_yaml::from_str(cp.kubeconfig_yaml()).unwrap();
        for user in kubeconfig["users"].as_sequence_mut().unwrap() {
            user["user"] = serde_yaml::to_value(json!({"token": own_token})).unwrap();
        }
        std::fs::write(
            dir.path().join("kubeconfig"),
            serde_yaml::to_string(&kubeconfig).unwrap(),
        )
        .unwrap();
        let addr = format!("127.0.0.1:{}", free_port());
        let log = File::create(dir.path().join("console.log")).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rustfs-operator"));
        cmd.args(["console", "--addr", &addr])
            .args(
                cp.jaeger_query_url()
                    .map(|u| vec!["--jaeger-url".to_owned(), u.to_owned()])
                    .unwrap_or_default(),
            )
            .env("KUBECONFIG", dir.path().join("kubeconfig"))
            // As much as the code logs: no token may appear even at trace level.
            .env("RUST_LOG", "debug,rustfs_operator=trace")
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        support::operator::die_with_test(&mut cmd);
        let mut console = Console {
            child: Some(cmd.spawn().expect("start rustfs-operator console")),
            dir,
            addr,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while http_get(&console.addr, "/readyz").is_none_or(|(code, _)| code != 200) {
            if let Some(status) = console.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("console exited ({status}):\n{}", console.log());
            }
            assert!(
                Instant::now() < deadline,
                "console not ready:\n{}",
                console.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        console
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("console.log")).unwrap_or_default()
    }

    /// SIGTERM, then the time the console took to exit, and how.
    fn terminate(&mut self) -> (Duration, std::process::ExitStatus) {
        let mut child = self.child.take().expect("console running");
        let started = Instant::now();
        unsafe {
            libc::kill(child.id() as i32, libc::SIGTERM);
        }
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return (started.elapsed(), status);
            }
            if started.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("the console ignored SIGTERM for 30 s:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!(
                "--- console log (last 40 lines) ---\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// An answer of the console.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One request to the console, as `token`'s holder.
async fn call(
    console: &Console,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Answer {
    let client: HttpClient<HttpConnector, Full<bytes::Bytes>> =
        HttpClient::builder(TokioExecutor::new()).build_http();
    let mut request = http::Request::builder()
        .method(method)
        .uri(console.url(path));
    if let Some(t) = token {
        request = request.header("authorization", format!("Bearer {t}"));
    }
    if body.is_some() {
        request = request.header("content-type", "application/yaml");
    }
    let request = request
        .body(Full::new(bytes::Bytes::from(
            body.unwrap_or_default().to_owned(),
        )))
        .unwrap();
    let response = client.request(request).await.expect("the console answers");
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// Reads a server-sent event stream until a message contains `want`.
async fn sse_until(console: &Console, path: &str, token: &str, want: &str) -> String {
    let client: HttpClient<HttpConnector, Full<bytes::Bytes>> =
        HttpClient::builder(TokioExecutor::new()).build_http();
    let request = http::Request::get(console.url(path))
        .header("authorization", format!("Bearer {token}"))
        .header("accept", "text/event-stream")
        .body(Full::new(bytes::Bytes::new()))
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.into_body();
    let mut seen = String::new();
    let found = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame.unwrap().into_data() {
                seen.push_str(&String::from_utf8_lossy(&data));
                if let Some(line) = seen
                    .lines()
                    .find(|l| l.starts_with("data:") && l.contains(want))
                {
                    return Some(line.to_owned());
                }
            }
        }
        None
    })
    .await;
    match found {
        Ok(Some(line)) => line,
        _ => panic!("no message with {want} on {path}; seen:\n{seen}"),
    }
}

/// Write requests of `user` from the audit log: `verb resource` and the answer's code.
fn audited_codes(cp: &ControlPlane, user: &str) -> Vec<(String, i64)> {
    let log = std::fs::read_to_string(cp.audit_log_path()).unwrap_or_default();
    log.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|e| e["stage"] == "ResponseComplete" && e["user"]["username"] == user)
        .map(|e| {
            (
                format!(
                    "{} {}",
                    e["verb"].as_str().unwrap_or("?"),
                    e["objectRef"]["resource"].as_str().unwrap_or("?")
                ),
                e["responseStatus"]["code"].as_i64().unwrap_or(0),
            )
        })
        .collect()
}

/// A Tenant of one server and four volumes, in YAML.
fn tenant_yaml(name: &str) -> String {
    format!(
        "apiVersion: rustfs.com/v1alpha1\nkind: Tenant\nmetadata:\n  name: {name}\nspec:\n  pools:\n    - name: pool-0\n      servers: 1\n      persistence:\n        volumesPerServer: 4\n        volumeClaimTemplate:\n          accessModes: [ReadWriteOnce]\n          resources:\n            requests:\n              storage: 1Gi\n"
    )
}

async fn wait_ready_via_api(console: &Console, ns: &str, name: &str, token: &str) -> Value {
    eventually(
        READY_TIMEOUT,
        "the Tenant Ready, read through the console",
        || async {
            let a = call(
                console,
                "GET",
                &format!("/api/v1/namespaces/{ns}/tenants/{name}"),
                Some(token),
                None,
            )
            .await;
            let detail = a.json();
            if detail["summary"]["phase"] == "Ready" {
                Ok(detail)
            } else {
                Err(format!("{}: {}", a.status, detail["summary"]))
            }
        },
    )
    .await
}

#[tokio::test]
async fn the_api_acts_as_the_caller_and_passes_refusals_through() {
    let scene = Scene::start("console-api").await;
    let (console, ns) = (&scene.console, scene.ns.as_str());
    let (admin, viewer) = (scene.admin.as_str(), scene.viewer.as_str());

    // No token: 401 from the console; a bad token: Kubernetes' 401, passed through.
    assert_eq!(
        call(console, "GET", "/api/v1/tenants", None, None)
            .await
            .status,
        401
    );
    let bad = call(
        console,
        "GET",
        &format!("/api/v1/namespaces/{ns}/tenants"),
        Some("not-a-valid-token"),
        None,
    )
    .await;
    assert_eq!(bad.status, 401, "{}", bad.body);

    // The shipped console manifests pass a server-side dry run.
    let manifests = support::repo_path("deploy/console");
    let out = scene
        .cp
        .kubectl_ok([
            "apply",
            "--dry-run=server",
            "-k",
            manifests.to_str().unwrap(),
        ])
        .expect("deploy/console passes a server-side dry run");
    assert_eq!(out.matches("(server dry run)").count(), 3, "{out}");

    // The OpenAPI document is served.
    let doc = call(console, "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(doc.status, 200);
    assert!(
        doc.json()["paths"]["/api/v1/namespaces/{namespace}/tenants/{name}"]["delete"].is_object()
    );

    // Who is who.
    let me = call(console, "GET", "/api/v1/whoami", Some(viewer), None).await;
    assert_eq!(
        me.json()["user"],
        format!("system:serviceaccount:{ns}:viewer")
    );

    // The viewer may list its namespace, not every namespace: Kubernetes' 403, unchanged.
    let list = call(
        console,
        "GET",
        &format!("/api/v1/namespaces/{ns}/tenants"),
        Some(viewer),
        None,
    )
    .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.json()["items"], json!([]));
    let all = call(console, "GET", "/api/v1/tenants", Some(viewer), None).await;
    assert_eq!(all.status, 403, "{}", all.body);
    assert_eq!(all.json()["reason"], "Forbidden");
    assert!(
        all.json()["message"]
            .as_str()
            .unwrap()
            .contains("cannot list resource \"tenants\""),
        "{}",
        all.body
    );

    // The viewer cannot create; the admin can, once.
    let create = |token| {
        let path = format!("/api/v1/tenants?namespace={ns}");
        async move { call(console, "POST", &path, Some(token), Some(&tenant_yaml("t"))).await }
    };
    let refused = create(viewer).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let created = create(admin).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["name"], "t");
    assert_eq!(create(admin).await.status, 409);

    // The operator takes it to Ready; the viewer reads it there, with its transitions.
    let detail = wait_ready_via_api(console, ns, "t", viewer).await;
    let transitions = detail["transitions"].as_array().unwrap();
    let ready = transitions
        .iter()
        .find(|t| t["to"] == "Ready")
        .expect("a transition to Ready");
    let trace_id = ready["traceId"].as_str().expect("a trace id").to_owned();
    assert!(detail["yaml"].as_str().unwrap().contains("kind: Tenant"));
    assert!(
        detail["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    );
    let rows = call(
        console,
        "GET",
        &format!("/api/v1/namespaces/{ns}/tenants"),
        Some(viewer),
        None,
    )
    .await
    .json();
    assert_eq!(rows["counts"]["Ready"], 1);
    assert_eq!(rows["items"][0]["ready"], "1/1");
    assert_eq!(rows["items"][0]["pools"], 1);

    // The events of the Tenant, live: the operator's AllPoolsReady arrives on the stream.
    let line = sse_until(
        console,
        &format!("/api/v1/namespaces/{ns}/events?tenant=t"),
        viewer,
        "AllPoolsReady",
    )
    .await;
    assert!(line.contains("Tenant/t"), "{line}");

    // The Ready transition's trace, laid out from Jaeger (spans are exported in batches).
    let waterfall = eventually(Duration::from_secs(60), "the trace in Jaeger", || async {
        let a = call(
            console,
            "GET",
            &format!("/api/v1/namespaces/{ns}/tenants/t/traces/{trace_id}"),
            Some(viewer),
            None,
        )
        .await;
        if a.status == 200 {
            Ok(a.json())
        } else {
            Err(a.body)
        }
    })
    .await;
    assert_eq!(waterfall["traceId"], trace_id);
    let bars = waterfall["bars"].as_array().unwrap();
    assert!(
        bars.iter().any(|b| b["operation"] == "RollingOut -> Ready"),
        "{waterfall}"
    );
    assert_eq!(bars[0]["depth"], 0);
    // A trace id that is not one of this Tenant's transitions is not fetched.
    let other = call(
        console,
        "GET",
        &format!(
            "/api/v1/namespaces/{ns}/tenants/t/traces/{}",
            "0".repeat(32)
        ),
        Some(viewer),
        None,
    )
    .await;
    assert_eq!(other.status, 404, "{}", other.body);

    // Pods: both may list; the viewer may not restart one, the admin may.
    let pods = call(
        console,
        "GET",
        &format!("/api/v1/namespaces/{ns}/tenants/t/pods"),
        Some(viewer),
        None,
    )
    .await
    .json();
    assert_eq!(pods[0]["name"], "t-pool-0-0", "{pods}");
    let uid = pods[0]["uid"].as_str().unwrap().to_owned();
    let restart = format!("/api/v1/namespaces/{ns}/tenants/t/pods/t-pool-0-0/restart");
    let refused = call(console, "POST", &restart, Some(viewer), None).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let restarted = call(console, "POST", &restart, Some(admin), None).await;
    assert_eq!(restarted.status, 200, "{}", restarted.body);
    let pod_api: Api<Pod> = Api::namespaced(scene.client.clone(), ns);
    eventually(Duration::from_secs(60), "a new pod t-pool-0-0", || async {
        match pod_api
            .get_opt("t-pool-0-0")
            .await
            .map_err(|e| e.to_string())?
        {
            Some(p) if p.metadata.uid.as_deref() != Some(uid.as_str()) => Ok(()),
            other => Err(format!("{:?}", other.map(|p| p.metadata.uid))),
        }
    })
    .await;
    // A pod of no Tenant is out of the console's reach, for its log as for a restart.
    let log = call(
        console,
        "GET",
        &format!("/api/v1/namespaces/{ns}/tenants/other/pods/t-pool-0-0/logs"),
        Some(admin),
        None,
    )
    .await;
    assert_eq!(log.status, 404, "{}", log.body);
    let stranger = call(
        console,
        "POST",
        &format!("/api/v1/namespaces/{ns}/tenants/other/pods/t-pool-0-0/restart"),
        Some(admin),
        None,
    )
    .await;
    assert_eq!(stranger.status, 404, "{}", stranger.body);

    // Add a pool: the viewer is refused, the admin's lands in the spec.
    let pool = "name: pool-1\nservers: 1\npersistence:\n  volumesPerServer: 4\n  volumeClaimTemplate:\n    accessModes: [ReadWriteOnce]\n    resources: {requests: {storage: 1Gi}}\n";
    let pools = format!("/api/v1/namespaces/{ns}/tenants/t/pools");
    assert_eq!(
        call(console, "POST", &pools, Some(viewer), Some(pool))
            .await
            .status,
        403
    );
    let added = call(console, "POST", &pools, Some(admin), Some(pool)).await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(
        call(console, "POST", &pools, Some(admin), Some(pool))
            .await
            .status,
        409
    );
    let spec = call(
        console,
        "GET",
        &format!("/api/v1/namespaces/{ns}/tenants/t"),
        Some(admin),
        None,
    )
    .await
    .json();
    assert_eq!(spec["spec"]["pools"].as_array().unwrap().len(), 2);

    // An update that Kubernetes rejects (servers is immutable) comes back as its 422.
    let mut changed: serde_yaml::Value = serde_yaml::from_str(&tenant_yaml("t")).unwrap();
    changed["spec"]["pools"][0]["servers"] = 2.into();
    let update = call(
        console,
        "PUT",
        &format!("/api/v1/namespaces/{ns}/tenants/t?force=true"),
        Some(admin),
        Some(&serde_yaml::to_string(&changed).unwrap()),
    )
    .await;
    assert_eq!(update.status, 422, "{}", update.body);
    assert!(
        update.json()["message"]
            .as_str()
            .unwrap()
            .contains("immutable"),
        "{}",
        update.body
    );

    // An update Kubernetes accepts: applied as rustfs-console.
    let mut labelled: serde_yaml::Value = serde_yaml::from_str(&tenant_yaml("t")).unwrap();
    labelled["metadata"]["labels"] = serde_yaml::from_str("{team: storage}").unwrap();
    labelled["spec"]["pools"]
        .as_sequence_mut()
        .unwrap()
        .push(serde_yaml::from_str(pool).unwrap());
    let applied = call(
        console,
        "PUT",
        &format!("/api/v1/namespaces/{ns}/tenants/t"),
        Some(admin),
        Some(&serde_yaml::to_string(&labelled).unwrap()),
    )
    .await;
    assert_eq!(applied.status, 200, "{}", applied.body);
    let t = call(
        console,
        "GET",
        &format!("/api/v1/namespaces/{ns}/tenants/t"),
        Some(viewer),
        None,
    )
    .await
    .json();
    assert!(t["yaml"].as_str().unwrap().contains("team: storage"), "{t}");
    let stored =
        Api::<rustfs_operator::api::v1alpha1::Tenant>::namespaced(scene.client.clone(), ns)
            .get("t")
            .await
            .unwrap();
    let managers: Vec<(String, String)> = stored
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            (
                m.manager.unwrap_or_default(),
                m.operation.unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        managers.contains(&("rustfs-console".to_owned(), "Apply".to_owned())),
        "{managers:?}"
    );

    // A live stream Kubernetes refuses ends with a `refused` message carrying its words.
    let line = sse_until(
        console,
        "/api/v1/watch/tenants",
        viewer,
        "Refused by Kubernetes (403",
    )
    .await;
    assert!(line.contains("cannot list resource"), "{line}");

    // Delete: the viewer gets Kubernetes' 403 and message; the admin deletes, and is told
    // the claims stay.
    let path = format!("/api/v1/namespaces/{ns}/tenants/t");
    let refused = call(console, "DELETE", &path, Some(viewer), None).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let refusal = refused.json();
    assert_eq!(refusal["reason"], "Forbidden");
    assert!(
        refusal["message"].as_str().unwrap().contains(&format!(
            "User \"system:serviceaccount:{ns}:viewer\" cannot delete resource \"tenants\""
        )),
        "{refusal}"
    );
    let deleted = call(console, "DELETE", &path, Some(admin), None).await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    let outcome = deleted.json();
    assert!(
        outcome["message"]
            .as_str()
            .unwrap()
            .contains("PersistentVolumeClaims are not deleted"),
        "{outcome}"
    );
    let kept: Vec<String> = serde_json::from_value(outcome["keptClaims"].clone()).unwrap();
    assert!(!kept.is_empty(), "{outcome}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(scene.client.clone(), ns);
    let left: Vec<String> = claims
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|c| c.metadata.name)
        .collect();
    for claim in &kept {
        assert!(
            left.contains(claim),
            "claim {claim} was deleted; left: {left:?}"
        );
    }

    // The audit log names the callers; the console's own account wrote nothing.
    let by_admin =
        support::audited_writes(scene.cp, &format!("system:serviceaccount:{ns}:admin"), ns);
    for want in [
        "patch tenants/t",
        "delete pods/t-pool-0-0",
        "delete tenants/t",
    ] {
        assert!(
            by_admin.iter().any(|w| w == want),
            "{want} not in {by_admin:?}"
        );
    }
    assert!(
        support::audited_writes(scene.cp, &format!("system:serviceaccount:{ns}:console"), ns)
            .is_empty()
    );
    // The viewer's writes reached the API server as the viewer, and each was refused there.
    // (Its SelfSubjectReview, from whoami, stores nothing.)
    let viewer_writes: Vec<(String, i64)> =
        audited_codes(scene.cp, &format!("system:serviceaccount:{ns}:viewer"))
            .into_iter()
            .filter(|(what, _)| what != "create selfsubjectreviews")
            .collect();
    assert!(viewer_writes.len() >= 4, "{viewer_writes:?}");
    assert!(
        viewer_writes.iter().all(|(_, code)| *code == 403),
        "{viewer_writes:?}"
    );

    scene.assert_no_token_in_logs();

    // SIGTERM with a live stream open: the stream ends and the console exits cleanly.
    let path = format!("/api/v1/namespaces/{ns}/events");
    let reader = {
        let url = console.url(&path);
        let token = viewer.to_owned();
        tokio::spawn(async move {
            let client: HttpClient<HttpConnector, Full<bytes::Bytes>> =
                HttpClient::builder(TokioExecutor::new()).build_http();
            let request = http::Request::get(url)
                .header("authorization", format!("Bearer {token}"))
                .body(Full::new(bytes::Bytes::new()))
                .unwrap();
            let mut body = client.request(request).await.unwrap().into_body();
            while let Some(frame) = body.frame().await {
                if frame.is_err() {
                    break;
                }
            }
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(!reader.is_finished(), "the stream is open");
    let mut scene = scene;
    let (took, status) = scene.console.terminate();
    assert!(status.success(), "{status}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    tokio::time::timeout(Duration::from_secs(5), reader)
        .await
        .expect("the stream ended")
        .unwrap();
}

// ---------------------------------------------------------------------------------------
// The browser.

/// `chromedriver` on a free port, killed on drop. Its log is off: WebDriver commands carry
/// the text typed into the page, and a token typed into the sign-in form is no exception.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Driver {
        for (bin, package) in [
            ("/usr/bin/chromium", "chromium"),
            ("/usr/bin/chromedriver", "chromium-driver"),
        ] {
            assert!(
                std::path::Path::new(bin).exists(),
                "{bin} is missing: install the Debian package {package} (deploy/local/node-packages.sh)"
            );
        }
        let port = free_port();
        let mut cmd = Command::new("/usr/bin/chromedriver");
        cmd.arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        support::operator::die_with_test(&mut cmd);
        let child = cmd.spawn().expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        // (A connect is enough: chromedriver keeps HTTP/1.0 connections open.)
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { child, port }
    }

    async fn browser(&self, profile: &std::path::Path) -> fantoccini::Client {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1400,1000", format!("--user-data-dir={}", profile.display())]
            }),
        );
        fantoccini::ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a Chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn screenshots() -> PathBuf {
    let dir = support::repo_path("target/console-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(browser: &fantoccini::Client, name: &str) {
    let png = browser.screenshot().await.expect("a screenshot");
    let path = screenshots().join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    eprintln!("screenshot: {}", path.display());
}

/// Waits for an element by CSS selector, up to `timeout`.
async fn wait_for(
    browser: &fantoccini::Client,
    css: &str,
    timeout: Duration,
) -> fantoccini::elements::Element {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(e) = browser.find(fantoccini::Locator::Css(css)).await {
            return e;
        }
        if Instant::now() > deadline {
            let source = browser.source().await.unwrap_or_default();
            panic!("no {css} after {timeout:?}; page:\n{source}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The text (or, with `attr`, an attribute) of the element `css` once `ok` holds for it. Found
/// afresh on each try: a live section may replace the element between two commands.
async fn wait_read(
    browser: &fantoccini::Client,
    css: &str,
    attr: Option<&str>,
    ok: impl Fn(&str) -> bool,
    timeout: Duration,
) -> String {
    let deadline = Instant::now() + timeout;
    let mut last = String::new();
    loop {
        if let Ok(e) = browser.find(fantoccini::Locator::Css(css)).await {
            let read = match attr {
                None => e.text().await.ok(),
                Some(a) => e.attr(a).await.ok().flatten(),
            };
            if let Some(value) = read {
                if ok(&value) {
                    return value;
                }
                last = value;
            }
        }
        if Instant::now() > deadline {
            panic!("{css} never as expected after {timeout:?}; last: {last:?}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn sign_in(browser: &fantoccini::Client, console: &Console, token: &str) {
    // localhost, not 127.0.0.1: a Secure cookie over plain HTTP is kept for localhost.
    let base = format!(
        "http://localhost:{}",
        console.addr.rsplit(':').next().unwrap()
    );
    browser.goto(&format!("{base}/")).await.unwrap();
    let field = wait_for(browser, "#token", Duration::from_secs(10)).await;
    field.send_keys(token).await.unwrap();
    browser
        .find(fantoccini::Locator::Css("#sign-in"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(browser, "#user", Duration::from_secs(10)).await;
}

#[tokio::test]
async fn a_browser_signs_in_sees_a_tenant_go_ready_and_its_trace_and_a_viewer_refused() {
    let scene = Scene::start("console-browser").await;
    let (console, ns) = (&scene.console, scene.ns.as_str());
    let base = format!(
        "http://localhost:{}",
        console.addr.rsplit(':').next().unwrap()
    );
    let work = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let browser = driver.browser(&work.path().join("profile")).await;
    eprintln!("screenshots in {}", screenshots().display());

    // Anonymous: the sign-in page. A bad token is refused by Kubernetes, in words.
    browser.goto(&format!("{base}/")).await.unwrap();
    wait_for(&browser, "#login-form", Duration::from_secs(10)).await;
    shot(&browser, "01-sign-in").await;
    browser
        .find(fantoccini::Locator::Css("#token"))
        .await
        .unwrap()
        .send_keys("eyJ-not-a-real-token")
        .await
        .unwrap();
    browser
        .find(fantoccini::Locator::Css("#sign-in"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let error = wait_for(&browser, "#login-error", Duration::from_secs(10)).await;
    assert!(error.text().await.unwrap().contains("401"));

    // The admin signs in; the session cookie is out of the page's reach (HttpOnly).
    sign_in(&browser, console, &scene.admin).await;
    let user = browser
        .find(fantoccini::Locator::Css("#user"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(user, format!("system:serviceaccount:{ns}:admin"));
    assert_eq!(
        browser
            .execute("return document.cookie", vec![])
            .await
            .unwrap(),
        json!("")
    );
    let cookie = browser
        .get_named_cookie("rustfs-console-session")
        .await
        .expect("the session cookie");
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(cookie.secure(), Some(true));
    assert_eq!(
        cookie.same_site().map(|s| s.to_string()),
        Some("Strict".to_owned())
    );
    assert!(!cookie.value().contains(&scene.admin));

    // The list of the namespace, then a new Tenant through the form.
    browser
        .goto(&format!("{base}/?namespace={ns}"))
        .await
        .unwrap();
    wait_for(&browser, "#counts", Duration::from_secs(10)).await;
    browser.goto(&format!("{base}/new")).await.unwrap();
    let area = wait_for(&browser, "#create textarea", Duration::from_secs(10)).await;
    // It names a credentials Secret that does not exist yet, so it waits in CredentialsCheck
    // until the test makes the Secret, with the page open.
    let yaml = tenant_yaml("web")
        .replace(
            "metadata:\n  name: web\n",
            &format!("metadata:\n  name: web\n  namespace: {ns}\n"),
        )
        .replace("spec:\n", "spec:\n  credsSecret:\n    name: web-creds\n");
    browser
        .execute(
            "arguments[0].value = arguments[1];",
            vec![serde_json::to_value(&area).unwrap(), json!(yaml)],
        )
        .await
        .unwrap();
    browser
        .find(fantoccini::Locator::Css("#create button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The Tenant's page shows why it waits, then follows it live, without a reload, to Ready.
    wait_for(&browser, "#summary", Duration::from_secs(15)).await;
    assert!(
        browser
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with(&format!("/tenants/{ns}/web"))
    );
    let marker = browser
        .execute("window.__same_page = 1; return 1", vec![])
        .await
        .unwrap();
    assert_eq!(marker, json!(1));
    wait_read(
        &browser,
        "#summary[data-phase=\"CredentialsCheck\"] ~ #reason",
        None,
        |t| t.contains("CredentialsSecretMissing"),
        Duration::from_secs(60),
    )
    .await;
    shot(&browser, "02-tenant-waits-for-its-secret").await;
    let secret: k8s_openapi::api::core::v1::Secret = serde_json::from_value(json!({
        "metadata": {"name": "web-creds"},
        "stringData": {"accesskey": "console-admin-user", "secretkey": "console-admin-password"}
    }))
    .unwrap();
    Api::namespaced(scene.client.clone(), ns)
        .create(&PostParams::default(), &secret)
        .await
        .unwrap();
    wait_for(&browser, "#summary[data-phase=\"Ready\"]", READY_TIMEOUT).await;
    assert_eq!(
        browser
            .execute("return window.__same_page || 0", vec![])
            .await
            .unwrap(),
        json!(1),
        "the page reloaded instead of updating itself"
    );
    wait_for(
        &browser,
        "#transitions li[data-to=\"Ready\"] a.trace-link",
        Duration::from_secs(10),
    )
    .await;
    wait_for(
        &browser,
        "#pods tr[data-pod=\"web-pool-0-0\"]",
        Duration::from_secs(30),
    )
    .await;
    shot(&browser, "03-tenant-ready").await;

    // The list shows it Ready too, with its badge.
    browser
        .goto(&format!("{base}/?namespace={ns}"))
        .await
        .unwrap();
    wait_read(
        &browser,
        &format!("tr[data-tenant=\"{ns}/web\"] .badge"),
        None,
        |t| t == "Ready",
        Duration::from_secs(10),
    )
    .await;
    shot(&browser, "04-tenant-list").await;

    // The Ready transition's trace as a waterfall (retried: Jaeger gets spans in batches).
    browser
        .goto(&format!("{base}/tenants/{ns}/web"))
        .await
        .unwrap();
    let href = wait_read(
        &browser,
        "#transitions li[data-to=\"Ready\"] a.trace-link",
        Some("href"),
        |h| h.contains("/traces/"),
        Duration::from_secs(10),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        browser.goto(&format!("{base}{href}")).await.unwrap();
        if browser
            .find(fantoccini::Locator::Css("svg.waterfall g.span"))
            .await
            .is_ok()
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no waterfall: {}",
            browser.source().await.unwrap()
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let spans = browser
        .find_all(fantoccini::Locator::Css("svg.waterfall g.span"))
        .await
        .unwrap();
    assert!(!spans.is_empty());
    let labels = browser
        .find_all(fantoccini::Locator::Css("svg.waterfall text.label"))
        .await
        .unwrap();
    let mut names = Vec::new();
    for l in labels {
        names.push(l.text().await.unwrap());
    }
    assert!(
        names.iter().any(|n| n == "RollingOut -> Ready"),
        "{names:?}"
    );
    shot(&browser, "05-trace-waterfall").await;

    // Sign out; the viewer signs in and tries to delete: the page shows Kubernetes' refusal.
    browser.goto(&format!("{base}/")).await.unwrap();
    wait_for(&browser, "#logout", Duration::from_secs(10))
        .await
        .click()
        .await
        .unwrap();
    wait_for(&browser, "#login-form", Duration::from_secs(10)).await;
    sign_in(&browser, console, &scene.viewer).await;
    // Every namespace is more than the viewer may list: the page says so.
    let refusal = wait_for(
        &browser,
        ".refusal[data-code=\"403\"]",
        Duration::from_secs(10),
    )
    .await;
    assert!(
        refusal
            .text()
            .await
            .unwrap()
            .contains("Refused by Kubernetes (403 Forbidden)")
    );
    shot(&browser, "06-viewer-list-refused").await;
    // ...and picks the namespace there.
    browser
        .find(fantoccini::Locator::Css("#namespace"))
        .await
        .unwrap()
        .send_keys(ns)
        .await
        .unwrap();
    browser
        .find(fantoccini::Locator::Css("#namespace-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_read(
        &browser,
        &format!("tr[data-tenant=\"{ns}/web\"] .badge"),
        None,
        |t| t == "Ready",
        Duration::from_secs(10),
    )
    .await;
    browser
        .goto(&format!("{base}/tenants/{ns}/web"))
        .await
        .unwrap();
    wait_for(
        &browser,
        "#summary[data-phase=\"Ready\"]",
        Duration::from_secs(10),
    )
    .await;
    browser
        .execute(
            "document.querySelectorAll('details').forEach(function (d) { d.open = true; })",
            vec![],
        )
        .await
        .unwrap();
    browser
        .find(fantoccini::Locator::Css("#confirm"))
        .await
        .unwrap()
        .send_keys("web")
        .await
        .unwrap();
    browser
        .find(fantoccini::Locator::Css("#delete-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let notice = wait_for(&browser, "#notice.refusal", Duration::from_secs(10)).await;
    let text = notice.text().await.unwrap();
    assert!(
        text.contains("Refused by Kubernetes (403 Forbidden)"),
        "{text}"
    );
    assert!(
        text.contains("cannot delete resource \"tenants\""),
        "{text}"
    );
    shot(&browser, "07-viewer-delete-refused").await;
    // The Tenant is still there.
    let tenants: Api<rustfs_operator::api::v1alpha1::Tenant> =
        Api::namespaced(scene.client.clone(), ns);
    assert!(tenants.get_opt("web").await.unwrap().is_some());

    // Tokens are nowhere in the pages' source or any log.
    let source = browser.source().await.unwrap();
    assert!(!source.contains(&scene.viewer) && !source.contains(&scene.admin));
    browser.close().await.unwrap();
    scene.assert_no_token_in_logs();
    eprintln!("console screenshots: {}", screenshots().display());
}
