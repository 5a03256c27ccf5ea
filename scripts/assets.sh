#!/usr/bin/env bash
# Vendors the front-end assets that the ecopulse binary embeds (no CDN at run time).
#
#   bash scripts/assets.sh
#
# 1. Runs `npm ci` when node_modules/ is missing or no longer matches
#    package-lock.json (the lockfile pins echarts 5.6.0).
# 2. Copies node_modules/echarts/dist/echarts.min.js to
#    views/static/vendor/echarts.min.js (gitignored), which views embeds.
#
# `go build` works without this step: the pages then say that charts are
# unavailable instead of drawing them.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { echo "assets.sh: $*" >&2; exit 1; }

command -v npm >/dev/null 2>&1 || die "npm is not installed (Node.js 18 or later is needed)"
[ -f package-lock.json ] || die "package-lock.json is missing; run 'npm install' once and commit it"

src=node_modules/echarts/dist/echarts.min.js
dst=views/static/vendor/echarts.min.js
stamp=node_modules/.ecopulse-lock.sha256

lock_sum() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum package-lock.json | cut -d' ' -f1
	else
		shasum -a 256 package-lock.json | cut -d' ' -f1
	fi
}

want=$(lock_sum)
have=$(cat "$stamp" 2>/dev/null || true)

if [ ! -d node_modules ] || [ ! -f "$src" ] || [ "$want" != "$have" ]; then
	echo "assets.sh: installing node modules from package-lock.json (npm ci)"
	npm ci --no-audit --no-fund
	echo "$want" >"$stamp"
fi

[ -f "$src" ] || die "$src not found after npm ci"

# The version actually installed must be the one the lockfile pins.
locked=$(node -e 'const l=require("./package-lock.json");process.stdout.write(l.packages["node_modules/echarts"].version)')
installed=$(node -e 'process.stdout.write(require("./node_modules/echarts/package.json").version)')
[ "$locked" = "$installed" ] || die "node_modules has echarts $installed but package-lock.json pins $locked; delete node_modules and retry"

mkdir -p "$(dirname "$dst")"
if ! cmp -s "$src" "$dst"; then
	tmp=$(mktemp "$(dirname "$dst")/.echarts.XXXXXX")
	cp "$src" "$tmp"
	chmod 0644 "$tmp"
	mv -f "$tmp" "$dst"
	echo "assets.sh: copied echarts $installed to $dst ($(wc -c <"$dst" | tr -d ' ') bytes)"
else
	echo "assets.sh: $dst is up to date (echarts $installed)"
fi
