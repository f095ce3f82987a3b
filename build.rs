// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Stamps the git commit and its date into the binary for `--version`.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn main() {
    // Container builds have no .git: they pass these in the environment instead.
    let commit = std::env::var("RUSTFS_OPERATOR_GIT_COMMIT")
        .ok()
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".into());
    let date = std::env::var("RUSTFS_OPERATOR_BUILD_DATE")
        .ok()
        .or_else(|| git(&["show", "-s", "--format=%cI", "HEAD"]))
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=RUSTFS_OPERATOR_GIT_COMMIT={commit}");
    println!("cargo:rustc-env=RUSTFS_OPERATOR_BUILD_DATE={date}");
    println!("cargo:rerun-if-env-changed=RUSTFS_OPERATOR_GIT_COMMIT");
    println!("cargo:rerun-if-env-changed=RUSTFS_OPERATOR_BUILD_DATE");
    if let Some(head) = git(&["rev-parse", "--git-path", "HEAD"]) {
        println!("cargo:rerun-if-changed={head}");
    }
    if let Some(refs) = git(&["rev-parse", "--git-path", "refs/heads"]) {
        println!("cargo:rerun-if-changed={refs}");
    }
}
