#!/usr/bin/env bash
# Lint and type-check (settings in pyproject.toml, versions in requirements-dev.txt).
#
#   deploy/lint.sh                 both, over the whole tree (what `make test` runs)
#   deploy/lint.sh lint [PATH…]    ruff's rules and formatting (default: the whole tree)
#   deploy/lint.sh typecheck       mypy strict on common/ and every domain/ package
#   deploy/lint.sh typecheck-all   mypy over the whole tree on the lenient base (a report:
#                                  handlers, api and adapters join the strict set as they are typed)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
STRICT=(common services/*/domain gateway/domain)

lint() {
  local paths=("${@:-.}")
  "$BIN/ruff" check "${paths[@]}"
  "$BIN/ruff" format --check "${paths[@]}"
}

typecheck() {
  "$BIN/mypy" "${STRICT[@]}"
}

case "${1:-all}" in
  lint) shift; lint "$@" ;;
  typecheck) typecheck ;;
  typecheck-all) "$BIN/mypy" . ;;
  all) lint; typecheck ;;
  *) echo "usage: deploy/lint.sh [lint [PATH…] | typecheck | typecheck-all]" >&2; exit 2 ;;
esac
