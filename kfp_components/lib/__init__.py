"""Plain, importable training and evaluation logic behind the kfp components."""
