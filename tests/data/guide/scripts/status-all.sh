#!/bin/bash
# scripts/status-all.sh
set -e

for service in services/*/; do
  echo "Status of $service..."
  ecsplan status --config $service/ecspresso.yml
done
