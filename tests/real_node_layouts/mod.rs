// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The pool layouts of the CRD against RustFS 1.0.1 itself (a module of the real-node tier):
//!
//! - every kind of layout the CRD accepts forms a cluster on the real node and serves S3, and
//!   RustFS formats its drives into exactly the erasure sets the operator predicts
//!   (`validate::layout`), read from `format.json` on the node's volumes;
//! - a sample of the layouts the CRD and the operator reject is refused by RustFS too: the
//!   cached `rustfs` binary, run as a plain process with the `RUSTFS_VOLUMES` the operator
//!   renders (its pod names mapped to loopback addresses), exits with the refusal, while
//!   accepted single-process layouts run with it become ready.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use kube::api::Api;
use rustfs_operator::api::v1alpha1::Tenant;
use rustfs_operator::resources::env::rustfs_volumes;
use rustfs_operator::validate::layout::{erasure_set_size, erasure_set_sizes, is_single_drive};
use rustfs_operator::validate::validate_spec;
use serde_json::json;

use super::{IMAGE, SERIAL, Scene};
use crate::support;

/// A Tenant with the credentials Secret `<name>-creds` and pools `pool-<i>` of (servers,
/// volumesPerServer), 1Gi volumes of the real node. All volumes of the node sit on one disk,
/// so RustFS's distinct-disk check is bypassed, as on any dev StorageClass.
fn layout_tenant(name: &str, pools: &[(i32, i32)]) -> Tenant {
    let pools: Vec<serde_json::Value> = pools
        .iter()
        .enumerate()
        .map(|(i, (servers, volumes))| {
            json!({
                "name": format!("pool-{i}"),
                "servers": servers,
                "persistence": {
                    "volumesPerServer": volumes,
                    "volumeClaimTemplate": {
                        "storageClassName": local_cluster::REAL_STORAGE_CLASS,
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}}
                    }
                }
            })
        })
        .collect();
    serde_json::from_value(json!({
        "apiVersion": "rustfs.com/v1alpha1",
        "kind": "Tenant",
        "metadata": {"name": name},
        "spec": {
            "image": IMAGE,
            "credsSecret": {"name": format!("{name}-creds")},
            "env": [
                {"name": "RUSTFS_OBS_LOGGER_LEVEL", "value": "info"},
                {"name": "RUSTFS_UNSAFE_BYPASS_DISK_CHECK", "value": "true"}
            ],
            "pools": pools
        }
    }))
    .unwrap()
}

/// The layouts run on the real node, one Tenant each, all at once (18 volumes, 13 pods).
const ACCEPTED: &[(&str, &[(i32, i32)])] = &[
    // A single drive: a plain path, no erasure coding.
    ("solo", &[(1, 1)]),
    // One server, one erasure set of 2 drives.
    ("pair", &[(1, 2)]),
    // Two servers of one drive: one set of 2 across the network.
    ("duo", &[(2, 1)]),
    // Three drives: a set of 3, not a multiple of 4.
    ("trio", &[(3, 1)]),
    // Three servers x 2 volumes: one set of 6.
    ("six", &[(3, 2)]),
    // A one-server pool beside another pool: both entries with ellipses.
    ("mixed", &[(1, 2), (2, 1)]),
];

/// The `format.json` RustFS wrote on the first volume of `pool` (from the PV behind the
/// claim of server 0, volume 0).
async fn format_json(scene: &Scene, pool: &str) -> serde_json::Value {
    let claim = format!("vol-0-{}-{pool}-0", scene.name);
    let pvcs: Api<PersistentVolumeClaim> = Api::namespaced(scene.client.clone(), &scene.ns);
    let pv_name = pvcs
        .get(&claim)
        .await
        .unwrap()
        .spec
        .and_then(|s| s.volume_name)
        .unwrap_or_else(|| panic!("{claim} is not bound"));
    let pvs: Api<PersistentVolume> = Api::all(scene.client.clone());
    let path = pvs
        .get(&pv_name)
        .await
        .unwrap()
        .spec
        .and_then(|s| s.local)
        .map(|l| PathBuf::from(l.path))
        .unwrap_or_else(|| panic!("{pv_name} is not a local volume"));
    read_format(&path)
}

/// `<drive>/.rustfs.sys/format.json`.
fn read_format(drive: &Path) -> serde_json::Value {
    let file = drive.join(".rustfs.sys/format.json");
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_json::from_str(&text).unwrap()
}

