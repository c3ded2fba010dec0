"""Style transfer and feature inversion: losses, optimisation, features, input."""

import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_sample_image  # noqa: E402
from sklearn.exceptions import SkipTestWarning  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator  # noqa: E402

from sklearn_lecture.neural import (  # noqa: E402
    FeatureInversion,
    RandomMultiscale,
    RandomVGG,
    StyleTransfer,
    VGGFeatures,
    content_loss,
    gram_matrix,
    style_layer_loss,
    style_loss,
    total_variation,
    vgg_weights_path,
)
from sklearn_lecture.utils import all_estimators  # noqa: E402
from sklearn_lecture.utils._compat import InvalidParameterError  # noqa: E402

# Small images keep every optimisation below a second or two on one core.
SHALLOW = ["relu1_1", "relu2_1"]  # receptive field 10 px


@pytest.fixture(scope="module")
def content():
    return load_sample_image("china.jpg")[::10, ::10][:40, :56]  # 40 x 56, uint8


@pytest.fixture(scope="module")
def style():
    return load_sample_image("flower.jpg")[::10, ::10][:40, :56]


def _psnr(a, b):
    """Peak signal-to-noise ratio of two uint8 images, in dB."""
    mse = np.mean((a.astype(float) / 255 - b.astype(float) / 255) ** 2)
    return 10 * np.log10(1.0 / mse)


def _grams(module, image, layers):
    x = torch.from_numpy(image / 255.0).float().permute(2, 0, 1)[None]
    with torch.no_grad():
        feats = module.forward_layers(x, layers)
    return {k: gram_matrix(v)[0].numpy().astype(float) for k, v in feats.items()}


# -- the losses against hand-written numpy ------------------------------------------


def test_gram_matrix_against_numpy():
    rng = np.random.RandomState(0)
    f = rng.randn(2, 4, 3, 5)
    expected = np.zeros((2, 4, 4))
    for n in range(2):
        for i in range(4):
            for j in range(4):
                expected[n, i, j] = np.sum(f[n, i] * f[n, j])
    got = gram_matrix(torch.from_numpy(f), normalize=False).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    got = gram_matrix(torch.from_numpy(f)).numpy()
    np.testing.assert_allclose(got, expected / 15, rtol=1e-12)


