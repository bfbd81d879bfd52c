"""Dense masked-attention label propagation in PyTorch, written from ../shared/SPEC.md §2.4-2.6.

This is the reference's way of computing one propagation step, used by `npx correspond bench propagate` as the
side-by-side baseline: for each chunk of query cells it forms the full affinity against every node of every
context slot (1 long-term + n short-term, (1+n)·N nodes), adds -1e10 outside the radius on the short-term slots,
divides by the temperature, takes torch.topk over all context nodes, softmaxes the k values and sums the labels.

Input (a folder written by the bench):
  features.npy  float32 C×S×h×w, L2-normalised; S = n + 2 frames: slot 0 (long-term), slots 1..n, then the query.
  labels.npy    float32 S×h×w×L soft labels of the context frames (the query's are ignored).
Output: prediction.npy (h·w×L) for the query frame, and one JSON line on stdout with the timings.

Usage: dense_propagation.py DIR --topk 10 --radius 12 --temperature 0.05 --repeats 3 --threads 2
"""

import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

QUERY_CHUNK = 100  # queries per affinity block, as the reference's memory-efficient path does


def radius_mask(h, w, radius):
    """N×N additive mask: 0 where the cells are closer than `radius` (strict <), -1e10 elsewhere."""
    ys, xs = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    coords = torch.stack([ys.flatten(), xs.flatten()], dim=1).float()
    dist = torch.cdist(coords, coords)
    return torch.where(dist < radius, torch.zeros(()), torch.full((), -1e10))


def propagate_frame(keys, query, labels, mask, topk, temperature):
    """keys: S×C×N context features, query: C×N, labels: S×N×L, mask: N×N (key m, query q). Returns N×L."""
    slots, _, n_cells = keys.shape
    out = torch.empty(n_cells, labels.shape[-1])
    flat_labels = labels.reshape(slots * n_cells, -1)
    for start in range(0, n_cells, QUERY_CHUNK):
        q = query[:, start:start + QUERY_CHUNK]
        affinity = torch.einsum("scm,cq->smq", keys, q)  # S×N×chunk, dense over every context node
        affinity[1:] += mask[:, start:start + QUERY_CHUNK]  # radius on the short-term slots only
        affinity = affinity.reshape(slots * n_cells, -1) / temperature
        weights, ids = torch.topk(affinity, topk, dim=0)
        weights = F.softmax(weights, dim=0)  # k×chunk
        out[start:start + QUERY_CHUNK] = torch.einsum("kq,kql->ql", weights, flat_labels[ids])
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--topk", type=int, default=10)
    parser.add_argument("--radius", type=float, default=12)
    parser.add_argument("--temperature", type=float, default=0.05)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    features = torch.from_numpy(np.load(os.path.join(args.folder, "features.npy")))
    labels = torch.from_numpy(np.load(os.path.join(args.folder, "labels.npy")))
    channels, frames, h, w = features.shape
    cells = h * w
    flat = features.reshape(channels, frames, cells)
    keys = flat[:, :-1].permute(1, 0, 2).contiguous()  # S×C×N
    query = flat[:, -1].contiguous()
    context_labels = labels[:-1].reshape(frames - 1, cells, -1)
    mask = radius_mask(h, w, args.radius)
    with torch.no_grad():
        propagate_frame(keys, query, context_labels, mask, args.topk, args.temperature)  # warm-up
        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            prediction = propagate_frame(keys, query, context_labels, mask, args.topk, args.temperature)
            times.append((time.perf_counter() - started) * 1000)
    np.save(os.path.join(args.folder, "prediction.npy"), prediction.numpy())
    print(json.dumps({"msPerFrame": sum(times) / len(times), "runs": times, "threads": args.threads,
                      "torch": torch.__version__, "channels": channels, "cells": cells}))


if __name__ == "__main__":
    main()
