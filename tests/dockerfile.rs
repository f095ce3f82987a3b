// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

//! Keeps the Dockerfile and .dockerignore honest without a Docker engine and without a
//! release build: the stages and their order (the cargo-chef caching point), the version stamp
//! reaching build.rs, the runtime stage agreeing with deploy/deployment.yaml, the base images
//! pinned, and the build context (parsed with Docker's rules) holding every file that cargo
//! reads for `cargo build --release --bin rustfs-operator`. It also pins the subset of
//! Dockerfile syntax that deploy/image/build-steps.sh can replay.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::Value as Json;
use serde_yaml::Value as Yaml;

const BINARY: &str = "/usr/local/bin/rustfs-operator";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

// ---- Dockerfile ------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Instruction {
    keyword: String,
    args: String,
}

#[derive(Debug)]
struct Stage {
    name: String,
    base: String,
    body: Vec<Instruction>,
}

/// Instructions of a Dockerfile: continuation lines joined, comments and blank lines dropped.
fn instructions(text: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && pending.is_empty()) {
            continue;
        }
        if let Some(head) = trimmed.strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
            continue;
        }
        pending.push_str(trimmed);
        let full = std::mem::take(&mut pending);
        let (keyword, args) = full.split_once(char::is_whitespace).unwrap_or((&full, ""));
        out.push(Instruction {
            keyword: keyword.to_ascii_uppercase(),
            args: args.split_whitespace().collect::<Vec<_>>().join(" "),
        });
    }
    assert!(pending.is_empty(), "Dockerfile ends inside a continuation");
    out
}

fn stages(text: &str) -> Vec<Stage> {
    let mut stages: Vec<Stage> = Vec::new();
    for ins in instructions(text) {
        if ins.keyword == "FROM" {
            let words: Vec<&str> = ins.args.split(' ').collect();
            match words.as_slice() {
                [base, as_kw, name] if as_kw.eq_ignore_ascii_case("as") => stages.push(Stage {
                    name: name.to_string(),
                    base: base.to_string(),
                    body: Vec::new(),
                }),
                _ => panic!(
                    "every stage is named (FROM image AS name): FROM {}",
                    ins.args
                ),
            }
        } else {
            stages
                .last_mut()
                .unwrap_or_else(|| panic!("{} before the first FROM", ins.keyword))
                .body
                .push(ins);
        }
    }
    stages
}

fn dockerfile() -> Vec<Stage> {
    stages(&read("Dockerfile"))
}

fn stage<'a>(all: &'a [Stage], name: &str) -> &'a Stage {
    all.iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no stage {name}"))
}

/// Index of the first instruction of `stage` with this keyword whose arguments start so.
fn position(stage: &Stage, keyword: &str, prefix: &str) -> usize {
    stage
        .body
        .iter()
        .position(|i| i.keyword == keyword && i.args.starts_with(prefix))
        .unwrap_or_else(|| panic!("stage {} has no `{keyword} {prefix}...`", stage.name))
}

fn args_of(stage: &Stage, keyword: &str, prefix: &str) -> String {
    stage.body[position(stage, keyword, prefix)].args.clone()
}

/// Values of a repeated flag, e.g. every `--bin X` in a command line.
fn flag_values(command: &str, flag: &str) -> Vec<String> {
    let words: Vec<&str> = command.split(' ').collect();
    words
        .windows(2)
        .filter(|w| w[0] == flag)
        .map(|w| w[1].to_string())
        .collect()
}

/// `ARG NAME=default` of a stage.
fn arg_default(stage: &Stage, name: &str) -> String {
    let args = args_of(stage, "ARG", &format!("{name}="));
    args[name.len() + 1..].to_string()
}

/// `KEY=value` pairs of every ENV (or LABEL) of a stage, quotes removed.
fn pairs(stage: &Stage, keyword: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for ins in stage.body.iter().filter(|i| i.keyword == keyword) {
        // Values are quoted strings or single words; split on whitespace outside quotes.
        let mut rest = ins.args.as_str();
        while !rest.is_empty() {
            let (key, after) = rest.split_once('=').expect("KEY=value");
            let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
                let end = quoted.find('"').expect("closing quote");
                (&quoted[..end], &quoted[end + 1..])
            } else {
                after.split_once(' ').unwrap_or((after, ""))
            };
            out.push((key.trim().to_string(), value.to_string()));
            rest = next.trim_start();
        }
    }
    out
}

