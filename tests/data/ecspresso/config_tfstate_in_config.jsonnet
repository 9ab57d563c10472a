// Config-level fields resolved with the tfstate plugin: only `plugins` is evaluated
// first (the other fields are lazy), then the file again with std.native('tfstate').
local must_env = std.native('must_env');
local tfstate = std.native('tfstate');

{
  region: must_env('AWS_REGION'),
  cluster: tfstate('aws_ecs_cluster.main.name'),
  service: 'test',
  service_definition: 'ecs-service-def.jsonnet',
  task_definition: 'ecs-task-def.jsonnet',
  timeout: '10m0s',
  plugins: [
    {
      name: 'tfstate',
      config: {
        path: 'terraform.tfstate',
      },
    },
  ],
}
