#!/bin/bash
# scripts/deploy-with-dependencies.sh
set -e

# データベースサービスを最初にデプロイ
echo "Deploying database service..."
ecsplan deploy --config services/database/ecspresso.yml
ecsplan wait --config services/database/ecspresso.yml

# APIサービスをデプロイ
echo "Deploying API service..."
ecsplan deploy --config services/api/ecspresso.yml
ecsplan wait --config services/api/ecspresso.yml

# フロントエンドサービスを最後にデプロイ
echo "Deploying frontend service..."
ecsplan deploy --config services/frontend/ecspresso.yml
ecsplan wait --config services/frontend/ecspresso.yml
