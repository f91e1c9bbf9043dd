#!/usr/bin/env bash
# The real-apiserver tier of CI (called by .ci/run): build or reuse kube-apiserver + etcd + kubectl
# (python -m aim_engine.testing.envtest install), then run the scenario suites against them.
# Skips, successfully and with a message, when Go is not on PATH and no binaries exist yet.
# Exits non-zero when the install or any test fails. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
TEST_PATHS=(tests/fakeapi tests/envtest)

if ! command -v go >/dev/null 2>&1; then
  if ! assets="$("$PYTHON" -m aim_engine.testing.envtest path 2>/dev/null)"; then
    echo "envtest tier skipped: Go (\`go\`) is not on PATH and no kube-apiserver/etcd binaries are cached"
    exit 0
  fi
  echo "envtest: Go not on PATH; reusing the binaries in $assets"
else
  echo "envtest: installing or reusing the control-plane binaries ($(go version))"
  start=$SECONDS
  assets="$("$PYTHON" -m aim_engine.testing.envtest install)"
  echo "envtest: binaries ready in $assets ($((SECONDS - start)) s)"
fi
export KUBEBUILDER_ASSETS="$assets"

# pytest exits 5 when it collected no tests: a failure only if test files were expected.
expected=$(find "${TEST_PATHS[@]}" -name 'test_*.py' 2>/dev/null | wc -l)

set +e
"$PYTHON" -m pytest --apiserver=envtest "${TEST_PATHS[@]}" "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ] && [ "$expected" -eq 0 ]; then
  echo "envtest: no tests collected (none expected)"
  exit 0
fi
if [ "$rc" -ne 0 ]; then
  echo "envtest tier failed: pytest exit code $rc"
fi
exit "$rc"
