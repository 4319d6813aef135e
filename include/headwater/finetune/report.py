"""The eval table of a fine-tuned model: perplexity before and after, per precision."""

from __future__ import annotations

from typing import Any


def _fmt(value: Any, digits: int) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def format_eval_table(record: dict[str, Any]) -> str:
    """Perplexity before (base) and after (adapted) per precision, plus speed and size."""
    rows = record.get("eval_rows") or []
    title = f"Fine-tune {record.get('model_version', '?')}"
    if not rows:
        where = (record.get("kfp") or {}).get("run_url")
        return f"{title}\n(no eval rows recorded{'; see the eval_report artifact of ' + where if where else ''})"
    by_key = {(r["model"], r["precision"]): r for r in rows}
    precisions = list(dict.fromkeys(r["precision"] for r in rows))
    header = f"{'precision':<10} {'base ppl':>10} {'adapted ppl':>12} {'change':>8} {'tok/s adapted':>14} {'weights MB':>11}"
    lines = [title, header, "-" * len(header)]
    for precision in precisions:
        base, adapted = by_key.get(("base", precision)), by_key.get(("adapted", precision))

        def cell(row: dict[str, Any] | None) -> str:
            if row is None:
                return "not run"
            return _fmt(row.get("perplexity"), 2) if row.get("status") == "ok" else str(row.get("status"))

        change = "-"
        if base and adapted and base.get("status") == adapted.get("status") == "ok" and base.get("perplexity"):
            change = f"{100 * (adapted['perplexity'] / base['perplexity'] - 1):+.1f}%"
        speed = _fmt(adapted.get("tokens_per_s"), 0) if adapted and adapted.get("status") == "ok" else "-"
        weights = _fmt(adapted.get("weights_mb"), 2) if adapted and adapted.get("status") == "ok" else "-"
        lines.append(f"{precision:<10} {cell(base):>10} {cell(adapted):>12} {change:>8} {speed:>14} {weights:>11}")
    dataset = (record.get("metrics") or {}).get("dataset", {})
    if dataset:
        n = {k: int(dataset[k]) if isinstance(dataset.get(k), (int, float)) else "?" for k in ("train_examples", "eval_examples")}
        lines.append(f"train examples {n['train_examples']}, eval examples {n['eval_examples']}")
    return "\n".join(lines)
