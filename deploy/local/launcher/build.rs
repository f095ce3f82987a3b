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

//! Computes the control plane cache key exactly like `deploy/local/build.sh`
//! does, so the launcher looks for binaries built from the very module files
//! this checkout pins.
//!
//! Recipe (mirrors `compute_key` in build.sh): for every go.mod, go.sum and
//! .go file under deploy/local/go, in byte order of the path relative to
//! deploy/local, one line `<sha256 hex>  <path>`; then `recipe=<RECIPE>`;
//! the SHA-256 of that text, first 16 hex digits.

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

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let local = manifest.parent().expect("deploy/local").to_path_buf();
    let go_dir = local.join("go");
    let build_sh = local.join("build.sh");
    println!("cargo:rerun-if-changed={}", go_dir.display());
    println!("cargo:rerun-if-changed={}", build_sh.display());

    let script = fs::read_to_string(&build_sh).expect("read deploy/local/build.sh");
    let recipe = script
        .lines()
        .find_map(|l| l.strip_prefix("RECIPE="))
        .expect("build.sh has a RECIPE= line")
        .trim()
        .to_string();

    let mut files = Vec::new();
    collect(&go_dir, &mut files);
    let mut rel: Vec<(String, PathBuf)> = files
        .into_iter()
        .map(|p| {
            let r = p.strip_prefix(&local).expect("under deploy/local");
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
    let key = hex(&Sha256::digest(listing.as_bytes()));
    println!("cargo:rustc-env=LOCAL_CLUSTER_KEY={}", &key[..16]);
}