/// The workspace's `key = "value"` from the root Cargo.toml ([workspace.package]).
fn workspace_key(key: &str) -> String {
    read("Cargo.toml")
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().trim_matches('"').to_string())
        })
        .unwrap_or_else(|| panic!("Cargo.toml has no {key}"))
}

fn version_tuple(v: &str) -> Vec<u32> {
    v.split('.')
        .map(|p| p.parse().unwrap_or_else(|_| panic!("not a version: {v}")))
        .collect()
}

#[test]
fn stages_and_base_images_are_pinned() {
    let all = dockerfile();
    let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["chef", "planner", "builder", "runtime"]);
    assert_eq!(stage(&all, "planner").base, "chef");
    assert_eq!(stage(&all, "builder").base, "chef");

    for s in all.iter().filter(|s| !names.contains(&s.base.as_str())) {
        let (_, tag) = s.base.rsplit_once(':').expect("base image has a tag");
        assert!(!tag.contains('/'), "{}: the tag is missing", s.base);
        assert_ne!(tag, "latest", "{} is not pinned", s.base);
    }

    // The toolchain image is a Debian bookworm one (the runtime's glibc) and at least the
    // workspace's rust-version.
    let chef = stage(&all, "chef");
    let tag = chef
        .base
        .strip_prefix("rust:")
        .expect("chef builds on rust:");
    let (rust, distro) = tag.split_once('-').expect("rust:<version>-<distro>");
    assert_eq!(distro, "bookworm");
    let msrv = workspace_key("rust-version");
    assert!(
        version_tuple(rust) >= version_tuple(&msrv),
        "rust:{rust} is older than rust-version {msrv}"
    );
    assert!(
        stage(&all, "runtime").base.contains("debian12")
            || stage(&all, "runtime").base.contains("bookworm"),
        "the runtime image must match the builder's Debian release (glibc)"
    );
}

