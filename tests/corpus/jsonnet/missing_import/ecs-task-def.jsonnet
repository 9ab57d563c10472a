local lib = import 'lib.libsonnet';
{
  "family": lib.family,
  "networkMode": "awsvpc",
  "requiresCompatibilities": ["FARGATE"],
  "cpu": "256",
  "memory": "512",
  "containerDefinitions": [
    {
      "name": "app",
      "image": "nginx:1.27",
      "portMappings": [{ "name": "http", "containerPort": 80 }]
    }
  ]
}
