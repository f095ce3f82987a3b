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

//! Computes the cache keys exactly like `deploy/local/build.sh` (control
//! plane, over deploy/local/go) and `deploy/local/cert-manager.sh` (over
//! deploy/local/cert-manager) do, so the launcher looks for binaries built
//! from the very module files this checkout pins.
//!
//! Recipe (mirrors `compute_key` in both scripts): for every go.mod, go.sum
//! and .go file under the module dir, in byte order of the path relative to
//! deploy/local, one line `<sha256 hex>  <path>`; then `recipe=<RECIPE>` (the
//! script's RECIPE= line); the SHA-256 of that text, first 16 hex digits.

use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name == "go.mod" || name == "go.sum" || name.ends_with(".go") {
                out.push(path);
            }
        }
    }
}

/// The cache key of the binaries `script` builds from the Go module in `dir`.
fn key(local: &Path, dir: &str, script: &str) -> String {
    let go_dir = local.join(dir);
    let script_path = local.join(script);
    println!("cargo:rerun-if-changed={}", go_dir.display());
    println!("cargo:rerun-if-changed={}", script_path.display());

    let text = fs::read_to_string(&script_path)
        .unwrap_or_else(|e| panic!("read {}: {e}", script_path.display()));
    let recipe = text
        .lines()
        .find_map(|l| l.strip_prefix("RECIPE="))
        .unwrap_or_else(|| panic!("{script} has a RECIPE= line"))
        .trim()
        .to_string();

    let mut files = Vec::new();
    collect(&go_dir, &mut files);
    let mut rel: Vec<(String, PathBuf)> = files
        .into_iter()
        .map(|p| {
            let r = p.strip_prefix(local).expect("under deploy/local");
            (r.to_string_lossy().into_owned(), p)
        })
        .collect();
    rel.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));

    let mut listing = String::new();
    for (name, path) in &rel {
        let data = fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        listing.push_str(&hex(&Sha256::digest(&data)));
        listing.push_str("  ");
        listing.push_str(name);
        listing.push('\n');
    }
    listing.push_str(&format!("recipe={recipe}\n"));
    hex(&Sha256::digest(listing.as_bytes()))[..16].to_string()
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let local = manifest.parent().expect("deploy/local").to_path_buf();
    println!(
        "cargo:rustc-env=LOCAL_CLUSTER_KEY={}",
        key(&local, "go", "build.sh")
    );
    println!(
        "cargo:rustc-env=LOCAL_CLUSTER_CERT_MANAGER_KEY={}",
        key(&local, "cert-manager", "cert-manager.sh")
    );
    // The pinned release: the version on go.mod's require line for the module.
    let go_mod = local.join("cert-manager").join("go.mod");
    let text = fs::read_to_string(&go_mod).expect("read deploy/local/cert-manager/go.mod");
    let version = text
        .lines()
        .find_map(|l| {
            let mut words = l.split_whitespace();
            let first = words.next()?;
            let first = if first == "require" {
                words.next()?
            } else {
                first
            };
            (first == "github.com/cert-manager/cert-manager").then(|| words.next())?
        })
        .expect("go.mod requires github.com/cert-manager/cert-manager");
    println!("cargo:rustc-env=LOCAL_CLUSTER_CERT_MANAGER_VERSION={version}");
}
