// Copyright 2026 The rustfs-operator Authors.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

//! The process-wide shared instance: one control plane per test binary, torn
//! down at normal exit by the atexit hook, and killed with the process (via
//! PR_SET_PDEATHSIG) when the process is SIGKILLed, its temp dir then swept
//! by the next start.
//!
//! The exit paths need a process that ends, so the tests re-run this test
//! binary as a child with `LC_SHARED_CHILD` set; the child's only test starts
//! the shared instance and reports its temp dir and pids on stdout.

use local_cluster::{ControlPlane, Options, pid_alive, sweep_stale_dirs};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "LC_SHARED_CHILD";

/// Runs only inside the child process.
#[test]
fn child_entry() {
    let Ok(mode) = std::env::var(CHILD_ENV) else {
        return;
    };
    let cp = ControlPlane::shared_with(Options::apiserver_only()).expect("shared instance starts");
    let pids: Vec<String> = cp.pids().iter().map(|(_, p)| p.to_string()).collect();
    println!("LC_ROOT={}", cp.root_dir().display());
    println!("LC_PIDS={}", pids.join(","));
    if mode == "hang" {
        std::thread::sleep(Duration::from_secs(600));
    }
}

/// Kills the child test process if an assertion fails before it is reaped.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Reported {
    root: PathBuf,
    pids: Vec<u32>,
}

fn spawn_child(mode: &str) -> (KillOnDrop, Reported) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_entry", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, mode)
        .stdout(Stdio::piped())
        .spawn()
        .expect("re-run test binary");
    let stdout = child.stdout.take().unwrap();
    let child = KillOnDrop(child);
    let mut root = None;
    let mut pids = None;
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        // libtest may print "test child_entry ... " in front of our output.
        if let Some((_, r)) = line.split_once("LC_ROOT=") {
            root = Some(PathBuf::from(r));
        }
        if let Some((_, p)) = line.split_once("LC_PIDS=") {
            pids = Some(p.split(',').map(|x| x.parse().unwrap()).collect());
            break;
        }
    }
    // Keep draining, or the child's later output would hit a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let reported = Reported {
        root: root.expect("child reported root"),
        pids: pids.expect("child reported pids"),
    };
    (child, reported)
}

fn wait_dead(pids: &[u32], timeout: Duration) {
    let deadline = Instant::now() + timeout;
    while pids.iter().any(|p| pid_alive(*p)) {
        assert!(Instant::now() < deadline, "pids {pids:?} still alive");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn shared_instance_is_reused_within_a_process() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let a = ControlPlane::shared_with(Options::apiserver_only()).expect("shared");
    let b = ControlPlane::shared_with(Options::apiserver_only()).expect("shared again");
    assert!(std::ptr::eq(a, b));
    let ns1 = a.new_namespace("shared").unwrap();
    let ns2 = b.new_namespace("shared").unwrap();
    assert_ne!(ns1, ns2);
    // Asking for more than the running instance has is an error, not a surprise.
    let err = ControlPlane::shared_with(Options::full()).expect_err("full not covered");
    assert!(err.to_string().contains("does not cover"), "{err}");
}

#[test]
fn shared_instance_is_torn_down_at_exit() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let (mut child, r) = spawn_child("exit");
    assert_eq!(r.pids.len(), 2);
    let status = child.0.wait().unwrap();
    assert!(status.success(), "child test failed: {status}");
    // atexit ran: processes reaped, temp dir gone, before the child exited.
    for pid in &r.pids {
        assert!(!pid_alive(*pid), "pid {pid} outlived its test process");
    }
    assert!(!r.root.exists(), "{} left behind", r.root.display());
}

#[test]
fn components_die_with_a_killed_test_process_and_dir_is_swept() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let (mut child, r) = spawn_child("hang");
    for pid in &r.pids {
        assert!(pid_alive(*pid));
    }
    let dead_pid = child.0.id();
    child.0.kill().unwrap(); // SIGKILL: no destructor, no atexit
    child.0.wait().unwrap();
    wait_dead(&r.pids, Duration::from_secs(5));

    // The dead process's dir (possibly already swept by a concurrent start)
    // goes; a dir of a live process (ours) stays.
    let tmp = std::env::temp_dir();
    let stale = tmp.join(format!("rustfs-lc-{dead_pid}-extra"));
    let live = tmp.join(format!("rustfs-lc-{}-extra", std::process::id()));
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::create_dir_all(&live).unwrap();
    sweep_stale_dirs();
    let live_survived = live.exists();
    let _ = std::fs::remove_dir_all(&live);
    assert!(live_survived, "sweep removed a live process's dir");
    assert!(!stale.exists(), "sweep left {}", stale.display());
    assert!(!r.root.exists(), "sweep left {}", r.root.display());
}