def test_content_loss_against_numpy():
    rng = np.random.RandomState(1)
    f, p = rng.randn(3, 2, 4, 4), rng.randn(3, 2, 4, 4)
    expected = [0.5 * np.sum((f[n] - p[n]) ** 2) for n in range(3)]
    got = content_loss(torch.from_numpy(f), torch.from_numpy(p)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_style_layer_loss_is_gatys_formula():
    rng = np.random.RandomState(2)
    n_maps, h, w = 5, 4, 6
    x, s = rng.rand(1, n_maps, h, w), rng.rand(1, n_maps, h, w)
    fx, fs = x.reshape(n_maps, -1), s.reshape(n_maps, -1)
    g, a = fx @ fx.T, fs @ fs.T  # unnormalised Gram matrices
    m = h * w
    expected = np.sum((g - a) ** 2) / (4 * n_maps**2 * m**2)
    target = gram_matrix(torch.from_numpy(s))[0]
    got = style_layer_loss(torch.from_numpy(x), target).numpy()
    np.testing.assert_allclose(got, [expected], rtol=1e-12)


def test_style_loss_weights_layers():
    rng = np.random.RandomState(3)
    feats = [torch.from_numpy(rng.rand(2, c, 4, 4)) for c in (3, 6)]
    targets = [gram_matrix(torch.from_numpy(rng.rand(1, c, 5, 5)))[0] for c in (3, 6)]
    per_layer = [style_layer_loss(f, a).numpy() for f, a in zip(feats, targets)]
    np.testing.assert_allclose(
        style_loss(feats, targets).numpy(), (per_layer[0] + per_layer[1]) / 2
    )
    np.testing.assert_allclose(
        style_loss(feats, targets, weights=[0.2, 3.0]).numpy(),
        0.2 * per_layer[0] + 3.0 * per_layer[1],
    )


@pytest.mark.parametrize("beta", [2.0, 1.0])
def test_total_variation_against_numpy(beta):
    rng = np.random.RandomState(4)
    x = rng.rand(2, 3, 5, 6)
    expected = np.zeros(2)
    for n in range(2):
        for c in range(3):
            for i in range(4):
                for j in range(5):
                    dx = x[n, c, i, j + 1] - x[n, c, i, j]
                    dy = x[n, c, i + 1, j] - x[n, c, i, j]
                    squared = dx**2 + dy**2
                    expected[n] += squared if beta == 2 else (squared + 1e-8) ** 0.5
    got = total_variation(torch.from_numpy(x), beta=beta).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    assert total_variation(torch.ones(1, 3, 4, 4)).item() == 0


# -- the optimisation works ---------------------------------------------------------


def test_inversion_loss_falls_by_orders_of_magnitude(content):
    # A small TV weight, so that the regulariser's own floor stays low.
    inv = FeatureInversion("relu1_2", tv_weight=0.01, n_steps=60, random_state=0)
    inv.fit(content)
    inv.transform(content)
    history = inv.loss_history_
    assert set(history) == {"content", "style", "tv", "total"}
    # One entry per evaluation (L-BFGS stops at the end of the iteration that
    # spends the budget of 60), and one for the image returned.
    assert inv.n_iter_ <= 60 <= len(history["total"]) - 1 <= 60 + 25
    # Measured: content 0.84 -> 1.2e-5, total 0.84 -> 5.9e-4 (the TV floor).
    assert history["content"][-1] < 1e-3 * history["content"][0]
    assert history["total"][-1] < 1e-2 * history["total"][0]
    assert np.all(history["style"] == 0)


def test_style_only_loss_falls_and_matches_style_statistics(content, style):
    layers = ["relu1_1", "relu2_1", "relu3_1"]
    st = StyleTransfer(
        content_weight=0, style_layers=layers, content_layers="relu2_1",
        n_steps=80, random_state=0,
    ).fit(style)  # fmt: skip
    out = st.transform(content)
    history = st.loss_history_
    assert history["style"][-1] < 1e-2 * history["style"][0]
    # The output's Gram matrices approach the style's (relative error), far
    # closer than the content image's are.
    g_style = _grams(st.features_, style, layers)
    g_out = _grams(st.features_, out, layers)
    g_content = _grams(st.features_, content, layers)
    for layer in layers:
        scale = np.linalg.norm(g_style[layer])
        rel_out = np.linalg.norm(g_out[layer] - g_style[layer]) / scale
        rel_content = np.linalg.norm(g_content[layer] - g_style[layer]) / scale
        assert rel_out < 0.1, (layer, rel_out)
        assert rel_content > 1.0, (layer, rel_content)

    # ... and so do its colour statistics (per-channel mean and std).
    def colours(image):
        pixels = image.reshape(-1, 3) / 255.0
        return np.r_[pixels.mean(0), pixels.std(0)]

    gap_out = np.abs(colours(out) - colours(style)).max()
    gap_content = np.abs(colours(content) - colours(style)).max()
    assert gap_out < 0.05 < 0.3 < gap_content, (gap_out, gap_content)


def test_style_weight_zero_is_feature_inversion_of_the_content(content, style):
    # From noise, with no style term, the output is the content's inversion.
    st = StyleTransfer(
        style_weight=0, content_layers="relu1_2", style_layers=SHALLOW,
        tv_weight=0.01, init="noise", n_steps=60, random_state=0,
    ).fit(style)  # fmt: skip
    out = st.transform(content)
    assert st.loss_history_["content"][-1] < 1e-3 * st.loss_history_["content"][0]
    assert _psnr(out, content) > 35
    # From the content image it hardly moves (only the small TV term pulls).
    st.set_params(init="content").fit(style)
    assert _psnr(st.transform(content), content) > 35


def test_inversion_psnr_falls_with_depth(content):
    # The lecture's figure: shallow layers give the image back almost exactly,
    # each deeper layer less (measured on this 40 x 56 crop after 60 steps:
    # 41.4, 19.4 and 16.9 dB for relu1_1, relu2_1 and relu3_1).
    psnr = []
    for layer in ["relu1_1", "relu2_1", "relu3_1"]:
        inv = FeatureInversion(layer, n_steps=60, random_state=0)
        psnr.append(_psnr(inv.fit_transform(content), content))
    assert psnr[0] > 35
    assert psnr[0] > psnr[1] > psnr[2], psnr


def test_adam_optimizer_decreases_the_loss(content, style):
    st = StyleTransfer(
        style_layers=SHALLOW, content_layers="relu2_1", optimizer="adam", lr=0.02,
        n_steps=30, init="noise", random_state=0,
    ).fit(style)  # fmt: skip
    out = st.transform(content)
    assert st.n_iter_ == 30 and len(st.loss_history_["total"]) == 31
    assert st.loss_history_["total"][-1] < 0.5 * st.loss_history_["total"][0]
    assert out.dtype == np.uint8


def test_verbose_prints_progress(content, style, capsys):
    StyleTransfer(
        style_layers=SHALLOW, content_layers="relu2_1", n_steps=5, verbose=2,
        random_state=0,
    ).fit(style).transform(content)  # fmt: skip
    lines = [line for line in capsys.readouterr().out.splitlines() if "step" in line]
    assert len(lines) >= 2
    assert "[StyleTransfer] step    0: total" in lines[0] and "style" in lines[0]


# -- features -----------------------------------------------------------------------


def test_user_module_with_named_layers(content, style):
    module = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.Conv2d(8, 8, 3, padding=1),
        torch.nn.ReLU(),
    )
    before = [p.detach().clone() for p in module.parameters()]
    st = StyleTransfer(
        features=module, content_layers="3", style_layers=["1", "3"], n_steps=20,
        random_state=0,
    ).fit(style)  # fmt: skip
    out = st.transform(content)
    assert out.shape == content.shape
    assert st.loss_history_["total"][-1] < st.loss_history_["total"][0]
    assert all(torch.equal(a, b) for a, b in zip(before, module.parameters()))
    assert st.features_ is not module

    with pytest.raises(ValueError, match="Unknown layer.*'relu9'.*are 0, 1, 2, 3"):
        StyleTransfer(features=module, content_layers="relu9", style_layers="1").fit(
            style
        )
    with pytest.raises(ValueError, match="name its content_layers and style_layers"):
        StyleTransfer(features=module).fit(style)


