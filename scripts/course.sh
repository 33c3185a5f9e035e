#!/usr/bin/env bash
# Set up the course (first run only) and open it in JupyterLab; extra arguments go to jupyter lab
# (e.g. --no-browser on a remote machine).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
as_root=()
if [ "$(id -u)" = 0 ]; then as_root=(--allow-root); fi  # containers and cloud VMs often run as root
exec jupyter lab "${as_root[@]}" notebooks/ "$@"
