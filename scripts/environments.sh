# shellcheck shell=bash
# The two locked environments (DESIGN.md), sourced by scripts/setup and scripts/lock so that
# a venv and its lock are made the same way:
#   engine              .venv     the engine (editable) and its test extra; locks/engine.txt
#   homeassistant-test  .venv-ha  pyproject.toml's homeassistant-test group (Home Assistant's
#                                 test pins), without the engine; locks/homeassistant-test.txt
ENVIRONMENTS=(engine homeassistant-test)

find_python() {
    local candidate
    for candidate in python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13 \
        "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3.13; do
        if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "Python 3.13 is required (python3.13 not found)." >&2
    echo "Install it (e.g. 'pyenv install 3.13' or your distribution's python3.13) and retry." >&2
    return 1
}

check_environment_name() {
    case "$1" in
        engine | homeassistant-test) ;;
        *)
            echo "unknown environment '$1' (one of: ${ENVIRONMENTS[*]})" >&2
            return 1
            ;;
    esac
}

venv_of() {
    case "$1" in
        engine) echo .venv ;;
        homeassistant-test) echo .venv-ha ;;
    esac
}

lock_of() {
    echo "locks/$1.txt"
}

# install_environment NAME VENV CONSTRAINTS: install NAME's packages into an existing venv.
install_environment() {
    local name=$1 venv=$2 constraints=$3 pip constraint
    pip=("$venv/bin/python" -m pip --quiet --disable-pip-version-check)
    # `--group` needs pip 25.1 or newer.
    "${pip[@]}" install --upgrade pip
    constraint=()
    if [ -s "$constraints" ]; then
        constraint=(--constraint "$constraints")
    fi
    case "$name" in
        engine) "${pip[@]}" install "${constraint[@]}" --editable '.[test]' ;;
        homeassistant-test) "${pip[@]}" install "${constraint[@]}" --group homeassistant-test ;;
    esac
}

# frozen VENV: what is installed, as lock lines (the editable engine left out).
frozen() {
    "$1/bin/python" -m pip --disable-pip-version-check freeze --exclude-editable
}

lock_header() {
    case "$1" in
        engine)
            cat <<'EOF'
# The engine's environment, fully pinned: .venv (scripts/setup), the Docker image and the
# add-on install the engine with `--constraint locks/engine.txt`. Home Assistant's test pins
# (locks/homeassistant-test.txt) never choose a version here (DESIGN.md).
# Regenerate with ./scripts/lock engine: a fresh venv, `pip install --constraint
# locks/engine.txt --editable '.[test]'`, then `pip freeze --exclude-editable`. To move a pin,
# edit or delete its line first.
EOF
            ;;
        homeassistant-test)
            cat <<'EOF'
# Home Assistant's test environment, fully pinned: .venv-ha (scripts/setup) runs the
# integration tier and the Home Assistant of the end-to-end tier. Home Assistant 2025.4.4, as
# pytest-homeassistant-custom-component==0.13.236 pins it, and the tools of pyproject.toml's
# homeassistant-test group; never the engine (locks/engine.txt).
# Regenerate with ./scripts/lock homeassistant-test: a fresh venv, `pip install --constraint
# locks/homeassistant-test.txt --group homeassistant-test`, then `pip freeze`. To move a pin,
# edit or delete its line first.
EOF
            ;;
    esac
}
