#!/usr/bin/env bash
# Checks fixtures/vectors/*.json with the independent Python implementation
# (fixtures/vectors/verify.py), in a throwaway venv with `cryptography` from PyPI.
# Exits non-zero if any vector fails. Usage: bash scripts/verify-vectors.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$(mktemp -d "${TMPDIR:-/tmp}/ddbsse-vectors-venv.XXXXXX")"
trap 'rm -rf "$venv"' EXIT

python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check 'cryptography>=42'
"$venv/bin/python" -c 'import cryptography; print("cryptography", cryptography.__version__)'
"$venv/bin/python" "$root/fixtures/vectors/verify.py" "$root/fixtures/vectors"
