local tfstate = std.native('tfstate');
local must_env = std.native('must_env');
local env = std.native('env');
{
  containerDefinitions: [
    {
      cpu: 1024,
      essential: true,
      image: tfstate("aws_ecr_repository.all['app'].repository_url") + ':' + must_env('TAG'),
      memory: 1024,
      name: 'app',
      environment: [
        {
          name: 'JSON',
          value: env('JSON', ''),
        },
      ],
      portMappings: [
        {
          containerPort: 80,
          hostPort: 80,
          protocol: 'tcp',
        },
      ],
    },
  ],
  family: 'app',
  requiresCompatibilities: [
    'EC2',
  ],
}
