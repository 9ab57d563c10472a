#!/bin/bash
# scripts/deploy-all.sh
set -e

for service in services/*/; do
  echo "Deploying $service..."
  ecsplan deploy --config $service/ecspresso.yml
done
