"""One run machine for analysis and training: a run row, a worker process, typed messages."""