#[test]
fn cargo_chef_cooks_dependencies_before_the_sources_arrive() {
    let all = dockerfile();
    let chef = stage(&all, "chef");
    let version = arg_default(chef, "CARGO_CHEF_VERSION");
    assert_eq!(
        version_tuple(&version).len(),
        3,
        "cargo-chef pinned to x.y.z"
    );
    assert_eq!(
        args_of(chef, "RUN", "cargo install cargo-chef"),
        "cargo install cargo-chef --locked --version ${CARGO_CHEF_VERSION}"
    );
    assert!(position(chef, "ARG", "CARGO_CHEF_VERSION") < position(chef, "RUN", "cargo install"));

    let planner = stage(&all, "planner");
    assert!(position(planner, "COPY", ". .") < position(planner, "RUN", "cargo chef prepare"));
    assert_eq!(
        args_of(planner, "RUN", "cargo chef prepare"),
        "cargo chef prepare --recipe-path recipe.json"
    );

    // The caching point: recipe in, cook, and only then the sources.
    let builder = stage(&all, "builder");
    let recipe_in = position(builder, "COPY", "--from=planner");
    let cook = position(builder, "RUN", "cargo chef cook");
    let sources_in = position(builder, "COPY", ". .");
    let build = position(builder, "RUN", "cargo build");
    assert!(recipe_in < cook && cook < sources_in && sources_in < build);
    assert_eq!(
        args_of(builder, "COPY", "--from=planner"),
        "--from=planner /build/recipe.json recipe.json"
    );
    let cook_cmd = args_of(builder, "RUN", "cargo chef cook");
    let build_cmd = args_of(builder, "RUN", "cargo build");
    for flag in ["--release", "--locked"] {
        assert!(cook_cmd.split(' ').any(|w| w == flag), "cook lacks {flag}");
        assert!(
            build_cmd.split(' ').any(|w| w == flag),
            "build lacks {flag}"
        );
    }
    assert_eq!(flag_values(&cook_cmd, "--recipe-path"), ["recipe.json"]);
    // Same profile, binary and features: the build reuses every cooked dependency.
    assert_eq!(flag_values(&build_cmd, "--bin"), ["rustfs-operator"]);
    let cook_flags = cook_cmd
        .strip_prefix("cargo chef cook ")
        .expect("cook")
        .replace("--recipe-path recipe.json", "");
    let build_flags = build_cmd.strip_prefix("cargo build ").expect("build");
    let set = |s: &str| {
        s.split_whitespace()
            .map(str::to_owned)
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(
        set(&cook_flags),
        set(build_flags),
        "cook and build must select the same things"
    );

    // A new commit must not invalidate the cooked layer.
    for arg in ["GIT_COMMIT", "BUILD_DATE"] {
        let at = position(builder, "ARG", arg);
        assert!(
            at > cook && at < build,
            "ARG {arg} belongs between cook and build"
        );
    }
}

#[test]
fn version_stamp_reaches_build_rs() {
    let all = dockerfile();
    let builder = stage(&all, "builder");
    let env = pairs(builder, "ENV");
    let build_rs = read("build.rs");
    for (var, arg) in [
        ("RUSTFS_OPERATOR_GIT_COMMIT", "GIT_COMMIT"),
        ("RUSTFS_OPERATOR_BUILD_DATE", "BUILD_DATE"),
    ] {
        let value = env
            .iter()
            .find(|(k, _)| k == var)
            .unwrap_or_else(|| panic!("builder sets no ENV {var}"));
        assert_eq!(value.1, format!("${{{arg}}}"));
        assert!(
            build_rs.contains(&format!("std::env::var(\"{var}\")")),
            "build.rs no longer reads {var}"
        );
        assert_eq!(arg_default(builder, arg), "unknown");
    }
    assert!(
        position(builder, "ENV", "RUSTFS_OPERATOR_GIT_COMMIT")
            < position(builder, "RUN", "cargo build")
    );
}

/// The operator container of deploy/deployment.yaml, and its pod security context.
fn deployment() -> (Yaml, Yaml) {
    let text = read("deploy/deployment.yaml");
    for doc in serde_yaml::Deserializer::from_str(&text) {
        let doc = Yaml::deserialize(doc).expect("YAML");
        if doc["kind"] == "Deployment" && doc["metadata"]["name"] == "rustfs-operator" {
            let pod = &doc["spec"]["template"]["spec"];
            let container = pod["containers"]
                .as_sequence()
                .expect("containers")
                .iter()
                .find(|c| c["name"] == "operator")
                .expect("container operator")
                .clone();
            return (container, pod["securityContext"].clone());
        }
    }
    panic!("deploy/deployment.yaml has no Deployment rustfs-operator");
}

fn exec_form(stage: &Stage, keyword: &str) -> Vec<String> {
    let args = args_of(stage, keyword, "");
    serde_json::from_str(&args)
        .unwrap_or_else(|e| panic!("{keyword} must be the JSON exec form ({e}): {args}"))
}

#[test]
fn runtime_stage_matches_the_deployment() {
    let all = dockerfile();
    let runtime = all.last().expect("stages");
    let (container, pod_security) = deployment();

    assert!(
        runtime.body.iter().all(|i| i.keyword != "RUN"),
        "the runtime image has no shell: no RUN in the last stage"
    );
    assert_eq!(exec_form(runtime, "ENTRYPOINT"), [BINARY]);
    let args: Vec<String> = serde_yaml::from_value(container["args"].clone()).expect("args");
    assert_eq!(
        exec_form(runtime, "CMD"),
        args,
        "CMD = the Deployment's args"
    );
    assert!(
        container["command"].is_null(),
        "the Deployment keeps the image's ENTRYPOINT"
    );

    let user = args_of(runtime, "USER", "");
    let (uid, gid) = user.split_once(':').expect("USER uid:gid, numeric");
    let uid: u64 = uid
        .parse()
        .expect("numeric uid (runAsNonRoot can verify it)");
    let gid: u64 = gid.parse().expect("numeric gid");
    assert_ne!(uid, 0);
    assert_eq!(pod_security["runAsUser"].as_u64(), Some(uid));
    assert_eq!(pod_security["runAsGroup"].as_u64(), Some(gid));
    assert_eq!(pod_security["runAsNonRoot"].as_bool(), Some(true));
    assert_eq!(
        container["securityContext"]["readOnlyRootFilesystem"].as_bool(),
        Some(true)
    );

    let port = args_of(runtime, "EXPOSE", "");
    let container_port = container["ports"][0]["containerPort"]
        .as_u64()
        .expect("containerPort");
    assert_eq!(port, container_port.to_string());

    // The binary comes from where the builder's `cargo build --bin` leaves it.
    let builder = stage(&all, "builder");
    let workdir = args_of(stage(&all, "chef"), "WORKDIR", "");
    let bin = &flag_values(&args_of(builder, "RUN", "cargo build"), "--bin")[0];
    assert_eq!(
        args_of(runtime, "COPY", "--from="),
        format!("--from=builder {workdir}/target/release/{bin} {BINARY}")
    );
}

#[test]
fn oci_labels_describe_the_build() {
    let all = dockerfile();
    let runtime = all.last().expect("stages");
    let labels = pairs(runtime, "LABEL");
    let label = |key: &str| {
        labels
            .iter()
            .find(|(k, _)| k == &format!("org.opencontainers.image.{key}"))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no label org.opencontainers.image.{key}"))
    };
    assert_eq!(label("title"), "rustfs-operator");
    assert_eq!(label("source"), workspace_key("repository"));
    assert_eq!(label("licenses"), workspace_key("license"));
    assert_eq!(label("revision"), "${GIT_COMMIT}");
    assert_eq!(label("created"), "${BUILD_DATE}");
    assert_eq!(label("version"), "${VERSION}");
    assert_eq!(arg_default(runtime, "VERSION"), workspace_key("version"));
    for arg in ["GIT_COMMIT", "BUILD_DATE"] {
        position(runtime, "ARG", arg); // ARGs are per stage: re-declared for the labels
    }
}

/// deploy/image/build-steps.sh replays the Dockerfile and understands only this much of it.
#[test]
fn dockerfile_stays_replayable_outside_docker() {
    let all = dockerfile();
    let last = all.last().expect("stages").name.clone();
    let known = [
        "ARG",
        "ENV",
        "WORKDIR",
        "COPY",
        "RUN",
        "LABEL",
        "USER",
        "EXPOSE",
        "ENTRYPOINT",
        "CMD",
    ];
    for s in &all {
        for ins in &s.body {
            assert!(
                known.contains(&ins.keyword.as_str()),
                "build-steps.sh cannot replay {}",
                ins.keyword
            );
            match ins.keyword.as_str() {
                "WORKDIR" => assert_eq!(ins.args, "/build"),
                "RUN" => assert!(
                    ins.args.starts_with("cargo ") && s.name != last,
                    "only cargo commands, and not in the runtime stage: RUN {}",
                    ins.args
                ),
                "COPY" => {
                    let words: Vec<&str> = ins.args.split(' ').collect();
                    let ok = words == [".", "."]
                        || (words.len() == 3
                            && words[0].starts_with("--from=")
                            && words[1].starts_with("/build/"));
                    assert!(ok, "unsupported COPY {}", ins.args);
                }
                _ => {}
            }
        }
    }
}

// ---- .dockerignore -----------------------------------------------------------------------

/// One .dockerignore line, compiled. Matching follows Docker: `*` and `?` stay within a path
/// segment, `**` spans segments, a pattern matching a directory matches everything below it,
/// and the last matching line decides (`!` lines re-include).
#[derive(Debug)]
struct Rule {
    reinclude: bool,
    pattern: Vec<char>,
}

fn rules(text: &str) -> Vec<Rule> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (reinclude, p) = match l.strip_prefix('!') {
                Some(p) => (true, p.trim()),
                None => (false, l),
            };
            assert!(!p.contains('['), "character classes are not supported: {p}");
            let p = p.trim_start_matches('/').trim_end_matches('/');
            Rule {
                reinclude,
                pattern: p.chars().collect(),
            }
        })
        .collect()
}

