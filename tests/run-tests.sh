#!/usr/bin/env bash
# Runs every test project and ends with one line: "N passed, N failed".
# The integration tests need the real peers (pydicom, DCMTK, dicom3tools, Orthanc): when one is
# missing and we are root, ../shared/tools/install-peers.sh installs them first.
# A build failure, or a test project that produced no results, counts as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared=${NODEAGENT_SHARED_DIR:-$root/../shared}
results="$root/TestResults"
configuration=${CONFIGURATION:-Release}

if ! command -v dcmdump >/dev/null || ! command -v dciodvfy >/dev/null || ! /usr/bin/python3 -c 'import pydicom' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && [ -x "$shared/tools/install-peers.sh" ]; then
    "$shared/tools/install-peers.sh" >&2 || echo "run-tests: installing the peers failed" >&2
  else
    echo "run-tests: the peers are missing; run $shared/tools/install-peers.sh as root first" >&2
  fi
fi

rm -rf "$results"
mkdir -p "$results"
projects=$(ls tests/*/*.csproj | xargs grep -l '<IsTestProject>true</IsTestProject>')
expected=$(echo "$projects" | wc -l)

if ! dotnet build NodeAgent.sln -c "$configuration" --nologo -v quiet >"$results/build.log" 2>&1; then
  grep -E "error" "$results/build.log" | sort -u | head -50 >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# One run per test project, side by side, each with its own result file (one shared run could
# give two projects the same timestamped file name).
pids=()
for project in $projects; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c "$configuration" --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$results" >&2 &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do
  wait "$pid" || status=$?
done

# The count engine's vector paths have scalar twins for processors without AVX2: its tests once more
# with the JIT told not to use it, so that both are checked on every machine that has it.
DOTNET_EnableAVX2=0 dotnet test tests/NodeAgent.Index.Tests/NodeAgent.Index.Tests.csproj -c "$configuration" --no-build --nologo \
  --filter "FullyQualifiedName~CountEngineTests|FullyQualifiedName~CountColumnTests" \
  --logger "trx;LogFileName=NodeAgent.Index.Tests.without-avx2.trx" --logger "console;verbosity=minimal" --results-directory "$results" >&2 || status=$?
expected=$((expected + 1))

passed=0
failed=0
found=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  found=$((found + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
done

if [ "$found" -lt "$expected" ]; then
  echo "run-tests: $expected test projects, but only $found result files" >&2
  failed=$((failed + expected - found))
fi

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "run-tests: dotnet test exited with $status" >&2
  failed=1
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
