#!/usr/bin/env bash
# Mechanical rules that keep the layering honest (docs/style.md practice 12): the kernel is reached
# only through engine/io, the engine never prints or exits, and lines stay within 100 columns.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0

fail() {
  echo "tidy: $1"
  status=1
}

# The files as they are in the working tree: new ones before their first commit included,
# removed ones left out.
files() {
  git ls-files --cached --others --exclude-standard "$@" | sort -u |
    while read -r f; do [[ -e $f ]] && echo "$f"; done
}

# Only engine/io reaches the kernel: the rest of the engine and tools/ go through it.
outside_io=$(files 'engine/*.cc' 'engine/*.h' 'tools/*.cc' 'tools/*.h' | grep -v '^engine/io/' ||
             true)
syscalls='(^|[^_a-zA-Z.>:])(::)?(open|pwrite|pread|write|fsync|fdatasync|rename|renameat2|link|unlink|mkdir|fchmod|chmod|close)\('
# Comments and declarations of methods that share a syscall's name are not calls.
if hits=$(grep -nE "$syscalls" $outside_io | grep -vE '^\S+:\s*//' |
          grep -vE '(void|bool|int|Status)\s+[a-z_]+\('); then
  fail "system calls outside engine/io:"$'\n'"$hits"
fi

# The environment is read by the command (tools/) and handed down: the engine runs the same
# whoever calls it.
if hits=$(grep -nE '(^|[^a-z_])(secure_)?getenv\(' $(files 'engine/*.cc' 'engine/*.h')); then
  fail "the environment read inside the engine:"$'\n'"$hits"
fi

if hits=$(grep -nE '(^|[^a-z_])(printf|puts|exit|_exit)\(|std::cout|std::cerr' \
            $(files 'engine/*.cc' 'engine/*.h') | grep -v 'engine/base/check.h'); then
  fail "printing or exiting inside the engine:"$'\n'"$hits"
fi

long=$(files 'engine/*' 'tools/*' 'tests/*' 'bench/*' 'fuzz/*.cc' | grep -E '\.(cc|h)$' |
       xargs awk '{ if (length($0) > 100 && $0 !~ /[^\x00-\x7F]/) print FILENAME ":" FNR }')
if [[ -n "$long" ]]; then
  fail "lines longer than 100 columns:"$'\n'"$long"
fi

if hits=$(files 'engine/*' 'tools/*' | xargs grep -n 'TODO\|FIXME\|XXX' ); then
  fail "unfinished work marked in code:"$'\n'"$hits"
fi

[[ $status -eq 0 ]] && echo "tidy: clean"
exit $status
