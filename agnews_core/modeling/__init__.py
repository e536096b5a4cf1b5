"""Models and what they compute: loading, training, batch prediction, metrics, baselines."""
