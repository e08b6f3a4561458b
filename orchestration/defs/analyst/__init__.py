"""The analyst copy of the warehouse: the marts in their own read-only file, published after each run."""
