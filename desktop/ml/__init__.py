"""Prediction with onnxruntime and numpy only (no Qt, no scikit-learn): see predictor.py."""
