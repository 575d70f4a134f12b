#!/bin/sh
# Build tools/train_boundary.c against the core and train csrc/ds_boundary_model.c, the
# model of unpunctuated sentence boundaries. Run from the project root:
#   tools/train_boundary.sh [DATA_DIR] [extra train_boundary options]
# DATA_DIR defaults to ../shared/data (UD English EWT train and dev; test is not read).
set -eu
DATA=${1:-../shared/data}
[ $# -gt 0 ] && shift
CC=${CC:-cc}
make -s all
CORE=$(ls build/ds*.o)
$CC -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -Werror -Icsrc \
  -o build/train_boundary tools/train_boundary.c $CORE \
  -lsqlite3 -lutf8proc
build/train_boundary --data "$DATA" "$@"
make -s all
