#!/bin/bash
# scripts/deploy-parallel.sh
set -e

# 並列デプロイ
for service in services/*/; do
  (
    echo "Deploying $service..."
    ecsplan deploy --config $service/ecspresso.yml
    ecsplan wait --config $service/ecspresso.yml
  ) &
done

# すべてのバックグラウンドプロセスが完了するのを待つ
wait
