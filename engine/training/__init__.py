"""Training: synthetic homes, small numpy models, and background training runs."""
