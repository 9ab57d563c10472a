"""Executor: runs plan steps through the journal, waits for rollouts, resumes, rolls back."""
