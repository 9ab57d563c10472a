"""Plans: the data (model.py, its file codec, secrets placeholders) and the planners that
turn desired + live into ordered steps (compose.py and one unit per concern). Pure: no I/O."""
