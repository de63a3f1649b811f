#!/usr/bin/env bash
# Acceptance check for the package (issue 13): pack the project, install the tarball into a fresh project
# with a plain `npm install <tarball>` (no flags, no .npmrc), and there
#   (a) run a plain-JavaScript ESM file (PushBox + the shipped WorldModelEnv + one MPC episode),
#   (b) type-check a TypeScript file with `strict` and `skipLibCheck: false`,
#   (c) run the installed `embodied` command,
#   (d) write the browser viewer (shipped built in dist/viewer) with `embodied view --out`.
# Needs the npm registry (or npm's cache) for the dependencies. Exits non-zero when any step fails.
set -euo pipefail
SECONDS=0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
# Removing the fresh project's node_modules (onnxruntime-node alone unpacks to ~290 MB) takes long on a
# busy disk; it happens in the background so the check's time is the checks'.
trap '(rm -rf "$work" &)' EXIT
# A user's shell does not carry our CI settings: the install below must work without them.
unset ONNXRUNTIME_NODE_INSTALL npm_config_onnxruntime_node_install || true

echo "package: npm pack"
tarball="$(cd "$repo" && npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "package: packed $tarball ($(du -h "$work/$tarball" | cut -f1))"
if tar -tzf "$work/$tarball" | grep -E '^package/(tests|src|cli|agents|workflows|environments)/|\.test\.|\.map$'; then
  echo "package: the tarball carries sources, tests or source maps (listed above)" >&2
  exit 1
fi

app="$work/app"
mkdir "$app"
cp "$here/use-embodied.mjs" "$here/use-embodied.ts" "$here/tsconfig.json" "$app/"
printf '{ "name": "embodied-user", "private": true, "type": "module" }\n' >"$app/package.json"
cd "$app"
# The one line docs/getting-started.md asks of a user: onnxruntime-node's postinstall would fetch its CUDA
# provider from api.nuget.org on linux/x64 (and fail the whole install offline); its CPU binaries ship in
# the npm package, so Embodied needs none of that. The package cannot decide this for its user.
npm pkg set allowScripts.onnxruntime-node=false --json
echo "package: [${SECONDS} s] npm install $tarball (fresh project, no flags)"
npm install --no-audit --no-fund "$work/$tarball"

echo "package: [${SECONDS} s] (a) node use-embodied.mjs"
node use-embodied.mjs

echo "package: [${SECONDS} s] (b) tsc --noEmit (strict, skipLibCheck: false)"
# @types/node at the version this repository uses (so npm's cache usually has it); the compiler is the
# repository's own (installing TypeScript again would only cost time).
types="$(node -p "require('$repo/node_modules/@types/node/package.json').version")"
npm install --no-audit --no-fund --save-dev "@types/node@$types" 2>&1 | grep -v '^npm warn install-scripts' || true
node "$repo/node_modules/typescript/bin/tsc" -p tsconfig.json

echo "package: [${SECONDS} s] (c) npx embodied --help"
npx embodied --help >/dev/null

# The browser viewer ships built inside the package (dist/viewer): the page, with a model, written as files.
echo "package: [${SECONDS} s] (d) npx embodied view --env PushBox-v0 --out viewer"
npx embodied view --env PushBox-v0 --out viewer >/dev/null
for f in index.html viewer.js data.js ort-wasm.js; do
  if [ ! -s "viewer/$f" ]; then
    echo "package: embodied view --out did not write viewer/$f" >&2
    exit 1
  fi
done
echo "package: ok (${SECONDS} s)"
