"""Metrics against reference implementations (torchmetrics, prdc, direct formulas) on injected features,
plus invariants, a degradation ranking with the shipped digits classifier, and bad-input messages."""

import hashlib
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gankit.metrics import (
    C2ST,
    FID,
    KID,
    PRDC,
    FeatureExtractor,
    InceptionV3Features,
    MetricError,
    c2st,
    compute_prdc,
    extract_features,
    extractor_provenance,
    fid,
    frechet_distance,
    inception_score,
    kid,
    load_domain_classifier,
    load_extractor,
    load_inception,
    memorisation,
    polynomial_mmd2,
    prdc,
)
from gankit.metrics import features as features_module
from gankit.metrics.fid import feature_statistics


@pytest.fixture(scope="module")
def feats():
    """Real and fake float64 features (500×16) with different means and covariances."""
    g = torch.Generator().manual_seed(0)
    real = torch.randn(500, 16, generator=g, dtype=torch.float64)
    mix = torch.eye(16, dtype=torch.float64) + 0.3 * torch.randn(16, 16, generator=g, dtype=torch.float64)
    fake = torch.randn(500, 16, generator=g, dtype=torch.float64) @ mix + 0.4
    return real, fake


class Identity(nn.Module):
    """A 'feature extractor' for torchmetrics that returns its input: the features are injected."""

    num_features = 16

    def forward(self, x):
        return x


# ---------------------------------------------------------------- against references

def test_fid_matches_torchmetrics(feats):
    from torchmetrics.image.fid import FrechetInceptionDistance

    real, fake = feats
    ref = FrechetInceptionDistance(feature=Identity())
    ref.update(real, real=True)
    ref.update(fake, real=False)
    expected = float(ref.compute())
    ours = fid(real, fake)
    assert expected > 1.0  # the sets differ, so the comparison is not trivially 0 == 0
    assert ours.value == pytest.approx(expected, rel=1e-4)
    assert (ours.n_real, ours.n_fake) == (500, 500)


def test_frechet_distance_matches_scipy_sqrtm(feats):
    from scipy import linalg

    mu1, s1 = (t.numpy() for t in feature_statistics(feats[0]))
    mu2, s2 = (t.numpy() for t in feature_statistics(feats[1]))
    covmean = linalg.sqrtm(s1 @ s2).real
    expected = float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean))
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-8)


def test_fid_of_identical_sets_is_zero(feats):
    assert abs(fid(feats[0], feats[0]).value) < 1e-6
    assert abs(fid(feats[1], feats[1].clone()).value) < 1e-6


def test_fid_streams_batches_like_one_call(feats):
    real, fake = feats
    m = FID(provenance={"extractor": "identity", "reference": "synthetic"})
    for i in range(0, 500, 128):
        m.update(real=real[i:i + 128], fake=fake[i:i + 128])
    r = m.compute()
    assert r.value == pytest.approx(fid(real, fake).value, rel=1e-10)
    assert r.provenance["reference"] == "synthetic"
    assert json.loads(json.dumps(r.as_dict()))["value"] == pytest.approx(r.value)
    m.reset()
    with pytest.raises(MetricError, match="at least 2"):
        m.compute()


