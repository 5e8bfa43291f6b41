#!/usr/bin/env bash
# The shell's layers, checked at grep level (no build needed):
#   model  — what the UI draws and the commands it emits; imports neither ui nor app
#   ui     — draws the model and pushes commands; imports model, never app
#   app    — owns the model and the services, runs the commands; may import anything
# and outside the shell, only src/main.rs starts the app: the CLI, web and tournament parts
# use model types (settings) rather than crate::app.
# Usage: scripts/check-layers.sh [source root, default: src next to this script]
# Exits 1 and names every offending line when a layer imports one it must not.
set -u
root="${1:-$(cd "$(dirname "$0")/.." && pwd)/src}"
if [ ! -d "$root" ]; then
    echo "check-layers: no source folder at $root" >&2
    exit 2
fi
failed=0

# Lines of Rust under $1 (a folder or file) that name crate::$2 (also inside `crate::{…}`),
# comments left out.
uses() {
    grep -rnE --include='*.rs' "crate::($2)\b|crate::\{[^}]*\b($2)::|super::super::($2)\b" "$1" 2>/dev/null |
        grep -vE '^[^:]+:[0-9]+:\s*//'
}

check() { # folder, forbidden modules (regex alternation), rule text
    [ -e "$1" ] || return 0
    local hits
    hits="$(uses "$1" "$2")"
    if [ -n "$hits" ]; then
        echo "layer violation: $3" >&2
        echo "$hits" >&2
        failed=1
    fi
}

check "$root/ui" 'app' "src/ui must not import crate::app (draw the model, push a Command)"
check "$root/model" 'app|ui' "src/model must not import crate::app or crate::ui"
for f in "$root"/*; do
    name="$(basename "$f")"
    case "$name" in
        app | ui | model | main.rs | lib.rs) ;;
        *) check "$f" 'app' "only src/main.rs starts the app: $name must not import crate::app (use crate::model)" ;;
    esac
done

if [ "$failed" -ne 0 ]; then
    exit 1
fi
echo "layers ok: ui → model, model → neither ui nor app, only main.rs and app import app"
