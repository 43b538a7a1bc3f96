#!/usr/bin/env bash
# Build the installable program.
#   bash tools/package.sh deb      dist/creditdesk_<version>_amd64.deb (Debian 12, Ubuntu, 统信UOS, 银河麒麟)
#   bash tools/package.sh bundle   only the one-folder PyInstaller bundle in dist/CreditDesk
# The bundle is built from a clean virtual environment holding only the runtime dependencies (and
# PyInstaller), so nothing from a developer's environment ends up in it. Needs python3-venv, binutils
# (strip, readelf) and dpkg-deb (dpkg). Details, the Windows recipe and signing: docs/packaging.md.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-deb}"
case "$what" in deb|bundle) ;; *) echo "用法：bash tools/package.sh deb|bundle" >&2; exit 2 ;; esac

version="$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
build=build/package
venv="$build/venv"

rm -rf "$venv" "$build/work" dist/CreditDesk
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
# Not editable: PyInstaller then finds the package metadata (the version) and only installed files.
"$venv/bin/python" -m pip install -q . "pyinstaller>=6.10"
"$venv/bin/python" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath "$build/work" build.spec
echo "bundle: dist/CreditDesk ($(du -sh dist/CreditDesk | cut -f1))"
[ "$what" = bundle ] && exit 0

arch=amd64
stage="$build/creditdesk_${version}_${arch}"
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/icons/hicolor/scalable/apps" "$stage/usr/share/doc/creditdesk"
cp -a dist/CreditDesk "$stage/opt/creditdesk"
ln -s /opt/creditdesk/credit-desk "$stage/usr/bin/credit-desk"
install -m 644 packaging/creditdesk.desktop "$stage/usr/share/applications/creditdesk.desktop"
install -m 644 resources/icons/creditdesk.svg "$stage/usr/share/icons/hicolor/scalable/apps/creditdesk.svg"
install -m 644 resources/fonts/OFL.txt "$stage/usr/share/doc/creditdesk/LXGWWenKai-OFL.txt"
install -m 755 packaging/debian/postinst packaging/debian/postrm "$stage/DEBIAN/"

# The system libraries the bundle's files link to are not in the bundle (build.spec): the Debian
# packages holding them on this machine become dependencies, beside packaging/debian/depends (what
# Qt opens at run time without linking: OpenGL, a CJK font).
system_packages() {
  local bundled
  bundled="$(find dist/CreditDesk \( -type f -o -type l \) -printf '%f\n' | sort -u)"
  # readelf also meets data files (not ELF) and then exits non-zero.
  { find dist/CreditDesk -type f -print0 | xargs -0 readelf -d 2>/dev/null || true; } | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' \
    | sort -u | while read -r lib; do
      grep -qxF "$lib" <<<"$bundled" && continue
      owner="$(dpkg -S "*/${arch_dir}/${lib}" 2>/dev/null | head -1 | cut -d: -f1)"
      [ -n "$owner" ] || { echo "系统库 ${lib} 不属于任何已安装的软件包，无法声明依赖" >&2; return 1; }
      echo "$owner"
    done
}
arch_dir=x86_64-linux-gnu
linked="$(system_packages)"
depends="$( (grep -v '^#' packaging/debian/depends | grep .; echo "$linked") | awk 'NF && !seen[$0]++' \
  | paste -sd, - | sed 's/,/, /g')"
size_kb="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$size_kb/" -e "s/@DEPENDS@/$depends/" \
  packaging/debian/control.in > "$stage/DEBIAN/control"

mkdir -p dist
deb="dist/creditdesk_${version}_${arch}.deb"
# xz (the default) for the smallest download; gzip builds several times faster (the CI test uses it).
dpkg-deb --root-owner-group "-Z${CREDITDESK_DEB_COMPRESSION:-xz}" --build "$stage" "$deb" >/dev/null
echo "$deb ($(du -h "$deb" | cut -f1), installed $((size_kb / 1024)) MB)"
