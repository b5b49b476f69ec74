#!/usr/bin/env bash
# Names every GoogleTest case that skipped in the last ctest run, with its reason, from the XML
# reports the test binaries leave in BUILD/test-results (cmake/WalpipeTargets.cmake). Under
# CI=true a skip is a failure already (tests/support/prerequisite.h); by hand it is allowed, and
# this line is where it shows. Prints "skipped: none" when nothing skipped.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
results=${1:?usage: skipped_tests.sh BUILD_DIR}/test-results
shopt -s nullglob
reports=("$results"/*.xml)
if ((${#reports[@]} == 0)); then
  echo "skipped: no test reports in $results" >&2
  exit 1
fi
# A skipped case is written as <testcase name="N" ... result="skipped" ... classname="S"> followed
# by <skipped message="..."/>; the message is XML-escaped and holds the file:line first.
skipped=$(awk '
  /<testcase / && /result="skipped"/ {
    match($0, / name="[^"]*"/); name = substr($0, RSTART + 7, RLENGTH - 8)
    match($0, / classname="[^"]*"/); suite = substr($0, RSTART + 12, RLENGTH - 13)
    pending = suite "." name; next
  }
  pending != "" && /<skipped message="/ {
    match($0, /message="[^"]*"/); why = substr($0, RSTART + 9, RLENGTH - 10)
    gsub(/&#x0A;/, " ", why); gsub(/&quot;/, "\"", why); gsub(/&apos;/, "'\''", why)
    gsub(/&lt;/, "<", why); gsub(/&gt;/, ">", why); gsub(/&amp;/, "\\&", why)
    print "  " pending ": " why; pending = ""; next
  }
  pending != "" && /<\/testcase>/ { print "  " pending; pending = "" }
' "${reports[@]}")
if [[ -z $skipped ]]; then
  echo "skipped: none"
else
  echo "skipped: $(grep -c . <<<"$skipped") tests"
  echo "$skipped"
fi
