#!/usr/bin/env bash
# Prints `#define <FUNCTION>_BODY_SZ 0x..` for FUNCTION of an ELF image: how many bytes come before
# its way out (its final `ret`, or the `jmp __x86_return_thunk` of a build with return thunks), the
# whole-instruction prefix a Xen NOP-out may overwrite and still return. Fails, naming the function
# and its last instruction, when it ends in neither.
#   bash way-out-offset.sh ELF FUNCTION
set -euo pipefail
elf=$1 fn=$2
read -r addr size < <(nm -S --defined-only "$elf" | awk -v f="$fn" '$4 == f && $3 ~ /^[Tt]$/ { print $1, $2; exit }') || true
if [ -z "${addr:-}" ]; then echo "$elf: no function $fn (nm -S)" >&2; exit 1; fi
start=$((16#$addr))
last='' text=''
while IFS= read -r line; do
	if [[ $line =~ ^\ *([0-9a-f]+):[[:space:]]+(.*)$ ]]; then last=${BASH_REMATCH[1]} text=${BASH_REMATCH[2]}; fi
done < <(objdump -d --no-show-raw-insn --start-address="0x$addr" --stop-address="$(printf '0x%x' $((start + 16#$size)))" "$elf")
if ! [[ $text =~ ^(ret|jmp\ +[0-9a-f]+\ \<__x86_return_thunk\>) ]]; then
	echo "$elf: $fn ends in '$text', neither ret nor jmp __x86_return_thunk: no NOP-out size keeps its way out" >&2
	exit 1
fi
printf '#define %s_BODY_SZ 0x%x\n' "${fn^^}" $((16#$last - start))
