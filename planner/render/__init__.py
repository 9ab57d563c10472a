"""Plan -> terminal text, Markdown (PR comments) and JSON, with secrets masked in all."""
