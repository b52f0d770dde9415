"""Captions as network input: the in-house word vocabulary, the pretrained MiniLM sentence encoder, and a per-dataset embedding cache."""