def test_user_module_giving_nan_is_refused(style):
    class Broken(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 4, 3)
            torch.nn.init.constant_(self.conv.weight, float("nan"))

        def forward(self, x):
            return self.conv(x)

    with pytest.raises(ValueError, match="non-finite"):
        StyleTransfer(
            features=Broken(), content_layers="conv", style_layers="conv"
        ).fit(style)


def test_built_modules_keep_their_default_layers(content, style):
    st = StyleTransfer(features=RandomVGG(width=0.125, seed=3), n_steps=3)
    st.fit(load_sample_image("flower.jpg")[::4, ::4])
    assert st.style_layers_ == ("relu1_1", "relu2_1", "relu3_1", "relu4_1")
    assert st.features_.features[0].out_channels == 8


def test_random_multiscale_features(content, style):
    net = RandomMultiscale(kernel_sizes=(3, 7), n_filters=8, seed=0)
    assert net.receptive_field("relu") == 7
    st = StyleTransfer(features=net, n_steps=15, random_state=0).fit(style)
    st.transform(content)
    assert st.content_layers_ == st.style_layers_ == ("relu",)
    assert st.style_grams_["relu"].shape == (16, 16)
    assert st.loss_history_["total"][-1] < st.loss_history_["total"][0]
    with pytest.raises(ValueError, match="Unknown layer.*'relu2_1'.*are relu"):
        StyleTransfer(features=net, style_layers="relu2_1").fit(style)


def test_random_vgg_is_seeded_locally_and_normalised():
    state = torch.get_rng_state()
    a, b, c = RandomVGG(seed=1), RandomVGG(seed=1), RandomVGG(seed=2)
    assert torch.equal(torch.get_rng_state(), state)  # global generator untouched
    assert torch.equal(a.features[0].weight, b.features[0].weight)
    assert not torch.equal(a.features[0].weight, c.features[0].weight)
    # Per-layer normalisation: unit RMS activation on the seeded probe keeps the
    # magnitudes of deep layers from drifting.
    x = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    out = a.forward_layers(x, ["relu1_1", "relu3_1", "relu4_1"])
    rms = [float(v.square().mean().sqrt()) for v in out.values()]
    assert max(rms) / min(rms) < 3, rms


