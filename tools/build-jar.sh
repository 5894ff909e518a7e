#!/usr/bin/env bash
# Builds a module's runnable jar when it is missing or older than anything it is built from.
#
#   tools/build-jar.sh MODULE JAR [--always | --check]
#
# --check builds nothing: exit status 0 when the jar is up to date, 1 when it would be built.
#
# Used by ./herald (demo, log) and herald-bench/bench.sh. Builds with the reactor (-pl MODULE -am),
# so it works on a machine that never built Herald and installs nothing into ~/.m2. Tests are
# compiled but not run (-DskipTests): the contract suite reaches the transport modules as
# herald-core's test-jar, which -Dmaven.test.skip=true would not produce.
#
# Staleness covers every Herald module inside the jar, read from the jar itself (each module leaves
# META-INF/maven/dev.herald/<module>/ in it), plus the parent pom: a module added to the jar later is
# covered without editing this script. Quiet on success; on failure Maven's report goes to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module="${1:?usage: build-jar.sh MODULE JAR [--always | --check]}"
jar="${2:?usage: build-jar.sh MODULE JAR [--always | --check]}"
mode="${3:-}"

# The Herald modules whose classes the jar holds; every module of the build when the jar cannot be
# listed (no `jar` or `unzip` on the PATH): rebuilding too often beats running stale code.
modules_in_jar() {
  local listed=""
  if command -v jar > /dev/null; then
    listed="$(jar tf "$jar" 2>/dev/null || true)"
  elif command -v unzip > /dev/null; then
    listed="$(unzip -Z1 "$jar" 2>/dev/null || true)"
  fi
  if [[ -n "$listed" ]]; then
    printf '%s\n' "$listed" | sed -n 's#^META-INF/maven/dev\.herald/\([^/]*\)/pom\.xml$#\1#p' | sort -u
  else
    (cd "$ROOT" && ls -d herald-*/ | tr -d /)
  fi
}

stale() {
  [[ -f "$jar" ]] || return 0
  local modules paths=("$ROOT/pom.xml")
  modules="$(modules_in_jar)"
  [[ -n "$modules" ]] || return 0
  local m
  for m in $modules; do
    [[ -d "$ROOT/$m" ]] || return 0 # a module the jar holds is gone or renamed: rebuild
    paths+=("$ROOT/$m/pom.xml" "$ROOT/$m/src/main")
  done
  [[ -n "$(find "${paths[@]}" -type f -newer "$jar" -print -quit 2>/dev/null || true)" ]]
}

if [[ "$mode" == --check ]]; then
  if stale; then exit 1; else exit 0; fi
fi
if [[ "$mode" != --always ]] && ! stale; then
  exit 0
fi
if [[ -f "$jar" ]]; then
  echo "building Herald's $module (sources changed)..." >&2
else
  echo "building Herald's $module (first run; a minute or two)..." >&2
fi
if ! log="$(cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests -Dmaven.source.skip=true -Dmaven.javadoc.skip=true -pl "$module" -am package 2>&1)"; then
  printf '%s\n' "$log" | sed 's/\x1b\[[0-9;]*m//g' >&2
  echo "herald: build failed" >&2
  exit 1
fi
[[ -f "$jar" ]] || { echo "herald: the build did not produce $jar" >&2; exit 1; }