/// (backend, number of erasure sets, drives per set) of a `format.json`.
fn formatted_layout(format: &serde_json::Value) -> (String, usize, Vec<usize>) {
    let sets = format["xl"]["sets"].as_array().expect("xl.sets");
    let mut widths: Vec<usize> = sets.iter().map(|s| s.as_array().unwrap().len()).collect();
    widths.dedup();
    (
        format["format"].as_str().unwrap_or_default().to_owned(),
        sets.len(),
        widths,
    )
}

/// What the operator predicts RustFS makes of a pool: (backend, sets, [set width]).
fn predicted_layout(pools: &[(i32, i32)], pool: usize) -> (String, usize, Vec<usize>) {
    let (s, v) = pools[pool];
    let (s, v) = (i64::from(s), i64::from(v));
    if pools.len() == 1 && s * v == 1 {
        return ("xl-single".into(), 1, vec![1]);
    }
    let size = erasure_set_size(s, v).expect("an accepted layout");
    ("xl".into(), (s * v / size) as usize, vec![size as usize])
}

#[tokio::test]
async fn every_kind_of_layout_the_crd_accepts_forms_a_cluster_and_serves_s3() {
    let _serial = SERIAL.lock().await;
    let started = Instant::now();
    let mut scenes = Vec::new();
    for (name, pools) in ACCEPTED {
        let t = layout_tenant(name, pools);
        assert_eq!(validate_spec(&t), Ok(()), "{name}");
        scenes.push(Scene::create(&format!("rn-layout-{name}"), t).await);
    }
    futures::future::join_all(scenes.iter().map(|s| s.wait_ready("created"))).await;
    eprintln!(
        "METRIC real_node.layouts_ready_s {:.1} ({} Tenants)",
        started.elapsed().as_secs_f64(),
        scenes.len()
    );

    for (scene, (name, pools)) in scenes.iter().zip(ACCEPTED) {
        // What the operator handed RustFS.
        let sts: Api<StatefulSet> = Api::namespaced(scene.client.clone(), &scene.ns);
        let first = sts.get(&format!("{name}-pool-0")).await.unwrap();
        let env = first.spec.unwrap().template.spec.unwrap().containers[0]
            .env
            .clone()
            .unwrap();
        let volumes = env
            .iter()
            .find(|e| e.name == "RUSTFS_VOLUMES")
            .and_then(|e| e.value.clone())
            .unwrap();
        let tenant = scene.tenants.get(name).await.unwrap();
        if is_single_drive(&tenant.spec.pools) {
            assert_eq!(volumes, "/data/rustfs0", "{name}");
        } else {
            assert_eq!(volumes.split(' ').count(), pools.len(), "{name}: {volumes}");
            assert!(
                volumes
                    .split(' ')
                    .all(|arg| arg.matches("...").count() == 2),
                "{name}: every pool with an ellipsis over servers and volumes: {volumes}"
            );
        }

        // What RustFS made of it on the node's disks.
        for i in 0..pools.len() {
            let format = format_json(scene, &format!("pool-{i}")).await;
            assert_eq!(
                formatted_layout(&format),
                predicted_layout(pools, i),
                "{name} pool-{i}: {format}"
            );
        }

        // And it serves S3.
        let s3 = scene.s3(&format!("layout-{name}")).await;
        s3.create_bucket().await.expect("create bucket");
        let objects = s3.put_objects(name, 0..20).await;
        assert_eq!(s3.verify(&objects).await, Vec::<String>::new(), "{name}");
        eprintln!("{name} {pools:?}: Ready, {volumes}, 20 objects read back");
    }
    eprintln!(
        "METRIC real_node.layouts_total_s {:.1}",
        started.elapsed().as_secs_f64()
    );
    for scene in &scenes {
        let _ = scene
            .cp
            .kubectl_ok(["delete", "namespace", &scene.ns, "--wait=false"]);
    }
}

