"""Sample-quality metrics; each takes tensors (features from an injected extractor), never model classes.

API: `m.update(real=..., fake=...)`, `m.compute() -> MetricResult`, `m.reset()`; or the one-call
functions (`fid`, `kid`, `prdc`, `c2st`, `inception_score`, `memorisation`). scikit-learn and
safetensors are imported only when a function needs them.
"""

from gankit.metrics.base import Metric, MetricError, MetricResult
from gankit.metrics.c2st import C2ST, c2st
from gankit.metrics.features import (
    DomainClassifier,
    FeatureExtractor,
    InceptionV3Features,
    extract_features,
    extractor_provenance,
    load_domain_classifier,
    load_extractor,
    load_inception,
)
from gankit.metrics.fid import FID, fid, frechet_distance
from gankit.metrics.inception_score import InceptionScore, inception_score
from gankit.metrics.kid import KID, kid, polynomial_mmd2
from gankit.metrics.memorisation import Memorisation, memorisation
from gankit.metrics.modes import ModeCoverage, mode_coverage
from gankit.metrics.prdc import PRDC, compute_prdc, prdc

__all__ = [
    "C2ST", "FID", "KID", "PRDC", "DomainClassifier", "FeatureExtractor", "InceptionScore", "InceptionV3Features",
    "Memorisation", "Metric", "MetricError", "MetricResult", "ModeCoverage", "c2st", "compute_prdc",
    "extract_features", "extractor_provenance", "fid", "frechet_distance", "inception_score", "kid",
    "load_domain_classifier", "load_extractor", "load_inception", "memorisation", "mode_coverage",
    "polynomial_mmd2", "prdc",
]
