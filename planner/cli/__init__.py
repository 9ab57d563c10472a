"""Click commands. Thin: parse options, call the core, pick a renderer, set the exit code."""
