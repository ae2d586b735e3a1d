#!/usr/bin/env bash
# Installs what the real-machine tests and bench boot (QEMU, busybox, Debian's bootable kernel,
# kmod for a real insmod; Debian's Xen and its xen-livepatch), only the pieces missing, at the versions
# scripts/debian-artifacts.json pins, through debian-packages.mjs like the other artifact scripts:
# the product never installs anything itself, it only says what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
node --input-type=module -e '
  import { artifacts, ensurePackages } from "./scripts/debian-packages.mjs";
  ensurePackages(["qemu-system-x86", "busybox-static", `linux-image-${artifacts.linuxAbi}`, "kmod", "xen-hypervisor-4.17-amd64", "xen-utils-4.17"], (line) => console.log(`[vm] ${line}`));'
