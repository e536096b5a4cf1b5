"""AG News Lab core: data, models, training, sweeps, evaluation, artifacts and jobs (no UI code).

Importing this package is cheap: torch and transformers load only when a function needs them.
"""
