#!/usr/bin/env bash
# Set up CreditDesk on Debian/Ubuntu and start it.
#   bash tools/setup.sh app    install, then start the program (the default)
#   bash tools/setup.sh test   install with test tools, then run the whole test suite
# System packages are installed only when missing (root, or sudo when available).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-app}"; shift || true

# Qt's runtime libraries (offscreen and a real window; CUPS for printing to the office's printers), a CJK
# font so Chinese is not drawn as boxes.
packages=(python3-venv libegl1 libgl1 libx11-6 libx11-xcb1 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-util1 libxcb-xkb1 libxcb-randr0 libxcb-xfixes0
  libcups2 fonts-wqy-microhei)
if [ "$mode" = test ]; then
  # Xvfb for screenshots of real windows, poppler for checking PDFs and their signatures.
  packages+=(xvfb xauth poppler-utils libnss3-tools)  # certutil: pdfsig trusts the test CA only through NSS
  packages+=(postgresql)  # a PostgreSQL server the city-mode tests start for themselves
  packages+=(binutils)  # the .deb test builds the bundle; PyInstaller strips its libraries
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then as_root=(); elif command -v sudo >/dev/null; then as_root=(sudo); else
    echo "缺少系统软件包：${missing[*]}；请以 root 身份安装后重试" >&2; exit 1; fi
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "$mode" = test ]; then
  .venv/bin/python -m pip install -q -e '.[test]'
  export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
  exec .venv/bin/python -m pytest "$@"
else
  .venv/bin/python -m pip install -q -e .
  exec .venv/bin/credit-desk "$@"
fi