/// Whether `pattern` matches all of `path` (both as chars).
fn glob(pattern: &[char], path: &[char]) -> bool {
    match pattern {
        [] => path.is_empty(),
        ['*', '*', rest @ ..] => {
            let rest = rest.strip_prefix(&['/']).unwrap_or(rest);
            if rest.is_empty() {
                return true;
            }
            // `**/` takes zero or more whole directories.
            glob(rest, path)
                || path
                    .iter()
                    .enumerate()
                    .any(|(i, c)| *c == '/' && glob(rest, &path[i + 1..]))
        }
        ['*', rest @ ..] => (0..=path.len())
            .take_while(|&i| i == 0 || path[i - 1] != '/')
            .any(|i| glob(rest, &path[i..])),
        ['?', rest @ ..] => matches!(path, [c, tail @ ..] if *c != '/' && glob(rest, tail)),
        ['\\', c, rest @ ..] | [c, rest @ ..] => {
            matches!(path, [p, tail @ ..] if p == c && glob(rest, tail))
        }
    }
}

fn excluded(rules: &[Rule], path: &str) -> bool {
    let mut candidates: Vec<&str> = path.match_indices('/').map(|(i, _)| &path[..i]).collect();
    candidates.push(path);
    let mut out = false;
    for rule in rules {
        if candidates
            .iter()
            .any(|c| glob(&rule.pattern, &c.chars().collect::<Vec<_>>()))
        {
            out = !rule.reinclude;
        }
    }
    out
}

