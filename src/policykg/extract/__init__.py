"""Draft annotations from a policy text (rules in data/mappings/extract-rules.yaml)."""
