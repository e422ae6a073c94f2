#!/usr/bin/env bash
# Checks every relative Markdown link and anchor in README.md and docs/*.md.
#
#   bash scripts/check-links.sh [--root DIR] [FILE.md ...]
#
# For each link `[text](target)`, `![alt](target)`, `[text]: target` or `<a href="target">`, outside
# fenced code blocks and inline code: the target file (or folder) must exist, relative to the file
# that links (or to the repository root for targets starting with `/`), and a `#anchor` must name a
# heading of the target Markdown file by GitHub's slug rules (lower case; punctuation removed except
# `-` and `_`; each space becomes `-`; a repeated heading gets `-1`, `-2`, ...) or an explicit
# `<a id="...">` / `<a name="...">`. Links with a scheme (http, https, mailto, ...) are skipped.
# Prints `file:line: target: reason` per broken link and a summary line; exits 1 if any is broken.
# Python 3, standard library only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "${1:-}" = "--root" ]; then
    root="$(cd "$2" && pwd)"
    shift 2
fi
exec python3 - "$root" "$@" <<'PY'
import os
import re
import sys
import unicodedata
from urllib.parse import unquote

root = sys.argv[1]
files = sys.argv[2:]
if not files:
    files = ["README.md"]
    docs = os.path.join(root, "docs")
    if os.path.isdir(docs):
        files += sorted("docs/" + f for f in os.listdir(docs) if f.endswith(".md"))

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
HTML_ANCHOR = re.compile(r"""<a\s[^>]*?\b(?:id|name)\s*=\s*["']([^"']+)["']""", re.I)
HTML_HREF = re.compile(r"""<a\s[^>]*?\bhref\s*=\s*["']([^"']+)["']""", re.I)
REF_DEF = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*(<[^>]*>|\S+)")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def lines_outside_code(text):
    """Yields (line number, line) for lines outside fenced code blocks."""
    fence = None
    for number, line in enumerate(text.split("\n"), 1):
        m = FENCE.match(line)
        if fence is None:
            if m:
                fence = m.group(1)
                continue
            yield number, line
        elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                and line.strip().strip(fence[0]) == "":
            fence = None


def strip_inline_code(line):
    """The line with every inline code span replaced by spaces (same columns)."""
    out, i = [], 0
    while i < len(line):
        if line[i] == "`":
            j = i
            while j < len(line) and line[j] == "`":
                j += 1
            ticks = line[i:j]
            end = line.find(ticks, j)
            while end != -1 and end + len(ticks) < len(line) and line[end + len(ticks)] == "`":
                end = line.find(ticks, end + len(ticks) + 1)
            if end == -1:
                out.append(ticks)
                i = j
                continue
            out.append(" " * (end + len(ticks) - i))
            i = end + len(ticks)
        else:
            out.append(line[i])
            i += 1
    return "".join(out)


def heading_text(raw):
    """The text GitHub renders for a heading's Markdown source."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", raw)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\[[^\]]*\]", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = text.replace("`", "")
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*", r"\1", text)
    return text.strip()


def slug(text):
    """GitHub's heading slug (github-slugger): lower case, punctuation dropped, spaces to '-'."""
    out = []
    for ch in text.lower():
        if ch in "-_" or ch == " ":
            out.append("-" if ch == " " else ch)
        elif ch.isalnum() or unicodedata.category(ch).startswith("M"):
            out.append(ch)
    return "".join(out)


anchor_cache = {}


def anchors_of(path):
    """Every anchor a Markdown file defines: heading slugs (with -N for repeats) and <a id/name>."""
    if path in anchor_cache:
        return anchor_cache[path]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    anchors, seen = set(), {}
    previous = None
    for _, line in lines_outside_code(text):
        for m in HTML_ANCHOR.finditer(line):
            anchors.add(m.group(1))
        heading = None
        m = ATX.match(line)
        if m:
            heading = m.group(2) or ""
        elif previous is not None and previous.strip() and SETEXT.match(line) \
                and not ATX.match(previous) and not previous.startswith(("    ", "\t")) \
                and not re.match(r"^\s*([-*+]|\d+[.)])\s", previous) and "|" not in previous:
            heading = previous.strip()
        previous = line
        if heading is None:
            continue
        # github-slugger: a repeated slug gets -1, -2, ... (skipping slugs already taken).
        base = name = slug(heading_text(heading))
        while name in seen:
            seen[base] += 1
            name = f"{base}-{seen[base]}"
        seen[name] = 0
        anchors.add(name)
    anchor_cache[path] = anchors
    return anchors


def links_in(line):
    """(target) of every link on a line with inline code blanked."""
    targets = []
    m = REF_DEF.match(line)
    if m:
        targets.append(m.group(2).strip("<>"))
        return targets
    for m in re.finditer(r"\]\(\s*(<[^>]*>|[^)\s]*(?:\([^)\s]*\)[^)\s]*)*)(?:\s+[\"'(][^)]*)?\)", line):
        targets.append(m.group(1).strip("<>"))
    for m in HTML_HREF.finditer(line):
        targets.append(m.group(1))
    return targets


broken, checked = [], 0
for rel in files:
    path = os.path.join(root, rel)
    if not os.path.isfile(path):
        broken.append(f"{rel}:0: {rel}: file to check does not exist")
        continue
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for number, line in lines_outside_code(text):
        for target in links_in(strip_inline_code(line)):
            if not target or SCHEME.match(target):
                continue
            checked += 1
            file_part, _, anchor = target.partition("#")
            file_part, anchor = unquote(file_part), unquote(anchor)
            if file_part == "":
                dest = path
            elif file_part.startswith("/"):
                dest = os.path.join(root, file_part.lstrip("/"))
            else:
                dest = os.path.join(os.path.dirname(path), file_part)
            dest = os.path.normpath(dest)
            where = f"{rel}:{number}: {target}"
            if not os.path.exists(dest):
                broken.append(f"{where}: {os.path.relpath(dest, root)} does not exist")
                continue
            if not anchor:
                continue
            if os.path.isdir(dest):
                broken.append(f"{where}: an anchor into a folder")
            elif dest.lower().endswith((".md", ".markdown")):
                if anchor not in anchors_of(dest):
                    broken.append(f"{where}: no heading or <a id> '{anchor}' in "
                                  f"{os.path.relpath(dest, root)}")
            elif not re.fullmatch(r"L\d+(-L\d+)?", anchor):
                broken.append(f"{where}: anchor '{anchor}' into a file that is not Markdown")

for b in broken:
    print(b)
print(f"check-links: {checked} links checked in {len(files)} files, {len(broken)} broken")
sys.exit(1 if broken else 0)
PY
