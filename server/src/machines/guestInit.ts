/**
 * The initramfs's /init: the guest side of consoleProtocol.ts. It mounts what busybox does not,
 * silences the kernel's console (the log is read per command with `dmesg -c` instead, so kernel
 * lines never interleave with output), puts the tty in raw mode (no echo, no CR/LF rewriting, no
 * control characters), then runs one command per `run BASE64` line in a child shell, so an
 * `exit` or a failing command cannot end init, and frames each result. kmod, when the image has
 * it, takes over insmod & co: busybox's insmod retries a failed finit_module with init_module, so
 * a failing module init would run (and log) twice. Debian's static busybox prefers its own
 * applets to PATH, so kmod's tools are shell functions calling them by path, sourced by each
 * command's shell.
 */
export const guestInit = `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin /modules
/bin/busybox --install -s
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mkdir -p /etc; : > /etc/commands
if [ -x /bin/kmod ]; then for a in insmod rmmod lsmod modinfo modprobe depmod; do ln -sf /bin/kmod /sbin/$a; printf '%s() { /sbin/%s "$@"; }\\n' $a $a >> /etc/commands; done; fi
dmesg -n 1
stty raw -echo
nonce=
for w in $(cat /proc/cmdline); do case $w in llnonce=*) nonce=\${w#llnonce=} ;; esac; done
m() { printf '\\n@@LL:%s:%s\\n' "$nonce" "$*"; }
if [ -f /setup.sh ]; then . /setup.sh > /tmp/setup.log 2>&1 || { cat /tmp/setup.log; poweroff -f; }; fi
m BOOTLOG; dmesg -c | base64; m READY
cd /modules
n=0
while read -r verb text; do
  [ "$verb" = run ] || break
  printf %s "$text" | base64 -d > /tmp/cmd
  m BEGIN $n
  sh -c '. /etc/commands; . /tmp/cmd' </dev/null >/tmp/out 2>/tmp/err; rc=$?
  m OUT; base64 /tmp/out; m ERR; base64 /tmp/err; m LOG; dmesg -c | base64; m END $n $rc
  n=$((n + 1))
done
m POWEROFF
poweroff -f
`;
