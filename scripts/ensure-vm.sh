#!/usr/bin/env bash
# Installs what the real-machine tests and bench boot (QEMU, busybox, Debian's bootable kernel,
# kmod for a real insmod; Debian's Xen and its xen-livepatch), only the pieces missing, at the exact versions scripts/debian-artifacts.json
# names: the product never installs anything itself, it only says what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t want < <(node -e '
  const a = require("./scripts/debian-artifacts.json");
  for (const name of ["qemu-system-x86", "busybox-static", `linux-image-${a.linuxAbi}`, "kmod", "xen-hypervisor-4.17-amd64", "xen-utils-4.17"]) {
    if (!a.packages[name]) throw new Error(`scripts/debian-artifacts.json names no version for ${name}`);
    console.log(`${name}=${a.packages[name]}`);
  }')
need=()
for p in "${want[@]}"; do
  [ "$(dpkg-query -W -f='${Status} ${Version}' "${p%%=*}" 2>/dev/null)" = "install ok installed ${p#*=}" ] || need+=("$p")
done
((${#need[@]})) || exit 0
echo "[vm] installing from Debian: ${need[*]}"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
