"""The targeting models: candidates trained on the marts, a blocking promotion gate, the active models' scores."""
