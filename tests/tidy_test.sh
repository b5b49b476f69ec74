#!/usr/bin/env bash
# Mechanical rules that keep the layering honest (style.md practice 12): the kernel is reached
# only through engine/io, the engine never prints or exits, and lines stay within 100 columns.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0

fail() {
  echo "tidy: $1"
  status=1
}

engine_outside_io=$(git ls-files 'engine/*.cc' 'engine/*.h' | grep -v '^engine/io/' || true)
syscalls='(^|[^_a-zA-Z.>:])(::)?(open|pwrite|pread|write|fsync|fdatasync|rename|renameat2|link|unlink|mkdir|fchmod|chmod|close)\('
# Comments and declarations of methods that share a syscall's name are not calls.
if hits=$(grep -nE "$syscalls" $engine_outside_io | grep -vE '^\S+:\s*//' |
          grep -vE '(void|bool|int|Status)\s+[a-z_]+\('); then
  fail "system calls outside engine/io:"$'\n'"$hits"
fi

if hits=$(grep -nE '(^|[^a-z_])(printf|puts|exit|_exit)\(|std::cout|std::cerr' \
            $(git ls-files 'engine/*.cc' 'engine/*.h') | grep -v 'engine/base/check.h'); then
  fail "printing or exiting inside the engine:"$'\n'"$hits"
fi

long=$(git ls-files 'engine/*' 'tools/*' 'tests/*' 'bench/*' 'fuzz/*.cc' | grep -E '\.(cc|h)$' |
       xargs awk '{ if (length($0) > 100 && $0 !~ /[^\x00-\x7F]/) print FILENAME ":" FNR }')
if [[ -n "$long" ]]; then
  fail "lines longer than 100 columns:"$'\n'"$long"
fi

if hits=$(git ls-files 'engine/*' 'tools/*' | xargs grep -n 'TODO\|FIXME\|XXX' ); then
  fail "unfinished work marked in code:"$'\n'"$hits"
fi

[[ $status -eq 0 ]] && echo "tidy: clean"
exit $status
