"""Operations: one per command (plan, status, tasks, revisions, run, exec, wait, init,
verify, delete, scale...). They take a Session (ops/session.py) and plain options, read
through planner/aws, and return data for a view; no printing, no prompts."""
