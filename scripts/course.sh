#!/usr/bin/env bash
# Set up the course (first run only) and open it in JupyterLab; extra arguments go to jupyter lab.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
exec jupyter lab notebooks/ "$@"  # e.g. --no-browser on a remote machine
