"""An evaluation's table (text, Markdown, JSON) and plots (matplotlib PNG, Agg backend)."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np

from reelgraph.evaluation.run import COLD_MAX_RATINGS, Evaluation, bucket_labels

log = logging.getLogger(__name__)

ACCURACY = ("precision", "recall", "ndcg", "map", "hit_rate")
LISTS = ("coverage", "novelty", "ild_genres", "ild_genome", "popular_share")
COLD = "ndcg_cold"


def table_rows(evaluation: Evaluation) -> list[dict[str, Any]]:
    """One plain dict per recommender: name, every metric, cold NDCG and wall times."""
    cold = bucket_labels()[0]
    rows = []
    for result in evaluation.results:
        row: dict[str, Any] = {"recommender": result.name}
        row.update({m: result.scores[m] for m in ACCURACY + LISTS})
        row[COLD] = result.buckets[cold]
        row["seconds"] = round(sum(result.seconds.values()), 1)
        rows.append(row)
    return rows


def columns(k: int) -> list[tuple[str, str]]:
    """(key, header) of the table's columns."""
    heads = {
        "precision": f"P@{k}",
        "recall": f"R@{k}",
        "ndcg": f"NDCG@{k}",
        "map": f"MAP@{k}",
        "hit_rate": f"HR@{k}",
        "coverage": "coverage",
        "novelty": "novelty",
        "ild_genres": "ILD genres",
        "ild_genome": "ILD genome",
        "popular_share": "top-10% share",
        COLD: f"NDCG@{k} cold",
        "seconds": "time s",
    }
    return [("recommender", "recommender"), *heads.items()]


def text_table(evaluation: Evaluation) -> str:
    """The table in fixed-width text, for the terminal."""
    cols = columns(evaluation.k)
    cells = [[h for _, h in cols]]
    cells += [[_cell(row[key], key) for key, _ in cols] for row in table_rows(evaluation)]
    widths = [max(len(r[j]) for r in cells) for j in range(len(cols))]
    lines = ["  ".join(c.rjust(w) if j else c.ljust(w) for j, (c, w) in
                       enumerate(zip(r, widths, strict=True))) for r in cells]  # fmt: skip
    return "\n".join(lines)


def markdown_table(evaluation: Evaluation) -> str:
    """The table in Markdown."""
    cols = columns(evaluation.k)
    lines = ["| " + " | ".join(h for _, h in cols) + " |", "|" + "---|" * len(cols)]
    for row in table_rows(evaluation):
        lines.append("| " + " | ".join(_cell(row[key], key) for key, _ in cols) + " |")
    return "\n".join(lines)


def write_report(evaluation: Evaluation, folder: Path, command: str = "") -> list[Path]:
    """Write report.md, report.json and the PNG plots into `folder`; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    md = folder / "report.md"
    md.write_text(_markdown(evaluation, command), encoding="utf-8")
    js = folder / "report.json"
    js.write_text(json.dumps(_json(evaluation, command), indent=2, allow_nan=False) + "\n",
                  encoding="utf-8")  # fmt: skip
    paths = [md, js, *_plots(evaluation, folder)]
    log.info("report written to %s (%d files)", folder, len(paths))
    return paths


def _markdown(evaluation: Evaluation, command: str) -> str:
    parts = [f"# reelgraph evaluation: {evaluation.protocol}, k = {evaluation.k}", ""]
    if command:
        parts += [f"Command: `{command}`", ""]
    parts += [f"- {line}" for line in evaluation.split_lines] + ["", markdown_table(evaluation)]
    parts += ["", f"NDCG@{evaluation.k} by the test movie's training ratings "
              f"(cold: <= {COLD_MAX_RATINGS}):", ""]  # fmt: skip
    labels = bucket_labels()
    parts += ["| recommender | " + " | ".join(labels) + " |", "|" + "---|" * (len(labels) + 1)]
    for result in evaluation.results:
        cells = " | ".join(_cell(result.buckets[b]) for b in labels)
        parts.append(f"| {result.name} | {cells} |")
    parts += ["", "Options (tuned on the validation split):", ""]
    parts += [f"- {r.name}: `{json.dumps(r.options, sort_keys=True)}`" for r in evaluation.results]
    parts += ["", "![metrics](metrics.png)", "![buckets](buckets.png)", "![scores](scores.png)"]
    return "\n".join(parts) + "\n"


def _json(evaluation: Evaluation, command: str) -> dict[str, Any]:
    return {
        "protocol": evaluation.protocol,
        "k": evaluation.k,
        "seed": evaluation.seed,
        "command": command,
        "split": evaluation.split_lines,
        "rows": [_finite(row) for row in table_rows(evaluation)],
        "recommenders": {
            r.name: {
                "options": r.options,
                "buckets_ndcg": _finite(r.buckets),
                "seconds": r.seconds,
                "validation": [{"options": o, "ndcg": s} for o, s in r.tried],
            }
            for r in evaluation.results
        },
    }


def _plots(evaluation: Evaluation, folder: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [r.name for r in evaluation.results]
    out = []

    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / len(ACCURACY)
    for j, metric in enumerate(ACCURACY):
        values = [r.scores[metric] for r in evaluation.results]
        ax.bar(np.arange(len(names)) + j * width, values, width, label=metric)
    ax.set_xticks(np.arange(len(names)) + 0.4 - width / 2, names, rotation=20)
    ax.set_ylabel(f"@{evaluation.k}")
    ax.set_title(f"Accuracy per recommender ({evaluation.protocol})")
    ax.legend()
    out.append(_save(fig, folder / "metrics.png"))

    fig, ax = plt.subplots(figsize=(10, 4.5))
    labels = bucket_labels()
    width = 0.8 / len(names)
    for j, result in enumerate(evaluation.results):
        values = [np.nan_to_num(result.buckets[b]) for b in labels]
        ax.bar(np.arange(len(labels)) + j * width, values, width, label=result.name)
    ax.set_xticks(np.arange(len(labels)) + 0.4 - width / 2, labels)
    ax.set_xlabel("training ratings of the test movie")
    ax.set_ylabel(f"NDCG@{evaluation.k}")
    ax.set_title("NDCG by movie popularity bucket")
    ax.legend()
    out.append(_save(fig, folder / "buckets.png"))

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for result in evaluation.results:
        if result.edge_scores is not None and len(result.edge_scores):
            ax.hist(result.edge_scores, bins=60, histtype="step", density=True,
                    label=f"{result.name} ({len(result.edge_scores):,} edges)")  # fmt: skip
    ax.set_xlabel("edge score")
    ax.set_ylabel("density")
    ax.set_title("Similarity-graph score distribution")
    if ax.get_legend_handles_labels()[0]:
        ax.legend()
    out.append(_save(fig, folder / "scores.png"))
    return out


def _save(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _cell(value: Any, key: str = "") -> str:
    if key == "seconds":
        return f"{value:.1f}"
    if isinstance(value, float):
        return (
            "n/a" if math.isnan(value) else f"{value:.4f}" if abs(value) < 10 else f"{value:.1f}"
        )
    return str(value)


def _finite(row: dict[str, Any]) -> dict[str, Any]:
    """NaN -> None, so the JSON stays standard."""
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
