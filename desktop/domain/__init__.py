"""Plain data and rules shared by every layer: no Qt, no SQL, no onnxruntime."""
