"""Settings and their validation: sweep fields, the sweep config, learning-rate search, precision, Ray addresses."""
