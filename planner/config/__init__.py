"""Config loading: ecspresso.yml, templates, definitions, and validation."""
