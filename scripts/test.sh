#!/usr/bin/env bash
# Set up the course (first run only), then run every test: the helpers' unit tests, and every
# notebook top to bottom under nbval in the fast profile. The network guard is on: any connection
# outside 127.0.0.0/8 fails at once, in pytest and in every notebook kernel.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
export COURSE_PROFILE="${COURSE_PROFILE:-fast}"
if [ -z "${COURSE_MIRROR:-}" ] && [ -d ../shared/mirror ]; then
  COURSE_MIRROR="$(cd ../shared/mirror && pwd)"
  export COURSE_MIRROR
fi
export COURSE_NETWORK_GUARD=1 PYTHONPATH="$PWD/tests/network_guard${PYTHONPATH:+:$PYTHONPATH}"
echo "COURSE_PROFILE=$COURSE_PROFILE COURSE_MIRROR=${COURSE_MIRROR:-unset} COURSE_OFFLINE=${COURSE_OFFLINE:-0}"
# Two workers (pytest-xdist), one notebook or test file at a time each; notebooks first, so the
# longest ones start at once. Pass -n 0 to run everything in one process.
exec python -m pytest -n 2 --dist loadfile --durations=15 --nbval-lax --nbval-current-env --nbval-cell-timeout=1800 \
  notebooks tests "$@"
