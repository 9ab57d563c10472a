"""ecsplan: Terraform-like plan/apply for Amazon ECS, reading ecspresso configs."""

__version__ = "0.1.0"