# torchvision's VGG ``features`` indices of the convolutions (vgg16: 13, vgg19: 16).
_TORCHVISION_CONVS = {
    "vgg16": [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28],
    "vgg19": [0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34],
}


@pytest.mark.parametrize("arch", ["vgg16", "vgg19"])
def test_vgg_state_dict_keys_are_torchvisions(arch):
    vgg = VGGFeatures(arch, width=0.0625)  # the keys do not depend on the width
    keys = {f"features.{k}" for k in vgg.state_dict() if k.startswith("features.")}
    expected = {
        f"features.features.{i}.{p}" for i in _TORCHVISION_CONVS[arch]
        for p in ("weight", "bias")
    }  # fmt: skip
    assert keys == expected
    assert vgg.layer_names[_TORCHVISION_CONVS[arch][-1]] == "conv5_" + (
        "3" if arch == "vgg16" else "4"
    )
    # Published receptive fields: VGG-16's conv5_3 sees 196 px, pool5 212 px.
    expected = {"vgg16": {"relu5_1": 132, "relu5_3": 196, "pool5": 212},
                "vgg19": {"relu5_1": 156, "relu5_4": 252, "pool5": 268}}  # fmt: skip
    for layer, field in expected[arch].items():
        assert vgg.receptive_field(layer) == field


@pytest.fixture
def hub_dir(tmp_path):
    previous = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path))
    yield tmp_path
    torch.hub.set_dir(previous)


@pytest.mark.parametrize("arch", ["vgg19", "vgg16"])
def test_pretrained_vgg_without_cached_weights_says_how_to_get_them(hub_dir, arch):
    digest = {"vgg19": "dcbb9e9d", "vgg16": "397923af"}[arch]
    path = hub_dir / "checkpoints" / f"{arch}-{digest}.pth"
    assert vgg_weights_path(arch) == path
    with pytest.raises(FileNotFoundError) as info:
        StyleTransfer(features=arch).fit(np.zeros((200, 200, 3), np.uint8))
    message = str(info.value)
    assert str(path) in message
    assert f"torchvision.models.{arch}(weights='IMAGENET1K_V1')" in message
    assert f"https://download.pytorch.org/models/{path.name}" in message


def test_pretrained_vgg_loads_torchvision_checkpoint_from_the_cache(hub_dir):
    # A file laid out as torchvision's vgg16 state dict (values made up, no
    # network): features.* and classifier.* keys.
    reference = VGGFeatures("vgg16")
    generator = torch.Generator().manual_seed(0)
    state = {
        f"features.{k}": torch.randn(v.shape, generator=generator)
        for k, v in reference.features.state_dict().items()
    }
    state["classifier.0.weight"] = torch.zeros(4, 2)
    (hub_dir / "checkpoints").mkdir()
    torch.save(state, hub_dir / "checkpoints" / "vgg16-397923af.pth")
    vgg = VGGFeatures.pretrained("vgg16", pooling="avg")
    assert torch.equal(vgg.features[28].weight, state["features.28.weight"])
    assert not any(p.requires_grad for p in vgg.parameters())
    st = StyleTransfer(features="vgg16", style_layers="relu1_1",
                       content_layers="relu1_2", n_steps=2).fit(np.zeros((8, 8)))
    assert torch.equal(st.features_.features[0].bias, state["features.0.bias"])

    torch.save({"features.0.weight": torch.zeros(3)}, hub_dir / "wrong.pth")
    with pytest.raises(ValueError, match="does not hold torchvision's vgg16"):
        VGGFeatures.pretrained("vgg16", path=hub_dir / "wrong.pth")


# -- determinism, estimator API -----------------------------------------------------


