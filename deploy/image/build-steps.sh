#!/usr/bin/env bash
# Copyright 2026 The rustfs-operator Authors.
# SPDX-License-Identifier: Apache-2.0
#
# Runs the Dockerfile's build stages on this host, without a Docker engine, then checks the
# binary the runtime stage would copy. The steps are read from the Dockerfile itself, so the
# two cannot drift apart:
#   FROM       a stage is a directory under a temp dir; FROM <earlier stage> copies it
#   WORKDIR    must be /build, which stands for the stage's directory
#   COPY       `. .` copies the build context (the repo filtered by .dockerignore, via
#              context.py); --from=<stage> copies from that stage's directory
#   ARG / ENV  become the environment of later RUN lines (--build-arg: GIT_COMMIT, BUILD_DATE)
#   RUN        runs with `sh -c` in the stage's directory; only `cargo ...` lines are allowed,
#              anything else needs a real Docker build
# The final stage (FROM an image, no RUN) is not executed: its COPY --from names the binary
# that is checked.
#
# Usage: deploy/image/build-steps.sh [--quick] [--rev REV] [--keep]
#   --quick    only the chef and planner stages, then check that recipe.json lists every
#              workspace member and that cargo can load the context's workspace (no
#              compilation besides cargo-chef's first install)
#   --rev REV  build the committed tree REV (git archive) instead of the working tree
#   --keep     keep the temp dir
# Environment: GIT_COMMIT, BUILD_DATE (default: from git), CARGO_BUILD_JOBS.
# Needs: cargo, git, python3, jq, ldd, objdump (binutils).
# Caches: cargo-chef in ~/.cache/rustfs-operator/tools, the target dir in
# ~/.cache/rustfs-operator/image-target (so re-runs only rebuild what changed).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/rustfs-operator"
tools="$cache/tools"
target_dir="$cache/image-target"

quick=0 rev="" keep=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) quick=1 ;;
        --rev) rev="${2:?--rev needs a revision}"; shift ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

