#!/bin/sh
# The paper's three searches at full scale, then three seeds of what each one chose.
#
#   nohup sh scripts/paper_tables.sh > runs/paper_tables.log 2>&1 &
#
# Every step says how many trials its study should hold (--total), so the script can be
# started again after any stop: finished trials are kept, a trial cut off mid-training resumes
# from its last epoch, and only what is missing runs. After each step the shipped report
# (reports/experiments.json) is written again from the studies, so the page shows the
# trials finished so far. Table 3 goes first because its trials take minutes, not hours.
#
# STORAGE: any Optuna database URL (default: runs/studies.db); several machines may run this
# script on one PostgreSQL study at once (see the README).
set -eu
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
STORAGE=${STORAGE:-sqlite:///$(pwd)/runs/studies.db}
run() { "$PY" -m audioml experiment "$@" --storage "$STORAGE"; }
export_report() { "$PY" -m audioml experiment report --export --storage "$STORAGE" > /dev/null; }

run table3 --total 6 && export_report
run seeds table3 --seeds 3 && export_report
# Table 1: the five architectures at E = 50, cheapest first (queued in that order).
run table1 --total 5 && export_report
run seeds table1 --seeds 3 && export_report
run table2 --total 6 && export_report
run seeds table2 --seeds 3 && export_report
echo "paper tables: done"
