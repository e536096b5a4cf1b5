"""Answering one text: the live predictor, the TF-IDF demo, inference variants, attributions, warm-up."""
