"""Training and evaluating the entity tagger and building its data files from the team kit.
Development only: not in the Lambda layer."""