def test_seeded_runs_are_bit_identical(content, style):
    def run(seed):
        st = StyleTransfer(
            style_layers=SHALLOW, content_layers="relu2_1", init="noise", n_steps=15,
            random_state=seed,
        ).fit(style)  # fmt: skip
        return st.transform(content), st.loss_history_["total"]

    state = torch.get_rng_state()
    (a, ha), (b, hb), (c, _) = run(0), run(0), run(1)
    assert np.array_equal(a, b) and np.array_equal(ha, hb)
    assert not np.array_equal(a, c)
    assert torch.equal(torch.get_rng_state(), state)


def test_clone_params_and_pickle(content, style):
    module = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU())
    for est in [
        StyleTransfer(style_weight=3.0, style_layers=SHALLOW, random_state=0),
        StyleTransfer(features=module, content_layers="1", style_layers="1"),
        FeatureInversion("relu2_1", tv_weight=0.1),
    ]:
        twin = clone(est)
        assert twin.get_params().keys() == est.get_params().keys()
        assert all(
            twin.get_params()[k] is v or twin.get_params()[k] == v
            for k, v in est.get_params().items()
            if not isinstance(v, torch.nn.Module)
        )
        twin.set_params(n_steps=7)
        assert twin.n_steps == 7 and est.n_steps == 200
        assert pickle.loads(pickle.dumps(est)).get_params().keys() == (
            est.get_params().keys()
        )
    st = StyleTransfer(
        style_layers=SHALLOW, content_layers="relu2_1", n_steps=8, random_state=0
    ).fit(style)
    restored = pickle.loads(pickle.dumps(st))
    assert np.array_equal(restored.transform(content), st.transform(content))


def test_parameters_are_validated(style):
    with pytest.raises(InvalidParameterError):
        StyleTransfer(n_steps=0).fit(style)
    with pytest.raises(InvalidParameterError):
        StyleTransfer(features="alexnet").fit(style)
    with pytest.raises(InvalidParameterError):
        FeatureInversion(optimizer="sgd").fit()
    with pytest.raises(ValueError, match="device='gpu0' is not a torch device"):
        StyleTransfer(device="gpu0").fit(style)
    with pytest.raises(ValueError, match="Unknown layer.*'relu9_9'"):
        StyleTransfer(style_layers="relu9_9").fit(style)


def test_image_estimators_are_left_out_of_the_table_checks():
    # scikit-learn's own rule: an estimator whose input tag says it takes no
    # 2-D array is skipped by check_estimator; all_estimators reads the same tag.
    tabular = {name for name, _ in all_estimators()}
    every = {name for name, _ in all_estimators(include_non_tabular=True)}
    assert {"StyleTransfer", "FeatureInversion"} <= every - tabular
    assert "PCA" in tabular
    for estimator in [StyleTransfer(), FeatureInversion()]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results = check_estimator(estimator)
        assert any(issubclass(w.category, SkipTestWarning) for w in caught)
        assert [r["status"] for r in results] == ["passed"]  # cloneable


# -- images in and out ---------------------------------------------------------------


def test_dtypes_and_shapes_round_trip(content, style):
    st = StyleTransfer(
        style_layers=SHALLOW, content_layers="relu2_1", n_steps=3, random_state=0
    ).fit(style)
    as_float = content.astype(np.float32) / 255
    out = st.transform(as_float)
    assert out.dtype == np.float32 and out.shape == content.shape
    assert 0 <= out.min() and out.max() <= 1
    assert st.transform(as_float.astype(np.float64)).dtype == np.float64
    batch = st.transform(np.stack([content, content[:, ::-1]]))
    assert batch.shape == (2, *content.shape) and batch.dtype == np.uint8
    resized = clone(st).set_params(image_size=28).fit(style).transform(content)
    assert resized.shape == (20, 28, 3)


def test_several_style_images_average_their_grams(style):
    other = load_sample_image("china.jpg")[::6, ::6][:50, :70]  # another size
    kw = dict(style_layers=SHALLOW, content_layers="relu2_1", random_state=0)
    both = StyleTransfer(**kw).fit([style, other])
    one, two = StyleTransfer(**kw).fit(style), StyleTransfer(**kw).fit(other)
    for layer in SHALLOW:
        np.testing.assert_allclose(
            both.style_grams_[layer],
            (one.style_grams_[layer] + two.style_grams_[layer]) / 2,
            rtol=1e-5,
        )


