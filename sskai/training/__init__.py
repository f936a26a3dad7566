"""Training: the Ray Train loop, its objectives and its checkpoints."""
