"""Samplers over G and D callables: plain draws, truncation, D's rejection, the Jacobian rule, the snapshot mixture."""