/// Every file of the build context, as paths relative to the repo.
fn context(rules: &[Rule]) -> BTreeSet<String> {
    fn walk(rules: &[Rule], dir: &Path, rel: &str, out: &mut BTreeSet<String>) {
        for entry in fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry"))
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if entry.file_type().expect("file type").is_dir() {
                // An excluded directory is skipped unless a `!` line may reach below it.
                let reachable = rules.iter().any(|r| {
                    let literal: String = r
                        .pattern
                        .iter()
                        .take_while(|c| !"*?\\".contains(**c))
                        .collect();
                    r.reinclude
                        && (literal.starts_with(&format!("{path}/"))
                            || format!("{path}/").starts_with(&literal))
                });
                if !excluded(rules, &path) || reachable {
                    walk(rules, &entry.path(), &path, out);
                }
            } else if !excluded(rules, &path) {
                out.insert(path);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(rules, &root(), "", &mut out);
    out
}

fn cargo_metadata() -> Json {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(root())
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("metadata JSON")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry"))
    {
        if entry.file_type().expect("file type").is_dir() {
            files_under(&entry.path(), out);
        } else {
            out.push(entry.path());
        }
    }
}

/// `name = "..."` of every `[[kind]]` table in a manifest: targets cargo insists on finding.
fn declared_targets(manifest: &str, kind: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut inside = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == format!("[[{kind}]]");
        } else if inside && let Some(v) = line.strip_prefix("name") {
            out.insert(
                v.trim_start()
                    .trim_start_matches('=')
                    .trim()
                    .trim_matches('"')
                    .into(),
            );
        }
    }
    out
}

/// Paths that `include_str!`/`include_bytes!` in this file read, relative to the repo.
fn included_files(file: &Path, root: &Path) -> Vec<String> {
    let text = fs::read_to_string(file).expect("read source");
    let mut out = Vec::new();
    for mac in ["include_str!(\"", "include_bytes!(\""] {
        for (at, _) in text.match_indices(mac) {
            let rest = &text[at + mac.len()..];
            let arg = &rest[..rest.find('"').expect("closing quote")];
            let target = file.parent().expect("dir").join(arg);
            let target = fs::canonicalize(&target)
                .unwrap_or_else(|e| panic!("{} includes {arg}: {e}", file.display()));
            out.push(relative(&target, root));
        }
    }
    out
}

fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or_else(|_| panic!("{} is outside the repo", path.display()))
        .to_string_lossy()
        .into_owned()
}

