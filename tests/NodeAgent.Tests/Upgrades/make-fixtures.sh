#!/usr/bin/env bash
# Regenerates the upgrade fixtures: data folders written by earlier NodeAgent versions, built from
# this repository's history, over a synthetic corpus (nodeagent demo-data: made-up patients only).
# The upgrade tests start the current NodeAgent on copies of them.
#
#   tests/NodeAgent.Tests/Upgrades/make-fixtures.sh     (needs dotnet; builds two old commits, ~3 min)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel)
work=$(mktemp -d)
cleanup() {
    [[ -n "${service:-}" ]] && kill "$service" 2>/dev/null || true
    for tree in "$work"/tree-*; do [[ -d "$tree" ]] && git -C "$repo" worktree remove --force "$tree"; done
    rm -rf "$work"
}
trap cleanup EXIT

# The first release with a catalogue (schema 1), and the last before the audit log's writer changed.
schema1=5bf18fc
federation=43aceb9

build() { # commit -> path of its nodeagent.dll
    git -C "$repo" worktree add --detach "$work/tree-$1" "$1" >/dev/null
    dotnet build -c Release "$work/tree-$1/src/NodeAgent" >/dev/null
    echo "$work/tree-$1/src/NodeAgent/bin/Release/net10.0/nodeagent.dll"
}

current=$(build HEAD)
dotnet "$current" demo-data "$work/corpus" --patients 24 --seed 7 >/dev/null

new_fixture() { # name -> folder with a fresh site secret (synthetic, for these fixtures only)
    rm -rf "${here:?}/$1"
    mkdir -p "$here/$1/data"
    head -c 32 /dev/urandom > "$here/$1/site.secret"
    chmod 600 "$here/$1/site.secret"
    echo "$here/$1"
}

counts() { # nodeagent.dll catalogue -> the four exact counts, one per line ("patients: 24")
    for level in patients studies series instances; do dotnet "$1" query count --db "$2" --level "$level" | head -1; done
}

# 1. Catalogue schema 1, written by `nodeagent index` of the first catalogue release.
old=$(build $schema1)
fixture=$(new_fixture schema1-$schema1)
dotnet "$old" index --source "folder:$work/corpus" --name demo --db "$fixture/data/catalogue.db" --secret "$fixture/site.secret" >/dev/null
counts "$old" "$fixture/data/catalogue.db" > "$fixture/expected-counts.txt"

# 2. A data folder of a node that answered the hub: catalogue, audit log and privacy ledger.
old=$(build $federation)
fixture=$(new_fixture service-$federation)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/site.json" <<JSON
{ "NodeAgent": { "Development": true, "HealthListen": "", "SiteSecretFile": "$fixture/site.secret",
  "Catalogue": { "Path": "$fixture/data/catalogue.db" },
  "Sources": { "demo": { "Kind": "folder", "Path": "$work/corpus" } },
  "Federation": { "Listen": "127.0.0.1:$port" } } }
JSON
dotnet "$old" run --config "$work/site.json" > "$work/service.log" 2>&1 &
service=$!
for _ in $(seq 1 120); do grep -q "Full sync done" "$work/service.log" && break; sleep 0.5; done
grep -q "Full sync done" "$work/service.log" || { cat "$work/service.log"; exit 1; }
# The engine is rebuilt after the sync (at most every RefreshInterval): wait until the hub's answer
# is a released number, not the empty catalogue's "fewer than 10".
for _ in $(seq 1 120); do
    dotnet "$old" hub count --node "http://127.0.0.1:$port" --format json | grep -q '"ok":true,"problem":null,"milliseconds":[0-9.]*,"patients":[0-9]' && break
    sleep 0.5
done
counts "$old" "$fixture/data/catalogue.db" > "$fixture/expected-counts.txt"
dotnet "$old" hub count --node "http://127.0.0.1:$port" --format json > "$fixture/expected-hub-count-all.json"
dotnet "$old" hub count --node "http://127.0.0.1:$port" --age 50- --format json > "$fixture/expected-hub-count-age-50.json"
kill -TERM "$service"; wait "$service" || true; service=
rm -f "$fixture/data/catalogue.db.lock" # the writer's lock, made again by whoever opens the catalogue
ls "$fixture/data"
echo "fixtures written under $here"
