#!/usr/bin/env python3
# Copyright 2026 The rustfs-operator Authors.
# SPDX-License-Identifier: Apache-2.0
"""Copy a directory the way `docker build` would send it as the build context.

Usage: context.py SRC DEST     copy SRC's build context into DEST (created if missing)
       context.py --list SRC   print the context's files, one relative path a line

The rules follow Docker's .dockerignore: a line is a pattern, `#` starts a comment line,
`!` re-includes, the last matching line wins, and a pattern that matches a directory
matches everything under it. In a pattern `*` and `?` stop at `/`, `**` crosses them.
Character classes (`[...]`) are not supported and are refused.
"""

import os
import posixpath
import re
import shutil
import sys


def compile_pattern(pattern):
    """Translate one .dockerignore pattern to an anchored regular expression."""
    out = "^"
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            if pattern[i + 1 : i + 2] == "*":
                i += 1
                if pattern[i + 1 : i + 2] == "/":
                    i += 1
                # A trailing `**` takes everything; elsewhere it takes whole directories.
                out += ".*" if i + 1 == len(pattern) else "(.*/)?"
            else:
                out += "[^/]*"
        elif c == "?":
            out += "[^/]"
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out += re.escape(pattern[i])
        elif c in "[]":
            raise SystemExit(f".dockerignore: character classes are not supported: {pattern}")
        else:
            out += re.escape(c)
        i += 1
    return re.compile(out + "$")


def read_rules(src):
    """The (exclusion?, literal prefix, regex) of each line of SRC/.dockerignore, in order."""
    path = os.path.join(src, ".dockerignore")
    rules = []
    if not os.path.exists(path):
        return rules
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            reinclude = line.startswith("!")
            if reinclude:
                line = line[1:].strip()
            pattern = posixpath.normpath(line).lstrip("/") or "."
            prefix = re.split(r"[*?\\]", pattern, maxsplit=1)[0]
            rules.append((reinclude, prefix, compile_pattern(pattern)))
    return rules


def excluded(rules, rel):
    """Whether the relative path REL (slash-separated) is left out of the context."""
    parts = rel.split("/")
    parents = ["/".join(parts[: i + 1]) for i in range(len(parts) - 1)]
    result = False
    for reinclude, _, regex in rules:
        if regex.match(rel) or any(regex.match(p) for p in parents):
            result = not reinclude
    return result


def may_reinclude_below(rules, rel):
    """Whether some `!` line could let in a path under the excluded directory REL."""
    for reinclude, prefix, _ in rules:
        if reinclude and (prefix.startswith(rel + "/") or (rel + "/").startswith(prefix)):
            return True
    return False


def context_files(src):
    rules = read_rules(src)
    files = []
    for root, dirs, names in os.walk(src):
        base = os.path.relpath(root, src)
        base = "" if base == "." else base.replace(os.sep, "/") + "/"
        kept = []
        for d in sorted(dirs):
            rel = base + d
            if os.path.islink(os.path.join(root, d)):
                if not excluded(rules, rel):
                    files.append(rel)
            elif not excluded(rules, rel) or may_reinclude_below(rules, rel):
                kept.append(d)
        dirs[:] = kept
        files.extend(base + n for n in sorted(names) if not excluded(rules, base + n))
    return sorted(files)


def main(argv):
    if len(argv) == 3 and argv[1] == "--list":
        print("\n".join(context_files(argv[2])))
        return 0
    if len(argv) != 3 or argv[1].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    src, dest = argv[1], argv[2]
    total = 0
    files = context_files(src)
    for rel in files:
        from_path = os.path.join(src, rel)
        to_path = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(to_path), exist_ok=True)
        # Like COPY: contents, mode and modification time; symlinks stay symlinks.
        shutil.copy2(from_path, to_path, follow_symlinks=False)
        total += os.lstat(from_path).st_size
    print(f"context: {len(files)} files, {total / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
