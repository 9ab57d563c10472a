"""`make demo`: placeholder until validate/render exist."""

print("ecsplan demo: nothing to show yet")