def test_grey_images_are_converted(content, style):
    st = StyleTransfer(
        style_layers=SHALLOW, content_layers="relu2_1", n_steps=3, random_state=0
    )
    grey = content.mean(axis=2).astype(np.uint8)
    st.fit(grey)
    np.testing.assert_allclose(
        st.style_grams_["relu1_1"],
        clone(st).fit(np.repeat(grey[:, :, None], 3, axis=2)).style_grams_["relu1_1"],
    )
    assert st.transform(grey).shape == (*grey.shape, 3)
    assert st.transform(grey[:, :, None]).shape == (*grey.shape, 3)


def _pointwise_module():
    """A 1x1 convolution: receptive field of one pixel, any image size goes."""
    return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 1), torch.nn.ReLU())


def test_nested_list_is_one_image_as_an_array_is():
    # image.tolist() holds one RGB image, not H grey images of W x 3 pixels.
    image = np.random.RandomState(0).rand(16, 12, 3).astype(np.float32)
    kw = dict(features=_pointwise_module(), content_layers="1", style_layers="1")
    expected = StyleTransfer(**kw).fit(image).style_grams_["1"]
    for as_list in (image.tolist(), np.stack([image, image]).tolist()):
        grams = StyleTransfer(**kw).fit(as_list).style_grams_["1"]
        np.testing.assert_allclose(grams, expected, rtol=1e-6)
    # A list of arrays, or a ragged nested list, is several images.
    small = image[:10, :8]
    both = StyleTransfer(**kw).fit([image, small]).style_grams_["1"]
    mean = (expected + StyleTransfer(**kw).fit(small).style_grams_["1"]) / 2
    np.testing.assert_allclose(both, mean, rtol=1e-6)
    ragged = StyleTransfer(**kw).fit([image.tolist(), small.tolist()])
    np.testing.assert_allclose(ragged.style_grams_["1"], mean, rtol=1e-6)
    with pytest.raises(ValueError, match="empty list"):
        StyleTransfer(**kw).fit([])


@pytest.mark.parametrize("optimizer", ["lbfgs", "adam"])
@pytest.mark.parametrize("shape", [(1, 6, 3), (6, 1, 3), (1, 1, 3)])
def test_images_of_one_row_or_column_are_refused(optimizer, shape):
    # The total variation is a mean over the pixels with both neighbours: none.
    image = np.random.RandomState(0).rand(6, 6, 3).astype(np.float32)
    thin = image[: shape[0], : shape[1]]
    module = _pointwise_module()
    st = StyleTransfer(
        features=module, content_layers="1", style_layers="1", n_steps=3,
        optimizer=optimizer, random_state=0,
    )  # fmt: skip
    # A style image only gives its Gram matrices: a thin one is fine.
    st.fit(thin)
    assert np.isfinite(st.style_grams_["1"]).all()
    st.fit(image)
    with pytest.raises(ValueError, match=r"of \d+x\d+ pixels is too small.*2 pixels"):
        st.transform(thin)
    inversion = FeatureInversion(
        "1", features=module, n_steps=3, optimizer=optimizer, random_state=0
    )
    with pytest.raises(ValueError, match="too small.*2 pixels"):
        inversion.fit_transform(thin)
    with pytest.raises(ValueError, match="too small.*image_size"):
        clone(inversion).set_params(image_size=2).fit(image[:, :2])
    # Two pixels a side are enough, and every loss is finite.
    for estimator in (st, inversion):
        out = estimator.fit_transform(image[:2, :2])
        assert out.shape == (2, 2, 3)
        assert all(np.isfinite(v).all() for v in estimator.loss_history_.values())


