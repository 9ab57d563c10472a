"""The only package that imports boto3: clients, retries, pagination, batched reads."""