/// What cargo reads to load the workspace and build the operator's binary.
fn required_files() -> BTreeSet<String> {
    let meta = cargo_metadata();
    let ws = fs::canonicalize(meta["workspace_root"].as_str().expect("root")).expect("root");
    let mut out = BTreeSet::from(["Cargo.lock".to_string()]);
    let packages = meta["packages"].as_array().expect("packages");
    let operator = packages
        .iter()
        .find(|p| p["name"] == "rustfs-operator")
        .expect("operator package");
    // The packages compiled into the image: the operator and its path dependencies.
    let mut compiled: BTreeSet<&str> = BTreeSet::from(["rustfs-operator"]);
    for dep in operator["dependencies"].as_array().expect("deps") {
        if dep["path"].is_string() && dep["kind"].is_null() {
            compiled.insert(dep["name"].as_str().expect("name"));
        }
    }
    assert!(compiled.contains("rustfs-machine"));

    for pkg in packages {
        let manifest_path =
            fs::canonicalize(pkg["manifest_path"].as_str().expect("manifest")).expect("manifest");
        out.insert(relative(&manifest_path, &ws));
        let manifest = fs::read_to_string(&manifest_path).expect("manifest");
        for target in pkg["targets"].as_array().expect("targets") {
            let src =
                fs::canonicalize(target["src_path"].as_str().expect("src_path")).expect("src_path");
            let kinds: Vec<&str> = target["kind"]
                .as_array()
                .expect("kind")
                .iter()
                .map(|k| k.as_str().expect("kind"))
                .collect();
            let name = target["name"].as_str().expect("name");
            let explicit = ["test", "bench", "example"]
                .iter()
                .any(|k| kinds.contains(k) && declared_targets(&manifest, k).contains(name));
            if kinds
                .iter()
                .any(|k| ["lib", "bin", "proc-macro"].contains(k))
            {
                // The crate root and its module tree.
                let mut files = Vec::new();
                files_under(src.parent().expect("src dir"), &mut files);
                for f in &files {
                    out.insert(relative(f, &ws));
                    if compiled.contains(pkg["name"].as_str().expect("name"))
                        && f.extension().is_some_and(|e| e == "rs")
                    {
                        out.extend(included_files(f, &ws));
                    }
                }
            } else if kinds.contains(&"custom-build") || explicit {
                out.insert(relative(&src, &ws));
            }
        }
    }
    out
}

#[test]
fn dockerignore_lets_in_everything_the_build_reads() {
    let rules = rules(&read(".dockerignore"));
    let context = context(&rules);
    let required = required_files();
    for must in [
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "src/main.rs",
        "src/lib.rs",
        "machine/Cargo.toml",
        "machine/src/lib.rs",
        "machine/benches/decision.rs",
        "deploy/local/launcher/Cargo.toml",
        "deploy/local/launcher/src/lib.rs",
        "deploy/local/launcher/build.rs",
    ] {
        assert!(
            required.contains(must),
            "the required set should hold {must}"
        );
    }
    let missing: Vec<&String> = required.difference(&context).collect();
    assert!(missing.is_empty(), ".dockerignore leaves out {missing:?}");
}

#[test]
fn dockerignore_keeps_the_context_small() {
    let rules = rules(&read(".dockerignore"));
    for path in [
        "target/release/rustfs-operator",
        "machine/target/debug/x",
        "deploy/local/launcher/target/x",
        ".git/HEAD",
        "Dockerfile",
        ".dockerignore",
        "docs/observability.md",
        "tests/dockerfile.rs",
        "deploy/deployment.yaml",
        "deploy/local/go/go.mod",
    ] {
        assert!(
            excluded(&rules, path),
            "{path} should stay out of the context"
        );
    }
    let context = context(&rules);
    assert!(
        context
            .iter()
            .all(|f| !f.starts_with("target/") && !f.starts_with(".git/")),
        "target/ or .git/ in the context"
    );
}

#[test]
fn dockerignore_matching_follows_docker() {
    let r = rules("*\n!src\n**/target\n!keep/**/x?.rs\n/abs/\n");
    assert!(excluded(&r, "README.md"));
    assert!(
        excluded(&r, "docs/a.md"),
        "a parent matching `*` excludes its files"
    );
    assert!(!excluded(&r, "src/main.rs"), "`!src` re-includes the tree");
    assert!(
        excluded(&r, "src/target/x"),
        "`**/target` below a re-included directory"
    );
    assert!(excluded(&r, "target"), "`**/` matches zero directories");
    assert!(!excluded(&r, "keep/x1.rs") && !excluded(&r, "keep/a/b/x2.rs"));
    assert!(
        excluded(&r, "keep/a/x12.rs"),
        "`?` is exactly one character"
    );
    assert!(excluded(&r, "keep/a/y1.rs"));
    assert!(
        excluded(&r, "abs/f"),
        "leading and trailing slashes are dropped"
    );

    let r = rules("a*\n!ab\n");
    assert!(excluded(&r, "ac") && !excluded(&r, "ab"));
    assert!(!excluded(&r, "x/ac"), "`*` does not cross `/`");
    assert!(excluded(&r, "ab2"), "the re-include is exact");
    let r = rules("!ab\na*\n");
    assert!(excluded(&r, "ab"), "the last matching line wins");
}
