#!/bin/bash
# The "Deploy to ECS" step of the guide's GitHub Actions workflow (its `run: |` block).
set -e
for service in services/*/; do
  echo "Deploying $service..."
  ecsplan deploy --config $service/ecspresso.yml
  ecsplan wait --config $service/ecspresso.yml
done
