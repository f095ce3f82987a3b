// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Repository promises that are easy to forget: every file carries the Apache-2.0 notice
//! (the two-line SPDX form or the full notice), and every Rust file then says what it is.

use std::process::Command;

/// Files whose format has no comments, or that other tools own.
fn exempt(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.ends_with(".md")
        || path.ends_with(".json")
        || path.ends_with("go.sum")
        || name == "Cargo.lock"
        || name == "LICENSE"
}

/// The tracked files (less the exempt ones) for which `bad` holds, given their text. A file
/// removed in the work tree, or not text, is passed over.
fn tracked_where(bad: impl Fn(&str) -> bool) -> Vec<String> {
    tracked()
        .into_iter()
        .filter(|f| {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(f);
            std::fs::read_to_string(&path).is_ok_and(|text| bad(&text))
        })
        .collect()
}

fn tracked() -> Vec<String> {
    let out = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("git ls-files");
    assert!(out.status.success(), "git ls-files failed");
    String::from_utf8(out.stdout)
        .unwrap()
        .split('\0')
        .filter(|f| !f.is_empty() && !exempt(f))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_rust_file_opens_with_what_it_is() {
    let rust: Vec<String> = tracked()
        .into_iter()
        .filter(|f| f.ends_with(".rs"))
        .collect();
    assert!(rust.len() > 40, "too few Rust files listed: {}", rust.len());
    let silent: Vec<String> = tracked_where(|text| {
        // The first line after the license comment is the file's `//!` doc.
        let first = text
            .lines()
            .find(|l| !l.trim().is_empty() && *l != "//" && !l.starts_with("// "));
        !first.is_some_and(|l| l.starts_with("//!"))
    })
    .into_iter()
    .filter(|f| f.ends_with(".rs"))
    .collect();
    assert!(
        silent.is_empty(),
        "Rust files whose opening (after the license) is not a `//!` doc: {silent:?}"
    );
}

#[test]
fn every_tracked_file_has_the_license_header() {
    let files = tracked();
    assert!(files.len() > 50, "too few files listed: {}", files.len());
    let missing = tracked_where(|text| {
        let head: String = text.lines().take(6).collect::<Vec<_>>().join("\n");
        !(head.contains("SPDX-License-Identifier: Apache-2.0")
            || head.contains("Licensed under the Apache License, Version 2.0"))
    });
    assert!(
        missing.is_empty(),
        "files without the Apache-2.0 header: {missing:?}"
    );
}
