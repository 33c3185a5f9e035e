# Sourced by course.sh and test.sh: create .venv and install the course into it, once per
# change of pyproject.toml. Needs only python3 (>= 3.11) on the PATH.
set -euo pipefail
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# shellcheck disable=SC1091
source .venv/bin/activate
stamp=".venv/.installed-$(python -c 'import hashlib,sys;print(hashlib.sha256(open("pyproject.toml","rb").read()).hexdigest()[:16])')"
if [ ! -f "$stamp" ]; then
  echo "Installing the course into .venv (a few minutes the first time)..."
  python -m pip install --quiet --upgrade pip
  python -m pip install --quiet -e ".[course,test]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
# The course's JupyterLab never asks to fetch news or check for updates (offline classrooms).
overrides=.venv/share/jupyter/lab/settings/overrides.json
if [ ! -f "$overrides" ]; then
  mkdir -p "$(dirname "$overrides")"
  echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > "$overrides"
fi
