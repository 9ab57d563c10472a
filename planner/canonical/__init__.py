"""Canonical forms of task and service definitions: pure functions, no I/O, no boto3."""
