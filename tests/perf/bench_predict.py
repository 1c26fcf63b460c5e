"""Prediction benchmark: the app's predictor against bare onnxruntime and scikit-learn.

    python tests/perf/bench_predict.py [--rows 100000] [--singles 3000]

All references are measured in the same run, on the same model: single-row latency (p50, p99) of the
full ``Predictor.predict`` (validation, inference, explanation, range flags) vs a bare
``session.run`` on a ready float32 array vs scikit-learn's ``predict_proba`` of the same pipeline
(retrained by onnx_model/train.py); batch rows/s of ``predict_many`` vs bare ``session.run`` on 100k rows.
Targets: predict() p50 <= 4x bare; predict_many >= 0.5x bare throughput. A script, not a timed test.
"""

# ruff: noqa: N806  (X and C are scikit-learn's own names)

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402

from desktop.domain.features import FEATURE_NAMES  # noqa: E402
from desktop.ml.predictor import Predictor  # noqa: E402

MODEL_DIR = ROOT / "onnx_model"


def load_train():
    spec = importlib.util.spec_from_file_location("clinicdesk_onnx_train", MODEL_DIR / "train.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def latencies(fns: dict[str, Callable[[int], object]], n: int) -> dict[str, list[float]]:
    """Microseconds per call, n calls each, in interleaved blocks of 100 calls: a shared machine's load
    drifts, so every variant sees the same conditions, while within a block the caches stay warm."""
    out: dict[str, list[float]] = {name: [] for name in fns}
    clock = time.perf_counter_ns
    block = 100
    for start in range(-block, n, block):  # the first round is a warm-up
        for name, fn in fns.items():
            for i in range(max(start, 0), min(start + block, n) if start >= 0 else block):
                t = clock()
                fn(i)
                if start >= 0:
                    out[name].append((clock() - t) / 1000)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rates(fns: dict[str, Callable[[], object]], rows: int, repeats: int = 15) -> dict[str, float]:
    """Rows per second (median over repeats), variants interleaved like :func:`latencies`."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {name: rows / statistics.median(values) for name, values in times.items()}


def session(threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(MODEL_DIR / "model.onnx"), options, providers=["CPUExecutionProvider"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--singles", type=int, default=3_000)
    args = parser.parse_args()

    train = load_train()
    X, y = train.load_data()
    C = json.loads((MODEL_DIR / "model.json").read_text(encoding="utf-8"))["explanation"]["C"]
    pipeline = train.fit_final(X, y, C=C)
    predictor = Predictor(MODEL_DIR)
    predictor.load()
    bare1, bare_default = session(1), session(0)

    rng = np.random.default_rng(7)
    idx = rng.integers(0, len(X), args.singles)
    rows64 = X[idx]
    rows32 = [r.reshape(1, -1).astype(np.float32) for r in rows64]
    dicts = [dict(zip(FEATURE_NAMES, map(float, r), strict=True)) for r in rows64]

    single = latencies(
        {
            "bare session.run (1 thread)": lambda i: bare1.run(["probabilities"], {"input": rows32[i]}),
            "bare session.run (default threads)": lambda i: bare_default.run(
                ["probabilities"], {"input": rows32[i]}
            ),
            "Predictor.predict (full)": lambda i: predictor.predict(dicts[i]),
            "scikit-learn predict_proba": lambda i: pipeline.predict_proba(rows64[i : i + 1]),
        },
        args.singles,
    )
    batch64 = np.clip(X[rng.integers(0, len(X), args.rows)] * rng.uniform(0.9, 1.1, (args.rows, 30)), 0, None)
    batch32 = batch64.astype(np.float32)
    batch = rates(
        {
            "bare session.run (1 thread)": lambda: bare1.run(["probabilities"], {"input": batch32}),
            "bare session.run (default threads)": lambda: bare_default.run(
                ["probabilities"], {"input": batch32}
            ),
            "Predictor.predict_many (float64 in)": lambda: predictor.predict_many(batch64),
        },
        args.rows,
    )
    batch |= rates({"scikit-learn predict_proba": lambda: pipeline.predict_proba(batch64)}, args.rows, 3)

    print(
        f"model {predictor.info.full_version}; onnxruntime {ort.__version__}; {args.singles} single rows, "
        f"{args.rows} batch rows"
    )
    print(f"\n{'single row':40s} {'p50 us':>9s} {'p99 us':>9s}")
    for name, values in single.items():
        print(f"{name:40s} {pct(values, 0.5):9.1f} {pct(values, 0.99):9.1f}")
    print(f"\n{'batch':40s} {'rows/s':>12s}")
    for name, rate in batch.items():
        print(f"{name:40s} {rate:12,.0f}")

    bare_p50 = min(
        pct(single["bare session.run (1 thread)"], 0.5),
        pct(single["bare session.run (default threads)"], 0.5),
    )
    full_p50 = pct(single["Predictor.predict (full)"], 0.5)
    sk_p50 = pct(single["scikit-learn predict_proba"], 0.5)
    bare_rate = max(batch["bare session.run (1 thread)"], batch["bare session.run (default threads)"])
    many_rate = batch["Predictor.predict_many (float64 in)"]
    print("\ntargets")
    print(
        f"  predict() p50 / bare p50   = {full_p50 / bare_p50:5.2f}  (target <= 4)   "
        f"{'met' if full_p50 <= 4 * bare_p50 else 'NOT MET'}"
    )
    print(f"  scikit-learn p50 / predict() p50 = {sk_p50 / full_p50:5.1f}x faster")
    print(
        f"  predict_many / best bare   = {many_rate / bare_rate:5.2f}  (target >= 0.5) "
        f"{'met' if many_rate >= 0.5 * bare_rate else 'NOT MET'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
