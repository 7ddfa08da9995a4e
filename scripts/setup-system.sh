#!/usr/bin/env bash
# Installs the system parts camflow's tests need (Debian packages), only those missing.
# Silent and quick when everything is present; runs from the root's `pretest` and as `npm run setup`.
# Only this private workspace root calls it: no published package ever runs apt-get.
set -euo pipefail

# ffmpeg: recording, snapshots, motion frames. mosquitto: the real broker for bridge tests.
# chromium: the Node-RED editor check. GStreamer RTSP server: an RTSP camera that serves PLAY.
# redis-server: the pipeline's scale-out engine (BullMQ) in tests.
# curl: a digest client not written here, to check the simulator. openssl: test certificates for TLS.
# fonts-dejavu-core: the font the simulated cameras draw their overlay text with (ffmpeg drawtext).
packages=(
  curl openssl fonts-dejavu-core
  ffmpeg
  mosquitto mosquitto-clients
  redis-server
  chromium
  python3-gi gir1.2-gst-rtsp-server-1.0
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly
  gstreamer1.0-rtsp gstreamer1.0-tools
)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null | awk '$2 == "installed" { print $1 }' || true)
  for p in "${packages[@]}"; do
    grep -qx "$p" <<<"$installed" || missing+=("$p")
  done
else
  missing=("${packages[@]}")
fi
[ ${#missing[@]} -eq 0 ] && exit 0

cannot() {
  echo "camflow setup: cannot install the system packages the tests need: ${missing[*]}" >&2
  echo "  reason: $1" >&2
  echo "  install them yourself (Debian/Ubuntu): sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 || cannot "apt-get is not available on this system"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); else cannot "not running as root and no password-less sudo"; fi
fi

echo "camflow setup: installing ${missing[*]} (once)" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! "${sudo[@]}" apt-get update -qq >"$log" 2>&1; then cat "$log" >&2; cannot "apt-get update failed"; fi
if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
  tail -20 "$log" >&2
  cannot "apt-get install failed"
fi
echo "camflow setup: done" >&2
