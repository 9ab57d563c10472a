#!/bin/bash
# scripts/cleanup-task-definitions.sh
set -e

# 最新の5つを除くすべてのリビジョンを登録解除
REVISIONS=$(ecsplan revisions --config ecspresso.yml | sort -n | head -n -5)
for REV in $REVISIONS; do
  echo "Deregistering revision $REV..."
  ecsplan deregister --config ecspresso.yml --revision $REV
done
