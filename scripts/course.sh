#!/usr/bin/env bash
# Set up the course (first run only) and open it in JupyterLab.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
exec jupyter lab notebooks/