def test_image_size_below_two_is_refused(style):
    with pytest.raises(InvalidParameterError, match="'image_size' parameter"):
        StyleTransfer(image_size=1).fit(style)


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.zeros((40, 40, 2), np.uint8), "3 colour channels.*got 2"),
        (np.zeros((40, 40, 4), np.uint8), r"got 4.*image\[..., :3\]"),
        (np.full((40, 40, 3), np.nan), "NaN"),
        (np.full((40, 40, 3), 2.0), r"values in \[0, 1\]"),
        (np.zeros((40, 40, 3), np.int16), "uint8.*int16"),
        (np.zeros((1, 1, 40, 40, 3), np.uint8), "shape"),
        (np.zeros((0, 40, 3), np.uint8), "empty"),
    ],
)
def test_bad_images_are_refused_clearly(style, bad, match):
    st = StyleTransfer(style_layers=SHALLOW, content_layers="relu2_1", n_steps=2)
    with pytest.raises(ValueError, match=match):
        st.fit(bad)
    st.fit(style)
    with pytest.raises(ValueError, match=match):
        st.transform(bad)


def test_image_smaller_than_the_receptive_field_is_a_warning(style):
    # relu4_1 of the VGG stack sees 68 x 68 pixels; a 40 x 56 image leaves it a
    # 5 x 7 map, which is computed (before: refused under 68 x 68 pixels).
    with pytest.warns(UserWarning, match="smaller than the receptive field.*68"):
        st = StyleTransfer(n_steps=2, random_state=0).fit(style)
    assert np.isfinite(st.style_grams_["relu4_1"]).all()
    st = StyleTransfer(style_layers=SHALLOW, content_layers="relu2_1", n_steps=2)
    st.fit(style)
    with pytest.warns(UserWarning, match="receptive field of layer 'relu2_1' "):
        assert st.transform(np.zeros((6, 30, 3), np.uint8)).shape == (6, 30, 3)
    with pytest.warns(UserWarning, match="receptive field"):
        FeatureInversion("relu3_1").fit(np.zeros((20, 20, 3)))


def test_a_32_pixel_image_is_stylised_with_the_default_layers():
    # Its relu4_1 map is 4 x 4, as in every other implementation.
    image = (np.random.RandomState(0).rand(32, 32, 3) * 255).astype(np.uint8)
    st = StyleTransfer(n_steps=3, random_state=0)
    with pytest.warns(UserWarning, match="receptive field"):
        st.fit(image)
    with pytest.warns(UserWarning, match="receptive field"):
        out = st.transform(image)
    assert out.shape == (32, 32, 3)
    assert np.isfinite(st.loss_history_["total"]).all()


@pytest.mark.parametrize("side", [1, 4, 7])
def test_an_image_that_leaves_a_layer_no_pixel_is_refused(side):
    # Three poolings before relu4_1: it needs 8 pixels a side.
    image = np.random.RandomState(0).rand(side, side, 3)
    match = rf"{side}x{side} pixels is too small.*relu4_1"
    with pytest.raises(ValueError, match=match):
        StyleTransfer().fit(image)
    with pytest.raises(ValueError, match="too small"):
        FeatureInversion("relu4_1").fit(image)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        eight = np.random.RandomState(1).rand(8, 8, 3)
        st = StyleTransfer(n_steps=2, random_state=0).fit(eight)
    with pytest.raises(ValueError, match="too small"):
        st.transform(image)


def test_a_refit_that_fails_leaves_the_style_as_it_was(style):
    st = StyleTransfer(style_layers=SHALLOW, content_layers="relu2_1", n_steps=2,
                       random_state=0).fit(style)
    layers, features = st.style_layers_, st.features_
    grams = {k: v.copy() for k, v in st.style_grams_.items()}
    st.set_params(style_layers=[*SHALLOW, "relu5_1"])
    with pytest.raises(ValueError, match="too small"):
        st.fit(style[:8, :8])
    # Before: the new style_layers_ and features_ beside the old style_grams_.
    assert st.style_layers_ == layers and st.features_ is features
    assert st.style_grams_.keys() == grams.keys()
    for key, gram in grams.items():
        np.testing.assert_array_equal(st.style_grams_[key], gram)
    assert st.transform(style).shape == style.shape


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a CPU-only torch")
@pytest.mark.parametrize("make", [StyleTransfer, FeatureInversion])
def test_a_cuda_device_without_cuda_is_a_clear_error(make, style):
    # Before: torch's "AssertionError: Torch not compiled with CUDA enabled".
    with pytest.raises(ValueError, match="device='cuda'.*no CUDA device"):
        make(device="cuda").fit(style)
