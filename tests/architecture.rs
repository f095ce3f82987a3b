// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! The shape of `src/`, held against the code (see docs/architecture.md, "The shape of the
//! shell"): no two files import each other, directly or in a loop, every write to the API
//! server lives under `src/effects/`, and the page's cache table is the one the owned-kinds
//! declaration (`src/owned.rs`) gives.
//!
//! An import is a `crate::` or `super::` path in non-test code (a `use` or a path in an
//! expression), resolved to the file that defines the module it names. A parent's `mod`
//! declaration of its child is not an import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/`, as a path relative to `src/`, except test-only folders.
fn files() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().unwrap() != "tests" {
                    walk(&path, out);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&src(), &mut out);
    let mut names: Vec<String> = out
        .iter()
        .map(|p| {
            p.strip_prefix(src())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|p| p != "lib.rs" && p != "main.rs")
        .collect();
    names.sort();
    names
}

/// The code of a file without comments and test modules (an inline `#[cfg(test)] mod`
/// ends the file; a `#[cfg(test)] mod x;` line is dropped).
fn code(file: &str) -> String {
    let text = std::fs::read_to_string(src().join(file)).unwrap();
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "#[cfg(test)]" {
            match lines.next() {
                Some(next) if next.trim_end().ends_with('{') => break,
                _ => continue,
            }
        }
        out.push(line.split("//").next().unwrap());
    }
    out.join("\n")
}

/// The module path of a file: `reconcile/checks/mod.rs` is `[reconcile, checks]`.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_owned)
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The file that defines the longest prefix of `path` that is a module with a file.
fn resolve(path: &[String], files: &BTreeSet<String>) -> Option<String> {
    (1..=path.len()).rev().find_map(|n| {
        let base = path[..n].join("/");
        [format!("{base}.rs"), format!("{base}/mod.rs")]
            .into_iter()
            .find(|f| files.contains(f))
    })
}

/// Expands `a::{b, c::{d, self}}` into `a::b`, `a::c::d`, `a::c`.
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(open) = tree.find('{') else {
        let path = tree
            .split(" as ")
            .next()
            .unwrap()
            .trim()
            .trim_end_matches("::*");
        return vec![path.to_owned()];
    };
    let prefix = tree[..open].trim_end_matches("::");
    let inner = &tree[open + 1..tree.rfind('}').unwrap()];
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    items
        .into_iter()
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .flat_map(|item| {
            if item == "self" {
                vec![prefix.to_owned()]
            } else {
                expand(item)
                    .into_iter()
                    .map(|p| format!("{prefix}::{p}"))
                    .collect()
            }
        })
        .collect()
}

/// The files `file` imports.
fn imports(file: &str, files: &BTreeSet<String>) -> BTreeSet<String> {
    let code = code(file);
    let mut paths = Vec::new();
    // `use` declarations, possibly grouped over several lines.
    for chunk in code.split(';') {
        let chunk = chunk.trim();
        let decl = chunk
            .strip_prefix("pub use ")
            .or_else(|| chunk.strip_prefix("pub(crate) use "))
            .or_else(|| chunk.strip_prefix("use "))
            .or_else(|| chunk.rsplit_once("\nuse ").map(|(_, d)| d))
            .or_else(|| chunk.rsplit_once("\npub use ").map(|(_, d)| d));
        if let Some(decl) = decl {
            paths.extend(expand(decl));
        }
    }
    // Paths in expressions: `crate::effects::status::write(...)`.
    for (i, _) in code.match_indices("crate::") {
        let rest: String = code[i..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        paths.push(rest);
    }
    let here = module_of(file);
    paths
        .into_iter()
        .filter_map(|p| {
            let parts: Vec<String> = p
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            let absolute = match parts.first().map(String::as_str) {
                Some("crate") => parts[1..].to_vec(),
                Some("super") => {
                    let mut base = here[..here.len().saturating_sub(1)].to_vec();
                    base.extend(parts[1..].iter().cloned());
                    base
                }
                _ => return None,
            };
            resolve(&absolute, files)
        })
        .filter(|target| target != file)
        .collect()
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let files: BTreeSet<String> = files().into_iter().collect();
    files
        .iter()
        .map(|f| (f.clone(), imports(f, &files)))
        .collect()
}

/// A loop of imports, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_file_of_src_imports_itself_through_others() {
    let graph = graph();
    assert!(graph.len() > 30, "too few files read: {}", graph.len());
    assert!(
        graph["reconcile/mod.rs"].contains("effects/mod.rs"),
        "the reader misses imports: {:?}",
        graph["reconcile/mod.rs"]
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import circle: {}", cycle.join(" -> "));
    }
}

