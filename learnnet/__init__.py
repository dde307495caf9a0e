"""learnnet."""
