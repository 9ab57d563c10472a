"""Many services: loading the set, dependency order, bounded parallel plan and apply."""
