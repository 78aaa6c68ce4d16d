"""The real data of the digits tests and benchmarks: scikit-learn's copy of the UCI ML handwritten digits
(load_digits: 1,797 images of 8x8 pixels, values 0-16, 10 classes; CC BY 4.0), shipped with Debian's
python3-sklearn, so nothing is downloaded.

One fixed split, shared by converter/src/test/python/train_digits_cnn.py (the CI model) and
bench/quantize/ptq_compare.py --task digits: a permutation of the 1,797 indices by numpy's default_rng(SEED); the
first TEST of them are the test split, the rest the train split. The split is by image, not by writer (the dataset
does not say who wrote which digit), so a test digit's writer may have written training digits too.
"""
import numpy as np
from sklearn.datasets import load_digits

SEED = 0
TEST = 450


def split():
    """(train_images, train_labels, test_images, test_labels): images float32 [N, 1, 8, 8] in [0, 1] (pixel / 16),
    labels int64 [N]."""
    d = load_digits()
    images = (d.images.astype(np.float32) / 16.0)[:, None]
    labels = d.target.astype(np.int64)
    perm = np.random.default_rng(SEED).permutation(len(labels))
    test, train = perm[:TEST], perm[TEST:]
    return images[train], labels[train], images[test], labels[test]