def _mmd2_direct(x, y):
    """Unbiased MMD² (Gretton et al. 2012, eq. 3) with k = (x·y/d + 1)^3, written out with numpy."""
    x, y = x.numpy(), y.numpy()
    d, m, n = x.shape[1], len(x), len(y)
    kxx, kyy, kxy = ((a @ b.T / d + 1) ** 3 for a, b in ((x, x), (y, y), (x, y)))
    return ((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
            - 2 * kxy.mean())


@pytest.mark.filterwarnings("ignore:Metric `Kernel Inception Distance` will save")
def test_kid_matches_torchmetrics_on_full_sets(feats):
    from torchmetrics.image.kid import KernelInceptionDistance

    real, fake = feats
    ref = KernelInceptionDistance(feature=Identity(), subsets=1, subset_size=500)
    ref.update(real, real=True)
    ref.update(fake, real=False)
    expected = float(ref.compute()[0])
    ours = kid(real, fake, subsets=1, subset_size=500)
    assert expected > 0.05
    assert ours.value == pytest.approx(expected, rel=1e-4)
    assert ours.std is None and ours.extras["subset_size_used"] == 500


def test_mmd_matches_direct_formula_with_unequal_sizes(feats):
    real, fake = feats[0][:300], feats[1][:170]
    assert polynomial_mmd2(real, fake) == pytest.approx(_mmd2_direct(real, fake), rel=1e-10)


def test_kid_subsets_are_seeded_and_average_subset_mmds(feats):
    real, fake = feats
    a, b = kid(real, fake, subsets=5, subset_size=100, seed=3), kid(real, fake, subsets=5, subset_size=100, seed=3)
    assert a.value == b.value and a.std == b.std and a.std > 0
    assert a.value != kid(real, fake, subsets=5, subset_size=100, seed=4).value
    g = torch.Generator().manual_seed(3)
    manual = []
    for _ in range(5):
        r = real[torch.randperm(500, generator=g)[:100]]
        f = fake[torch.randperm(500, generator=g)[:100]]
        manual.append(_mmd2_direct(r, f))
    assert a.value == pytest.approx(np.mean(manual), rel=1e-10)
    assert a.provenance["seed"] == 3


def test_prdc_matches_reference_package(feats, capsys):
    from prdc import compute_prdc as reference

    real, fake = feats
    for k in (3, 5):
        expected = reference(real.numpy(), fake.numpy(), nearest_k=k)
        ours = compute_prdc(real, fake, k=k)
        for name in ("precision", "recall", "density", "coverage"):
            assert ours[name] == pytest.approx(float(expected[name]), rel=1e-4, abs=1e-12), (name, k)
    assert 0 < ours["precision"] < 1 and 0 < ours["coverage"] < 1  # non-degenerate check


def test_prdc_metric_results(feats):
    real, fake = feats
    results = prdc(real, fake, k=5)
    direct = compute_prdc(real, fake, k=5)
    assert {n: r.value for n, r in results.items()} == direct
    m = PRDC(k=5, score="coverage")
    m.update(real=real, fake=fake)
    r = m.compute()
    assert r.name == "coverage" and r.value == direct["coverage"] and r.extras["density"] == direct["density"]
    same = prdc(real, real, k=5)
    assert same["precision"].value == 1.0 and same["recall"].value == 1.0 and same["coverage"].value == 1.0


# ---------------------------------------------------------------- two-sample test

def test_c2st_same_distribution_is_chance():
    g = torch.Generator().manual_seed(1)
    a, b = torch.randn(400, 16, generator=g), torch.randn(400, 16, generator=g)
    r = c2st(a, b, seed=0)
    assert r.ci[0] <= 0.5 <= r.ci[1]
    assert r.extras["p_value"] > 0.05
    assert r.extras["n_test"] == 400 and r.extras["n_train"] == 400


def test_c2st_separates_different_distributions():
    g = torch.Generator().manual_seed(2)
    a, b = torch.randn(400, 16, generator=g), torch.randn(400, 16, generator=g) + 1.0
    for classifier in ("logistic", "mlp"):
        m = C2ST(classifier=classifier, seed=0)
        m.update(real=a, fake=b)
        r = m.compute()
        assert r.value > 0.9, classifier
        assert r.ci[0] > 0.5 and r.extras["p_value"] < 1e-6


def test_c2st_binomial_p_value_and_wilson_interval():
    from scipy import stats

    from gankit.metrics.base import wilson_interval
    from gankit.metrics.c2st import binomial_sf

    for k, n in ((60, 100), (50, 100), (530, 1000)):
        assert binomial_sf(k, n) == pytest.approx(stats.binom.sf(k - 1, n, 0.5), rel=1e-9)
    lo, hi = wilson_interval(60, 100)
    # Wilson 95% interval for 60/100, from the closed form (p + z²/2n ± z√(p(1-p)/n + z²/4n²)) / (1 + z²/n)
    assert (lo, hi) == pytest.approx((0.502002, 0.690599), abs=1e-6)


# ---------------------------------------------------------------- inception score

def test_inception_score_bounds():
    c = 10
    onehot = F.one_hot(torch.arange(1000) % c, c).double()
    r = inception_score(onehot, splits=10, from_logits=False)
    assert r.value == pytest.approx(c, rel=1e-12) and r.std == pytest.approx(0, abs=1e-12)
    assert inception_score(onehot * 60.0, splits=10).value == pytest.approx(c, rel=1e-6)  # near-one-hot logits
    same = torch.softmax(torch.randn(1, c), 1).repeat(200, 1)
    assert inception_score(same, splits=4, from_logits=False).value == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(MetricError, match="sum"):
        inception_score(torch.rand(20, c), splits=2, from_logits=False)
    with pytest.raises(MetricError, match="at least 10 fake"):
        inception_score(onehot[:5], splits=10)


# ---------------------------------------------------------------- memorisation

def test_memorisation_flags_copies_not_fresh_samples():
    g = torch.Generator().manual_seed(5)
    train = torch.randn(1000, 32, generator=g)
    copies = train[:30] + 1e-3 * torch.randn(30, 32, generator=g)
    fresh = torch.randn(70, 32, generator=g)
    r = memorisation(torch.cat([copies, fresh]), train)
    assert r.extras["near_copy_indices"] == list(range(30))
    assert r.value == pytest.approx(0.3)
    assert r.extras["train_baseline_fraction"] == 0.0
    assert {c["train_index"] for c in r.extras["closest"]} <= set(range(30))
    assert memorisation(fresh, train).value == 0.0


def test_memorisation_on_pixels():
    from gankit.data.digits import load_digits

    x = load_digits().x  # uint8 N×1×8×8, flattened to pixels by the metric
    r = memorisation(torch.cat([x[:20], x[1500:1600]]), x[:1400])
    assert r.extras["near_copy_indices"] == list(range(20))


# ---------------------------------------------------------------- shipped domain classifiers

def _digits_split():
    from gankit.data.digits import load_digits

    d = load_digits(size=28)
    perm = torch.randperm(len(d), generator=torch.Generator().manual_seed(0))  # the training script's split
    return d.x[perm[359:]], d.x[perm[:359]], d.y[perm[:359]]


def _blur(x, sigma):
    r = int(3 * sigma)
    t = torch.arange(-r, r + 1, dtype=torch.float32)
    k = torch.exp(-t ** 2 / (2 * sigma ** 2))
    k = k / k.sum()
    y = F.conv2d(F.pad(x.float(), (r, r, 0, 0), mode="replicate"), k.view(1, 1, 1, -1))
    y = F.conv2d(F.pad(y, (0, 0, r, r), mode="replicate"), k.view(1, 1, -1, 1))
    return y.round().clamp(0, 255).to(torch.uint8)


def test_degradations_rank_in_order_with_domain_features():
    model = load_domain_classifier("digits")
    train, test, _ = _digits_split()
    ref = extract_features(model, train)
    noise = (test.float() + 80 * torch.randn(test.shape, generator=torch.Generator().manual_seed(1)))
    variants = [test, _blur(test, 1.0), _blur(test, 3.0), noise.round().clamp(0, 255).to(torch.uint8)]
    scores = [fid(ref, extract_features(model, v), provenance=extractor_provenance(model)) for v in variants]
    values = [s.value for s in scores]
    assert values == sorted(values) and len(set(values)) == 4, values
    assert scores[0].provenance["weights_hash"] == model.weights_hash


@pytest.mark.parametrize("name", ["fashion-mnist", "digits"])
def test_shipped_classifier_record(name):
    path = features_module.domain_weights_path(name)
    info = json.loads(path.with_suffix(".json").read_text())
    assert info["test_accuracy"] >= 0.90
    assert hashlib.sha256(path.read_bytes()).hexdigest() == info["sha256"]
    assert path.stat().st_size < 2_000_000
    a, b = load_domain_classifier(name), load_domain_classifier(name)
    assert a.weights_hash == b.weights_hash == info["weights_hash"]


def test_domain_classifier_inputs():
    model = load_domain_classifier("digits")
    _, test, labels = _digits_split()
    assert float((model.logits(test).argmax(1) == labels).float().mean()) == pytest.approx(
        model.info["test_accuracy"], abs=1e-6)  # the held-out accuracy recorded at training time
    assert isinstance(model, FeatureExtractor) and "28×28" in model.resize_rule
    x = test[:50]
    f_uint8 = model(x)
    f_float = model(x.float() / 127.5 - 1.0)  # model space [-1, 1] reads the same as uint8
    assert f_uint8.shape == (50, 128)
    torch.testing.assert_close(f_uint8, f_float, rtol=1e-4, atol=1e-4)
    assert model(x.repeat(1, 3, 1, 1)).shape == (50, 128)  # gray as RGB
    from gankit.data.digits import load_digits

    d8 = load_digits()
    logits = model.logits(d8.x[:200])  # native 8×8, upscaled inside
    assert float((logits.argmax(1) == d8.y[:200]).float().mean()) > 0.9


# ---------------------------------------------------------------- Inception-v3

def test_inception_random_weights_shape_and_state_dict_names(tmp_path):
    torch.manual_seed(0)
    net = InceptionV3Features().eval()
    with torch.no_grad():
        out = net(torch.randint(0, 256, (2, 1, 28, 28), dtype=torch.uint8))
    assert out.shape == (2, 2048) and bool(torch.isfinite(out).all())
    assert isinstance(net, FeatureExtractor) and "299" in net.resize_rule
    keys = set(net.state_dict())
    for key in ("Conv2d_1a_3x3.conv.weight", "Conv2d_4a_3x3.bn.running_var", "Mixed_5b.branch_pool.conv.weight",
                "Mixed_6e.branch7x7dbl_5.bn.bias", "Mixed_7a.branch7x7x3_4.conv.weight",
                "Mixed_7c.branch3x3dbl_3b.bn.running_mean", "fc.weight"):
        assert key in keys
    state = {k: v for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}
    path = tmp_path / "inception.pth"
    torch.save(state, path)
    assert load_inception(path).weights_hash == net.weights_hash


# ---------------------------------------------------------------- bad input

def test_too_few_samples_name_the_minimum(feats):
    real, fake = feats
    with pytest.raises(MetricError, match="FID|fid") as e:
        fid(real[:1], fake)
    assert "at least 2 real" in str(e.value) and "got 1" in str(e.value)
    with pytest.raises(MetricError, match="at least 6 fake"):
        prdc(real, fake[:5], k=5)
    with pytest.raises(MetricError, match="at least 2 fake"):
        kid(real, fake[:1])
    with pytest.raises(MetricError, match="at least 4 real"):
        c2st(real[:3], fake)


def test_feature_dimension_mismatch(feats):
    real, fake = feats
    with pytest.raises(MetricError, match="fake batch has feature dimension 8 but earlier batches have dimension 16"):
        fid(real, fake[:, :8])
    m = KID()
    m.update(real=real)
    with pytest.raises(MetricError, match="8.*16"):
        m.update(fake=fake[:, :8])
    with pytest.raises(MetricError, match="N×D"):
        FID().update(real=torch.zeros(4, 1, 8, 8))


def test_missing_weights_messages(tmp_path, monkeypatch):
    monkeypatch.setattr(features_module, "WEIGHTS_DIR", tmp_path)
    with pytest.raises(MetricError) as e:
        load_domain_classifier("digits")
    assert "digits-classifier.safetensors" in str(e.value) and "scripts/train_domain_classifier.py" in str(e.value)
    monkeypatch.delenv("GANKIT_INCEPTION_WEIGHTS", raising=False)
    with pytest.raises(MetricError) as e:
        load_inception()
    assert "pt_inception-2015-12-05-6726825d.pth" in str(e.value) and "GANKIT_INCEPTION_WEIGHTS" in str(e.value)
    monkeypatch.setenv("GANKIT_INCEPTION_WEIGHTS", str(tmp_path / "nope.pth"))
    with pytest.raises(MetricError, match="nope.pth does not exist"):
        load_inception()


def test_unknown_names():
    with pytest.raises(MetricError, match="unknown feature extractor 'cifar10'.*fashion-mnist"):
        load_extractor("cifar10")
    with pytest.raises(MetricError, match="unknown domain classifier"):
        load_domain_classifier("mnist")
    with pytest.raises(MetricError, match="logistic"):
        C2ST(classifier="svm")


def test_importing_metrics_stays_light():
    import subprocess
    import sys

    code = "import sys, gankit.metrics; print(sorted(m for m in ('sklearn', 'scipy', 'safetensors') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr
