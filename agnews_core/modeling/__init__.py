"""Models and what they compute: loading, training, batch prediction, metrics, TF-IDF recipes, baselines."""