#[test]
fn no_top_level_module_imports_itself_through_others() {
    // Folders as one node each: a child's import counts for its whole folder, so a loop
    // through a parent's call of its own child is caught here.
    let top = |f: &str| {
        f.split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_owned()
    };
    let mut modules: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, targets) in graph() {
        let from = top(&file);
        let to: BTreeSet<String> = targets
            .iter()
            .map(|t| top(t))
            .filter(|t| *t != from)
            .collect();
        modules.entry(from).or_default().extend(to);
    }
    assert!(modules["reconcile"].contains("effects"));
    if let Some(cycle) = find_cycle(&modules) {
        panic!("import circle between modules: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let mut g = BTreeMap::new();
    g.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    g.insert("b".to_owned(), BTreeSet::from(["c".to_owned()]));
    g.insert("c".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(find_cycle(&g).unwrap(), ["a", "b", "c", "a"]);
    g.insert("c".to_owned(), BTreeSet::new());
    assert_eq!(find_cycle(&g), None);
    assert_eq!(
        expand("crate::{a, b::{c, self}, d as e}"),
        ["crate::a", "crate::b::c", "crate::b", "crate::d"]
    );
}

#[test]
fn the_shell_layers_stay_in_order() {
    let graph = graph();
    // Context is below both its readers and its writers.
    for lower in ["context.rs", "owned.rs"] {
        let reaches: Vec<&String> = graph[lower]
            .iter()
            .filter(|t| t.starts_with("reconcile/") || t.starts_with("effects/"))
            .collect();
        assert!(reaches.is_empty(), "{lower} imports {reaches:?}");
    }
    for (file, targets) in &graph {
        if file.starts_with("effects/") {
            let up: Vec<&String> = targets
                .iter()
                .filter(|t| t.starts_with("reconcile/"))
                .collect();
            assert!(up.is_empty(), "{file} imports the reconcile shell: {up:?}");
        }
    }
}

#[test]
fn every_api_write_lives_under_src_effects() {
    // The parameters of every kube write (create, replace, patch, delete) and the event
    // recorder's publish.
    let writes = [
        "PostParams",
        "PatchParams",
        "DeleteParams",
        "Patch::",
        ".publish(",
    ];
    let mut found = Vec::new();
    for file in files() {
        if file.starts_with("effects/") {
            continue;
        }
        let code = code(&file);
        for w in writes {
            if code.contains(w) {
                found.push(format!("{file}: {w}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "API writes outside src/effects/: {found:?}"
    );
    let effects =
        code("effects/apply.rs") + &code("effects/status.rs") + &code("effects/events.rs");
    assert!(
        effects.contains("PatchParams")
            && effects.contains("PostParams")
            && effects.contains(".publish(")
    );
}

#[test]
fn the_lease_is_the_one_write_outside_src_effects_and_only_leader_rs_starts_it() {
    // The leader Lease is written by kube-lease-manager (ADR 0009); the crate is used in
    // one file, so the election's writes are as easy to find as the effects'.
    let users: Vec<String> = files()
        .into_iter()
        .filter(|f| code(f).contains("kube_lease_manager"))
        .collect();
    assert_eq!(users, ["leader.rs"]);
}

#[test]
fn the_architecture_page_shows_the_declared_caches() {
    use rustfs_operator::owned::{CACHES, cache_table};
    let page =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md"))
            .unwrap();
    let table = cache_table();
    assert!(
        page.contains(&table),
        "docs/architecture.md's cache table differs from src/owned.rs; paste this:\n{table}"
    );
    assert!(
        page.contains(&format!("builds {CACHES} reflector caches")),
        "docs/architecture.md must say the controller builds {CACHES} caches"
    );
}
