# Sourced by the other scripts: make sure .venv exists and holds the project.
#
# ensure_venv ""     installs the project (enough to serve);
# ensure_venv test   installs it with the test extra.
# An install is skipped while its stamp in .venv is newer than pyproject.toml,
# so repeat runs start at once; editing pyproject.toml triggers a reinstall.

ensure_venv() {
    local extra="$1"
    local stamp=".venv/.installed${extra:+-$extra}"
    if [[ ! -x .venv/bin/python ]]; then
        python3 -m venv .venv
    fi
    if [[ -f "$stamp" && "$stamp" -nt pyproject.toml ]]; then
        return
    fi
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extra:+[$extra]}"
    touch "$stamp"
    # The test extra is a superset of what serving needs.
    if [[ -n "$extra" ]]; then
        touch .venv/.installed
    fi
}
