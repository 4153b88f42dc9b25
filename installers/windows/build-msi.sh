#!/usr/bin/env bash
# Builds the NodeAgent MSI from a self-contained win-x64 publish, with wixl (Debian: apt-get install wixl).
#   installers/windows/build-msi.sh [--version X.Y.Z] [--output DIR] [--publish DIR]
# Prints the MSI's path on its last line. install.ps1/uninstall.ps1 install the same publish without an MSI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
version=$(grep -o '<Version>[^<]*' "$repo/Directory.Build.props" | head -1 | cut -d'>' -f2)
output="$repo/artifacts"
publish=""
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    --publish) publish=$2; shift 2 ;;
    *) echo "build-msi: unknown option $1 (--version, --output, --publish)" >&2; exit 1 ;;
  esac
done
command -v wixl >/dev/null || { echo "build-msi: wixl is needed (apt-get install wixl)" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
if [ -z "$publish" ]; then
  publish="$stage/publish"
  dotnet publish "$repo/src/NodeAgent/NodeAgent.csproj" -c Release -r win-x64 --self-contained \
    -p:Version="$version" -o "$publish" --nologo -v quiet >&2
fi

files="$stage/files"
mkdir -p "$files"
cp -a "$publish/." "$files/"
rm -f "$files/"*.pdb
cp "$here/appsettings.site.json" "$stage/appsettings.json"

# Every file but the service's own executable (declared with its service in nodeagent.wxs).
(cd "$files" && find . -type f ! -path ./nodeagent.exe | sort | sed 's|^\./||') \
  | wixl-heat --prefix "" --directory-ref INSTALLDIR --component-group Binaries --var var.SourceDir --win64 > "$stage/binaries.wxs"

mkdir -p "$output"
msi="$(cd "$output" && pwd)/nodeagent-$version-x64.msi"
rm -f "$msi"
# wixl takes file sources relative to where it runs, not absolute.
cp "$here/nodeagent.wxs" "$stage/nodeagent.wxs"
(cd "$stage" && wixl -a x64 -D Win64=yes -D Version="$version" -D SourceDir=files -D SiteFile=appsettings.json \
  -o "$msi" nodeagent.wxs binaries.wxs) 2>&1 | grep -v -e NeverOverwrite -e Permanent -e '^$' >&2 || true
[ -s "$msi" ] || { echo "build-msi: wixl did not write $msi" >&2; exit 1; }

# wixl ignores NeverOverwrite and Permanent: set them in the Component table itself (64-bit 256 +
# permanent 16 + never overwrite 128), so that the site's configuration survives upgrades and uninstalls.
msibuild "$msi" -q "UPDATE \`Component\` SET \`Attributes\` = 400 WHERE \`Component\` = 'SiteConfiguration'"
echo "$msi"
