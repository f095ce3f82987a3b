// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Writes the state diagrams generated from the transition table, and refreshes the
//! generated regions of `diagrams/README.md` and `docs/state-machine.md`.
//!
//! Usage: `cargo run -p rustfs-machine --bin diagrams [REPO_ROOT]` (default: the workspace
//! root this crate sits in).

use std::path::PathBuf;
use std::process::ExitCode;

mod diagram;

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

/// The committed diagrams and generated Markdown regions match the table.
#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use machine::Phase;
    use strum::IntoEnumIterator;

    use super::diagram;

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    fn read(path: &str) -> String {
        std::fs::read_to_string(root().join(path)).unwrap_or_else(|err| {
            panic!(
                "cannot read {path} ({err}); generate it with `{}`",
                diagram::REGENERATE
            )
        })
    }

    #[test]
    fn committed_diagrams_match_the_table() {
        for (path, generated) in diagram::files() {
            assert!(
                read(path) == generated,
                "{path} is stale: regenerate it with `{}` and commit the result",
                diagram::REGENERATE
            );
        }
    }

    #[test]
    fn generated_markdown_regions_match_the_table() {
        for (path, region) in diagram::regions() {
            let document = read(path);
            let spliced = diagram::splice(&document, &region)
                .unwrap_or_else(|| panic!("{path} lacks the generated-region markers"));
            assert!(
                spliced == document,
                "{path} is stale: regenerate it with `{}` and commit the result",
                diagram::REGENERATE
            );
        }
    }

    #[test]
    fn the_readme_shows_and_explains_every_phase() {
        let readme = read("diagrams/README.md");
        assert!(readme.contains("```mermaid\n"));
        let prose = readme
            .split(diagram::BEGIN_MARK)
            .next()
            .expect("text before the graph");
        let after = readme.split(diagram::END_MARK).nth(1).unwrap_or_default();
        for phase in Phase::iter() {
            assert!(
                readme.contains(&format!("state {phase}\n")),
                "the graph lacks {phase}"
            );
            assert!(
                prose.contains(&format!("`{phase}`")) || after.contains(&format!("`{phase}`")),
                "the README does not explain {phase}"
            );
        }
        assert!(readme.contains("tenant-lifecycle.svg"));
    }
}
