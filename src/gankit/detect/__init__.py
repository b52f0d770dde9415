"""Deepfake detection: tell gankit's generated images from real ones, and read their provenance.

    det = train_detector(real, {"fashion-dcgan": fakes}, method="spectral", out="det/")
    p = load_detector("det/").score(images)          # the calibrated probability of being generated

Two detectors (`gankit detect train --method`): CNNDetection's recipe scaled to the data (Wang et
al. 2020), and the azimuthal power spectrum with logistic regression (Durall et al. 2020).
"""

from gankit.detect.detector import Detector, load_detector
from gankit.detect.evaluation import evaluate_detector, format_detection_card
from gankit.detect.inputs import Images, read_images
from gankit.detect.training import train_detector

__all__ = ["Detector", "Images", "evaluate_detector", "format_detection_card", "load_detector", "read_images",
           "train_detector"]