die() { echo "build-steps: $*" >&2; exit 1; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
timings=()
timed() { # timed LABEL COMMAND... : run, print and record the elapsed seconds
    local label="$1" t0="$EPOCHREALTIME" took; shift
    "$@"
    took=$(since "$t0")
    timings+=("$(printf '%8s s  %s' "$took" "$label")")
    echo "   ($took s)"
}

work="$(mktemp -d "${TMPDIR:-/tmp}/rustfs-operator-image.XXXXXX")"
cleanup() { if [[ $keep == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
started="$EPOCHREALTIME"

# ---- the build context -------------------------------------------------------------------
src="$repo"
if [[ -n $rev ]]; then
    src="$work/source"
    mkdir -p "$src"
    git -C "$repo" archive "$rev" | tar -x -C "$src"
fi
commit_of() { git -C "$repo" rev-parse --short=12 "${rev:-HEAD}"; }
export GIT_COMMIT="${GIT_COMMIT:-$(commit_of)}"
export BUILD_DATE="${BUILD_DATE:-$(git -C "$repo" show -s --format=%cI "${rev:-HEAD}")}"
echo "== context from ${rev:-the working tree} ($src), commit $GIT_COMMIT, date $BUILD_DATE"
timed "context" python3 "$here/context.py" "$src" "$work/context"
# Like the container: no .git above the stages, so build.rs must take the build args.
if git -C "$work" rev-parse --git-dir >/dev/null 2>&1; then
    die "$work is inside a git work tree; set TMPDIR to a directory outside any repository"
fi

# ---- the Dockerfile, one instruction a line ----------------------------------------------
instructions=()
line=""
while IFS= read -r raw || [[ -n $raw ]]; do
    [[ -z $line && ( $raw =~ ^[[:space:]]*# || $raw =~ ^[[:space:]]*$ ) ]] && continue
    [[ -n $line && $raw =~ ^[[:space:]]*# ]] && continue # comment inside a continuation
    if [[ $raw =~ \\[[:space:]]*$ ]]; then
        line+="${raw%\\*} "
        continue
    fi
    instructions+=("$line$raw")
    line=""
done <"$repo/Dockerfile"

# Expand ${NAME} and $NAME from the current ARG/ENV values (Docker does this for ENV, COPY,
# LABEL...; RUN lines get them from the environment instead).
declare -A vars=()
expand() {
    local s="$1" name
    for name in "${!vars[@]}"; do
        s="${s//\$\{$name\}/${vars[$name]}}"
        s="${s//\$$name/${vars[$name]}}"
    done
    printf '%s' "$s"
}

declare -A stage_dir=() stage_env=()
stage="" dir="" final_copy=""
final_stage=$(printf '%s\n' "${instructions[@]}" | awk 'toupper($1) == "FROM" { s = $4 } END { print s }')
path_in() { # path_in STAGE /build/... -> host path
    local p="$2"
    [[ $p == /build/target/* ]] && { echo "$target_dir/${p#/build/target/}"; return; }
    [[ $p == /build/* ]] || die "only paths under /build can be copied between stages: $p"
    echo "${stage_dir[$1]}/${p#/build/}"
}
end_stage() { [[ -n $stage ]] && stage_env[$stage]="$(declare -p vars)"; return 0; }

export CARGO_TARGET_DIR="$target_dir" PATH="$tools/bin:$PATH"
for ins in "${instructions[@]}"; do
    read -r keyword rest <<<"$ins"
    case "${keyword^^}" in
    FROM)
        end_stage
        read -r image _as name <<<"$rest"
        [[ ${_as^^} == AS && -n $name ]] || die "every stage needs a name: FROM $rest"
        if [[ -n ${stage_dir[$image]:-} ]]; then
            # Docker keeps ENV across FROM <stage>, not ARG; we keep both (harmless here).
            eval "${stage_env[$image]}"
            cp -a "${stage_dir[$image]}" "$work/$name"
        else
            vars=()
            mkdir -p "$work/$name"
        fi
        stage="$name" dir="$work/$name" stage_dir[$name]="$dir"
        echo "== stage $name (FROM $image)"
        ;;
    ARG)
        name="${rest%%=*}" default=""
        [[ $rest == *=* ]] && default="${rest#*=}"
        case "$name" in
            GIT_COMMIT|BUILD_DATE) vars[$name]="${!name}" ;; # the --build-arg values
            *) vars[$name]="$default" ;;
        esac
        ;;
    ENV)
        read -ra pairs <<<"$rest" # values are single words here; no globbing
        for pair in "${pairs[@]}"; do
            [[ $pair == *=* ]] || die "ENV must use NAME=value: $ins"
            vars[${pair%%=*}]="$(expand "${pair#*=}")"
        done
        ;;
    WORKDIR)
        [[ $rest == /build ]] || die "only WORKDIR /build is supported: $ins"
        ;;
    COPY)
        read -r from a b extra <<<"$rest"
        if [[ $from == --from=* ]]; then
            [[ -z $extra ]] || die "one source only: $ins"
            if [[ $stage == "$final_stage" ]]; then
                final_copy="$(path_in "${from#--from=}" "$a")" # the runtime stage's binary
            else
                cp -a "$(path_in "${from#--from=}" "$a")" "$dir/$b"
            fi
        elif [[ $from == . && $a == . && -z $b ]]; then
            echo "-- COPY . ."
            cp -a "$work/context/." "$dir/"
        else
            die "unsupported COPY: $ins"
        fi
        ;;
    RUN)
        [[ $stage != "$final_stage" ]] || die "the runtime stage has no shell to RUN in: $ins"
        [[ $rest == cargo\ * ]] || die "only cargo commands run outside Docker: $ins"
        if [[ $quick == 1 && $stage != chef && $stage != planner ]]; then
            continue
        fi
        echo "-- RUN $rest"
        # CARGO_INSTALL_ROOT: `cargo install` puts cargo-chef in the tools cache, and returns at
        # once when that version is already there.
        env_args=()
        for name in "${!vars[@]}"; do env_args+=("$name=${vars[$name]}"); done
        timed "$stage: $rest" env CARGO_INSTALL_ROOT="$tools" "${env_args[@]}" \
            sh -c "cd \"\$1\" && $rest" sh "$dir"
        ;;
    LABEL|USER|EXPOSE|ENTRYPOINT|CMD) ;; # metadata of the image; tests/dockerfile.rs checks it
    *) die "unsupported instruction: $keyword" ;;
    esac
done
end_stage

# ---- checks ------------------------------------------------------------------------------
recipe="${stage_dir[planner]:?no planner stage}/recipe.json"
[[ -s $recipe ]] || die "no recipe.json"
echo "== recipe: every workspace member's manifest is in it"
members=$(cd "$src" && cargo metadata --no-deps --format-version 1 --offline |
    jq -r '.workspace_root as $r | .packages[].manifest_path | ltrimstr($r + "/")' | sort)
listed=$(jq -r '.skeleton.manifests[].relative_path' "$recipe" | sort)
missing=$(comm -23 <(echo "$members") <(echo "$listed"))
[[ -z $missing ]] || die "recipe.json lacks: $missing"
echo "$listed" | sed 's/^/   /'

# cargo metadata (so cargo chef prepare) tolerates a declared [[bench]]/[[test]] whose file is
# not in the context; cargo build does not. `cargo fetch --locked` parses the manifests as
# strictly as the build and checks Cargo.lock against them, without compiling.
echo "== the context loads as cargo build would (cargo fetch --locked)"
timed "cargo fetch --locked (planner context)" sh -c 'cd "$1" && cargo fetch --locked --quiet' sh "${stage_dir[planner]}"

if [[ $quick == 0 ]]; then
    bin="${final_copy:?the runtime stage copies no binary}"
    [[ -x $bin ]] || die "no binary at $bin"
    echo "== binary $bin ($(du -h "$bin" | cut -f1))"
    version=$("$bin" --version)
    echo "   --version: $version"
    [[ $version == *"commit $GIT_COMMIT,"* && $version == *"$BUILD_DATE"* ]] ||
        die "--version does not carry GIT_COMMIT=$GIT_COMMIT and BUILD_DATE=$BUILD_DATE"
    crd=$("$bin" crd)
    grep -qx 'kind: CustomResourceDefinition' <<<"$crd" && grep -qx '  name: tenants.rustfs.com' <<<"$crd" ||
        die "'crd' did not print the Tenant CRD"
    if [[ $crd == "$(cat "$src/deploy/crd/tenant.yaml")" ]]; then
        echo "   crd: the Tenant CRD, identical to deploy/crd/tenant.yaml"
    else
        echo "   crd: the Tenant CRD (differs from deploy/crd/tenant.yaml: run make crd)"
    fi
    # The runtime image (distroless cc-debian12) has glibc 2.36 and libgcc_s, nothing more.
    libs=$(ldd "$bin" | awk '{print $1}' | sed 's#.*/##' | sort)
    echo "   links: $(echo $libs)"
    extra=$(grep -vE '^(linux-vdso\.so\.1|ld-linux-[a-z0-9_-]+\.so\.[0-9]+|lib(c|m|dl|rt|pthread)\.so\.6|libgcc_s\.so\.1)$' <<<"$libs" || true)
    [[ -z $extra ]] || die "links libraries the runtime image lacks: $extra"
    glibc=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
    echo "   newest glibc symbol: $glibc"
    [[ $(printf '%s\n' "${glibc#GLIBC_}" 2.36 | sort -V | tail -1) == 2.36 ]] ||
        die "needs $glibc, newer than bookworm's 2.36"
fi

echo "== timings"
printf '%s\n' "${timings[@]}"
printf '%8s s  total\n' "$(since "$started")"
