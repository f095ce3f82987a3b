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

//! Writes the state diagrams generated from the transition table, and refreshes the
//! generated regions of `diagrams/README.md` and `docs/state-machine.md`.
//!
//! Usage: `cargo run -p rustfs-machine --bin diagrams [REPO_ROOT]` (default: the workspace
//! root this crate sits in).

use std::path::PathBuf;
use std::process::ExitCode;

use machine::diagram;

fn main() -> ExitCode {
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."));

    for (path, content) in diagram::files() {
        let path = root.join(path);
        if let Some(dir) = path.parent()
            && let Err(err) = std::fs::create_dir_all(dir)
        {
            eprintln!("cannot create {}: {err}", dir.display());
            return ExitCode::FAILURE;
        }
        if let Err(err) = std::fs::write(&path, content) {
            eprintln!("cannot write {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", path.display());
    }
    for (path, region) in diagram::regions() {
        let path = root.join(path);
        let document = match std::fs::read_to_string(&path) {
            Ok(document) => document,
            Err(err) => {
                eprintln!("cannot read {}: {err}", path.display());
                return ExitCode::FAILURE;
            }
        };
        let Some(updated) = diagram::splice(&document, &region) else {
            eprintln!(
                "{} lacks the markers {:?} ... {:?}",
                path.display(),
                diagram::BEGIN_MARK,
                diagram::END_MARK
            );
            return ExitCode::FAILURE;
        };
        if let Err(err) = std::fs::write(&path, updated) {
            eprintln!("cannot write {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
        println!("updated {}", path.display());
    }
    ExitCode::SUCCESS
}
