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

//! Repository promises that are easy to forget: every file carries the Apache-2.0 header.

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

#[test]
fn every_tracked_file_has_the_license_header() {
    let out = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("git ls-files");
    assert!(out.status.success(), "git ls-files failed");
    let files: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .split('\0')
        .filter(|f| !f.is_empty() && !exempt(f))
        .map(str::to_owned)
        .collect();
    assert!(files.len() > 50, "too few files listed: {}", files.len());
    let missing: Vec<&String> = files
        .iter()
        .filter(|f| {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(f);
            let Ok(text) = std::fs::read_to_string(&path) else {
                return false; // removed in the work tree, or binary
            };
            let head: String = text.lines().take(6).collect::<Vec<_>>().join("\n");
            !(head.contains("SPDX-License-Identifier: Apache-2.0")
                || head.contains("Licensed under the Apache License, Version 2.0"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "files without the Apache-2.0 header: {missing:?}"
    );
}
