"""The gankit command line."""
