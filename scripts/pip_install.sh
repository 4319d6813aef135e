#!/usr/bin/env bash
# Run a pip command, hiding this machine's per-package warnings about absent local
# index folders (pip.conf lists them); pip's own exit status is kept.
set -o pipefail
"$@" 2>&1 | { grep -v "^WARNING: Location 'file://" || true; }