/// The cached RustFS 1.0.1 binary; `make node` puts it there.
fn rustfs_binary() -> PathBuf {
    let out = Command::new(support::repo_path("deploy/local/rustfs.sh"))
        .arg("--print-path")
        .output()
        .expect("deploy/local/rustfs.sh runs");
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(
        path.is_file(),
        "no RustFS binary at {}: run `make node`",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `RUSTFS_VOLUMES` as the operator renders it, with every pod name mapped to a loopback
/// address: `http://<tenant>-<pool>-{0...S-1}.<tenant>-hl.<ns>.svc.<domain>:9000<path>` becomes
/// `http://127.0.0.{1...S}:<port><path>`. A plain path (a single drive) stays as it is.
fn on_loopback(rendered: &str, port: u16) -> String {
    rendered
        .split(' ')
        .map(|arg| {
            let Some(rest) = arg.strip_prefix("http://") else {
                return arg.to_owned();
            };
            let (host, path) = rest.split_once(":9000").expect("the S3 port");
            let last: usize = host
                .split_once("{0...")
                .and_then(|(_, r)| r.split_once('}'))
                .map(|(n, _)| n.parse().unwrap())
                .expect("an ellipsis over the servers");
            format!("http://127.0.0.{{1...{}}}:{port}{path}", last + 1)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A Tenant of `pools` whose volumes live under `root/p<i>` (so RUSTFS_VOLUMES names real
/// directories), and its RUSTFS_VOLUMES on loopback.
fn rendered(root: &Path, pools: &[(i32, i32)], port: u16) -> (Tenant, String) {
    let mut t = layout_tenant("t", pools);
    for (i, pool) in t.spec.pools.iter_mut().enumerate() {
        pool.persistence.path = Some(root.join(format!("p{i}")).display().to_string());
        for v in 0..pool.persistence.volumes_per_server {
            std::fs::create_dir_all(root.join(format!("p{i}/rustfs{v}"))).unwrap();
        }
    }
    let volumes = rustfs_volumes("t", "ns", "cluster.local", &t.spec.pools, "http");
    (t, on_loopback(&volumes, port))
}

/// Starts `rustfs server` on 127.0.0.1:`port` with `volumes`, output to `root/rustfs.log`.
fn start_rustfs(root: &Path, port: u16, volumes: &str, extra_env: &[(&str, &str)]) -> Child {
    let log = std::fs::File::create(root.join("rustfs.log")).unwrap();
    let tmp = root.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    Command::new(rustfs_binary())
        .arg("server")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &tmp)
        .env("TMPDIR", &tmp)
        .env("RUSTFS_VOLUMES", volumes)
        .env("RUSTFS_ADDRESS", format!("127.0.0.1:{port}"))
        .env("RUSTFS_CONSOLE_ENABLE", "false")
        .env("RUSTFS_ACCESS_KEY", "layout-admin")
        .env("RUSTFS_SECRET_KEY", "layout-secret-0123456789")
        .env("RUSTFS_RPC_SECRET", "layout-rpc-secret-0123456789")
        .env("RUSTFS_UNSAFE_BYPASS_DISK_CHECK", "true")
        .envs(extra_env.iter().copied())
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("rustfs starts")
}

/// How long RustFS gets to refuse a layout (it refuses while parsing, well under a second).
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs RustFS on 127.0.0.1:`port` with `volumes` and expects it to exit unsuccessfully within
/// [`REFUSAL_TIMEOUT`], logging `refusal`.
fn assert_refused(what: &str, port: u16, volumes: &str, extra_env: &[(&str, &str)], refusal: &str) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = start_rustfs(dir.path(), port, volumes, extra_env);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > REFUSAL_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{what}: RustFS still runs after {REFUSAL_TIMEOUT:?} with RUSTFS_VOLUMES={volumes}"
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let log = std::fs::read_to_string(dir.path().join("rustfs.log")).unwrap();
    assert!(!status.success(), "{what}: RustFS exited with {status}");
    assert!(
        log.contains(refusal),
        "{what}: {refusal:?} not in RustFS's output:\n{log}"
    );
    eprintln!(
        "{what}: RustFS exits ({status}) after {:.2}s: {refusal}",
        started.elapsed().as_secs_f64()
    );
}

/// (what, pools as (servers, volumesPerServer), extra env, RustFS's refusal)
type Rejected<'a> = (&'a str, &'a [(i32, i32)], &'a [(&'a str, &'a str)], &'a str);

#[test]
fn rustfs_refuses_the_layouts_the_crd_rejects_and_runs_the_ones_it_accepts() {
    // The operator rejects each (the API server's CEL rules give the same verdict on every
    // pool shape: tests/apiserver.rs); RustFS 1.0.1 refuses each with its own words.
    let rejected: &[Rejected] = &[
        (
            "17 servers x 2 volumes (the old >= 4 rule accepted it)",
            &[(17, 2)],
            &[],
            "No symmetric distribution detected",
        ),
        (
            "19 servers x 16 volumes",
            &[(19, 16)],
            &[],
            "No symmetric distribution detected",
        ),
        (
            "17 servers x 1 volume",
            &[(17, 1)],
            &[],
            "number of drives 17 is not divisible by any supported erasure set sizes",
        ),
        (
            "1 server x 17 volumes",
            &[(1, 17)],
            &[],
            "number of drives 17 is not divisible by any supported erasure set sizes",
        ),
        (
            "a single drive beside another pool",
            &[(4, 1), (1, 1)],
            &[],
            "an erasure pool requires at least 2 drive endpoints",
        ),
        (
            "a single-drive Tenant given a second pool",
            &[(1, 1), (2, 2)],
            &[],
            "an erasure pool requires at least 2 drive endpoints",
        ),
        (
            "RUSTFS_ERASURE_SET_DRIVE_COUNT=5 on 4 x 4",
            &[(4, 4)],
            &[("RUSTFS_ERASURE_SET_DRIVE_COUNT", "5")],
            "Invalid set drive count 5. Acceptable values for 16 number drives are [2, 4, 8, 16]",
        ),
    ];
    assert_eq!(erasure_set_sizes(4, 4), [2, 4, 8, 16], "what RustFS lists");
    for (what, pools, extra_env, refusal) in rejected {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let (mut t, volumes) = rendered(dir.path(), pools, port);
        t.spec.env.extend(extra_env.iter().map(|(name, value)| {
            serde_json::from_value(json!({"name": name, "value": value})).unwrap()
        }));
        assert!(
            validate_spec(&t).is_err(),
            "{what}: the operator accepts it"
        );
        assert_refused(what, port, &volumes, extra_env, refusal);
    }

    // Why a single drive is a plain path: the same drive as a URL, or with an ellipsis (as
    // the operator rendered it before), or its plain path beside a second pool (how a
    // single-drive Tenant would grow) is refused.
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let (_, solo) = rendered(&dir.path().join("solo"), &[(1, 1)], port);
    let (_, pool) = rendered(&dir.path().join("more"), &[(2, 2)], port);
    assert!(!solo.contains("://") && !solo.contains("..."), "{solo}");
    let solo_dir = solo.strip_suffix("/rustfs0").unwrap();
    let single_drive_forms = [
        (
            "a single drive as a URL",
            format!("http://127.0.0.1:{port}{solo}"),
            "use path style endpoint for single node setup",
        ),
        (
            "a single drive with ellipses",
            format!("http://127.0.0.{{1...1}}:{port}{solo_dir}/rustfs{{0...0}}"),
            "an erasure pool requires at least 2 drive endpoints",
        ),
        (
            "a single drive's plain path with a second pool",
            format!("{solo} {pool}"),
            "all args must have ellipses for pool expansion",
        ),
    ];
    for (what, volumes, refusal) in &single_drive_forms {
        assert_refused(what, port, volumes, &[], refusal);
    }

    // The same process setup runs what the CRD accepts: ready, formatted as predicted.
    let accepted: &[&[(i32, i32)]] = &[&[(1, 1)], &[(1, 3)], &[(1, 18)], &[(1, 2), (1, 3)]];
    for pools in accepted {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let (t, volumes) = rendered(dir.path(), pools, port);
        assert_eq!(validate_spec(&t), Ok(()), "{pools:?}");
        let mut child = start_rustfs(dir.path(), port, &volumes, &[]);
        let started = Instant::now();
        let addr = format!("127.0.0.1:{port}");
        while support::http_get(&addr, "/health/ready").map(|r| r.0) != Some(200) {
            if let Some(status) = child.try_wait().unwrap() {
                let log = std::fs::read_to_string(dir.path().join("rustfs.log")).unwrap();
                panic!("{pools:?}: RustFS exited ({status}) with RUSTFS_VOLUMES={volumes}:\n{log}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{pools:?}: not ready after 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        for i in 0..pools.len() {
            let format = read_format(&dir.path().join(format!("p{i}/rustfs0")));
            assert_eq!(
                formatted_layout(&format),
                predicted_layout(pools, i),
                "{pools:?} pool {i}: {format}"
            );
        }
        child.kill().unwrap();
        child.wait().unwrap();
        eprintln!(
            "{pools:?}: RustFS ready after {:.2}s with RUSTFS_VOLUMES={volumes}",
            started.elapsed().as_secs_f64()
        );
    }
}
