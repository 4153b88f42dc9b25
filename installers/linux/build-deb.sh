#!/usr/bin/env bash
# Builds the NodeAgent Debian package from a self-contained linux-x64 publish.
#   installers/linux/build-deb.sh [--version X.Y.Z] [--output DIR] [--publish DIR]
# --publish reuses a folder already published (dotnet publish -r linux-x64 --self-contained).
# Prints the package's path on its last line.
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
    *) echo "build-deb: unknown option $1 (--version, --output, --publish)" >&2; exit 1 ;;
  esac
done
command -v dpkg-deb >/dev/null || { echo "build-deb: dpkg-deb is needed (apt-get install dpkg)" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
if [ -z "$publish" ]; then
  publish="$stage/publish"
  dotnet publish "$repo/src/NodeAgent/NodeAgent.csproj" -c Release -r linux-x64 --self-contained \
    -p:Version="$version" -o "$publish" --nologo -v quiet >&2
fi

package="$stage/package"
mkdir -p "$package/DEBIAN" "$package/usr/lib/nodeagent" "$package/usr/bin" "$package/etc/nodeagent" \
  "$package/usr/lib/systemd/system" "$package/usr/share/doc/nodeagent"
cp -a "$publish/." "$package/usr/lib/nodeagent/"
rm -f "$package/usr/lib/nodeagent/"*.pdb
ln -s ../lib/nodeagent/nodeagent "$package/usr/bin/nodeagent"
install -m 0644 "$here/nodeagent.service" "$package/usr/lib/systemd/system/nodeagent.service"
install -m 0640 "$here/appsettings.site.json" "$package/etc/nodeagent/appsettings.json"
install -m 0644 "$repo/config/README.md" "$package/usr/share/doc/nodeagent/README.md"
install -m 0644 "$repo/LICENSE" "$package/usr/share/doc/nodeagent/copyright"
for script in postinst prerm postrm; do
  install -m 0755 "$here/debian/$script" "$package/DEBIAN/$script"
done
echo "/etc/nodeagent/appsettings.json" > "$package/DEBIAN/conffiles"

size=$(du -sk "$package/usr" | cut -f1)
cat > "$package/DEBIAN/control" <<CONTROL
Package: nodeagent
Version: $version
Architecture: amd64
Maintainer: NodeAgent team <nodeagent@example.org>
Section: science
Priority: optional
Installed-Size: $size
Depends: libc6, libgcc-s1, libstdc++6, zlib1g, libssl3 | libssl3t64, passwd
Homepage: https://example.org/nodeagent
Description: federated cancer-imaging node agent
 Indexes the hospital's PACS into a minimised local catalogue, pseudonymises
 DICOM for the research store, and answers the federation hub's count queries
 with disclosure control, audit and mutual TLS. Images never leave the site.
CONTROL

mkdir -p "$output"
deb="$output/nodeagent_${version}_amd64.deb"
# gzip: fast to build in CI; the package is mostly the .NET runtime.
dpkg-deb --root-owner-group -Zgzip --build "$package" "$deb" >&2
echo "$deb"
