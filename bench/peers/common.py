"""Shared by the PyTorch peers: command-line parsing, timing and the one-JSON-line-per-case output.

A peer measures one workload that an Embodied benchmark also measures, with the same shapes, so the
benchmark can divide the two numbers taken in the same run (see bench/peers/peer.ts).
"""
import argparse
import json
import statistics
import time

import torch


def parser(description):
    """Options every peer takes: torch thread counts, warm-up calls and timed calls per thread count."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--threads", default="1,2", help="comma-separated torch intra-op thread counts, each timed in turn")
    p.add_argument("--warmup", type=int, default=3, help="untimed calls before timing, per thread count")
    p.add_argument("--runs", type=int, default=5, help="timed calls per thread count")
    p.add_argument("--seed", type=int, default=0, help="seed of the weights and data")
    return p


def thread_counts(text):
    counts = [int(t) for t in text.split(",") if t.strip()]
    if not counts or any(c <= 0 for c in counts):
        raise SystemExit(f"--threads: expected positive integers, got {text!r}")
    return counts


def time_ms(fn, warmup, runs):
    """Milliseconds per call of fn over `runs` timed calls, after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000.0)
    return samples


def emit(case, unit, values, threads, **params):
    """Prints one case as one JSON line: median/min/max of `values` (in `unit`), runs, torch version and threads, plus the case's sizes."""
    print(
        json.dumps(
            {
                "peer": "pytorch-eager",
                "case": case,
                "unit": unit,
                "median": statistics.median(values),
                "min": min(values),
                "max": max(values),
                "runs": len(values),
                "values": values,
                "torch": torch.__version__,
                "threads": threads,
                **params,
            }
        ),
        flush=True,
    )
