#!/usr/bin/env bash
# The scale figures of issue 21 on a many-core machine, in one run (see DEVELOPERS.md).
#
#   bash bench/many_cores.sh prepare          # here: wheels for CPython 3.12 and the corpus, in .scale/
#   bash bench/many_cores.sh run [K]          # there: install, then every engine at 1x and Kx (default 16)
#   bash bench/many_cores.sh dry [K]          # here, first: `run K` as it runs there (default 2; 70 s)
#
# `prepare` needs ../shared/corpus/corpus.jsonl and PyPI; `run` needs neither (no network there):
# it installs the wheels with `pip --target`, decompresses the corpus and prints, for searchkit,
# SQLite FTS5 and tantivy side by side, the build at 1x and Kx and query p50/p99 at 1x and Kx.
# What it prints goes to $OUT (or /tmp/many-cores) as indexing.txt, query.txt and build_pipeline.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE_DIR=.scale
CORPUS=../shared/corpus/corpus.jsonl

prepare() {
  mkdir -p .git/info "$SCALE_DIR/wheels"
  grep -qx "/$SCALE_DIR/" .git/info/exclude 2>/dev/null || echo "/$SCALE_DIR/" >> .git/info/exclude
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    -d "$SCALE_DIR/wheels" numpy==2.4.6 tantivy==0.27.0 click==8.5.1 unidecode==1.4.0 whoosh-reloaded==2.7.5 \
    cached-property==2.0.1  # whoosh-reloaded's one dependency: a run without it builds nothing
  python3 -m pip download -q --no-deps -d "$SCALE_DIR/wheels" pyvi==0.1.1  # its model files only: no sklearn
  # gzip, not xz: 15 MB against 10, but zlib is in every Python that can unpack a wheel, and
  # lzma is left out of some builds
  rm -f "$SCALE_DIR/corpus.jsonl.xz"
  python3 - "$CORPUS" "$SCALE_DIR/corpus.jsonl.gz" <<'EOF'
import gzip, shutil, sys
with open(sys.argv[1], "rb") as source, gzip.open(sys.argv[2], "wb", compresslevel=6) as target:
    shutil.copyfileobj(source, target)
EOF
  du -sh "$SCALE_DIR"
}

run() {
  local scale=${1:-16} out=${OUT:-/tmp/many-cores} work=/tmp/many-cores-work
  mkdir -p "$out" "$work"
  if python3 -m pip --version >/dev/null 2>&1; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
      "$SCALE_DIR"/wheels/*.whl
  else  # a Python without pip: a wheel is a zip of what --target would put there
    mkdir -p /tmp/site
    for wheel in "$SCALE_DIR"/wheels/*.whl; do python3 -m zipfile -e "$wheel" /tmp/site; done
  fi
  export PYTHONPATH="/tmp/site:$PWD" PYTHONUNBUFFERED=1
  if ! python3 -c "import numpy" 2>/dev/null; then  # its wheel needs glibc 2.28: the machine's own numpy, if any
    echo "numpy 2.4.6 does not load here: using this Python's own numpy" >&2
    rm -rf /tmp/site/numpy /tmp/site/numpy-* /tmp/site/numpy.libs
  fi
  python3 -c "import numpy, sys; print('python', sys.version.split()[0], 'numpy', numpy.__version__)"
  python3 - "$SCALE_DIR" "$work/corpus.jsonl" <<'EOF'
import os, shutil, sys
packed = os.path.join(sys.argv[1], "corpus.jsonl.gz")
if os.path.exists(packed):
    import gzip as codec
else:  # a .scale prepared before the thirty-fourth session
    import lzma as codec
    packed = os.path.join(sys.argv[1], "corpus.jsonl.xz")
with codec.open(packed) as source, open(sys.argv[2], "wb") as target:
    shutil.copyfileobj(source, target)
EOF
  nproc
  # the processor, and whether searchkit had numpy use its AVX2 sorts (AMD's Zen 4: searchkit/cpu.py)
  grep -m 3 -E '^(vendor_id|cpu family|model name)' /proc/cpuinfo || true
  python3 -c "import os, searchkit, numpy; print('NPY_DISABLE_CPU_FEATURES:', os.environ.get('NPY_DISABLE_CPU_FEATURES'))"
  # the xK builds are timed once, by indexing.py, and kept for query.py's queries; one round of
  # the growth table's queries and no long ones (FTS5 takes seconds a paragraph at x16): the
  # run then fits one call of the lent machine (10 minutes). A step that fails leaves the others to run.
  python3 bench/indexing.py --corpus "$work/corpus.jsonl" --workdir "$work" --adds 0 --scale "$scale" \
    --keep-scaled --scale-rounds 1 2>&1 | tee "$out/indexing.txt" || echo "indexing.py FAILED"
  echo "indexing.py done at ${SECONDS} s" | tee -a "$out/indexing.txt"
  python3 bench/query.py --corpus "$work/corpus.jsonl" --workdir "$work" --scale "$scale" --long 0 2>&1 \
    | tee "$out/query.txt" || echo "query.py FAILED"
  echo "query.py done at ${SECONDS} s" | tee -a "$out/query.txt"
  # where the 1x build's time goes with every core: the parent's serial share against the workers'
  python3 bench/build_pipeline.py --corpus "$work/corpus.jsonl" --workers "$(nproc)" 2>&1 \
    | grep -v '^batch' | tee "$out/build_pipeline.txt" || echo "build_pipeline.py FAILED"
  echo "build_pipeline.py done at ${SECONDS} s" | tee -a "$out/build_pipeline.txt"
}

# `run` as a lent machine runs it, before its minutes are spent: a CPython 3.12 with nothing
# installed, this commit's tree alone with .scale beside it, no variable of this shell (the
# first try there found the wheels short of Whoosh's one dependency). Figures go to
# /tmp/many-cores-dry.
dry() {
  local scale=${1:-2} tree=/tmp/many-cores-tree python=${PYTHON312:-python3.12}
  [ -d "$SCALE_DIR/wheels" ] || { echo "no $SCALE_DIR: run 'bash bench/many_cores.sh prepare' first" >&2; exit 2; }
  rm -rf /tmp/many-cores-py312 /tmp/site /tmp/many-cores-work /tmp/many-cores-dry
  "$python" -m venv ${DRY_WITHOUT_PIP:+--without-pip} /tmp/many-cores-py312  # DRY_WITHOUT_PIP=1: no pip there either
  git worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
  git worktree add --detach "$tree" HEAD >/dev/null
  cp -r "$SCALE_DIR" "$tree/"
  local status=0
  (cd "$tree" && env -i HOME="$HOME" PATH=/tmp/many-cores-py312/bin:/usr/bin:/bin OUT=/tmp/many-cores-dry \
    bash bench/many_cores.sh run "$scale") || status=$?
  git worktree remove --force "$tree"
  rm -rf /tmp/many-cores-work /tmp/site  # the xK indexes: gigabytes at x16
  grep -h "FAILED\|Traceback\|done at" /tmp/many-cores-dry/*.txt || true
  return "$status"
}

case "${1:-}" in
  prepare) prepare ;;
  run) shift; run "$@" ;;
  dry) shift; dry "$@" ;;
  *) echo "usage: bash bench/many_cores.sh prepare | run [K] | dry [K]" >&2; exit 2 ;;
esac
