"""Captioned image datasets for text-to-image games: procedural shapes and caption helpers."""
