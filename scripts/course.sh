#!/usr/bin/env bash
# Set up the course (first run only) and open it in JupyterLab; extra arguments go to jupyter lab
# (e.g. --no-browser on a remote machine). Learners get student copies (exercises to solve, written
# to student/ on the first run and never overwritten); COURSE_VIEW=instructor opens notebooks/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
as_root=()
if [ "$(id -u)" = 0 ]; then as_root=(--allow-root); fi  # containers and cloud VMs often run as root
folder=student
if [ "${COURSE_VIEW:-student}" = instructor ]; then
  folder=notebooks
elif [ ! -d student ]; then
  python scripts/student_copies.py --out student
fi
exec jupyter lab "${as_root[@]}" "$folder/" "$@"
