#!/usr/bin/env bash
# Validates the deployment artefacts without Docker, Helm or a cluster:
#   - renders helm/fleetqry with helm-lite (defaults + required secrets, and ci/production-values.yaml),
#     runs the structural checks and, when kubernetes-models is installed (or FLEETQRY_K8S_MODELS_DIR points
#     at a node_modules holding it), the Kubernetes OpenAPI schema validation;
#   - `docker-compose config` on docker-compose.yml (installs Debian's docker-compose when missing and root);
#   - lints the Dockerfiles (hadolint when on PATH, plus the structural lint).
# Usage: bash tools/deploy/validate.sh [--render-only]   (exit 0 = everything checked passed)
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ "${1:-}" == "--render-only" ]]; then
  npx tsx tools/deploy/render.ts -f helm/fleetqry/ci/dev-values.yaml
  exit 0
fi

if ! command -v docker-compose >/dev/null 2>&1 && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  echo "validate: installing Debian's docker-compose (offline 'docker-compose config')" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; }
fi
if command -v docker-compose >/dev/null 2>&1; then export FLEETQRY_REQUIRE_DEPLOY_TOOLS=1; fi

if command -v hadolint >/dev/null 2>&1; then
  hadolint apps/controller/Dockerfile apps/worker/Dockerfile
else
  echo "validate: hadolint not available (not packaged for Debian bookworm); structural Dockerfile lint only" >&2
fi

# Both rendered variants, printed for inspection, then every check.
npx tsx tools/deploy/render.ts -f helm/fleetqry/ci/dev-values.yaml >/dev/null
npx tsx tools/deploy/render.ts -f helm/fleetqry/ci/production-values.yaml >/dev/null
NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects unit integration --testPathPatterns 'tools/deploy/' --runInBand
