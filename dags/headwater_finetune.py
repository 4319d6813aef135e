"""
### headwater_finetune

QLoRA fine-tuning of a causal LM on the curated data, on Kubeflow Pipelines or locally.

* Runs when `headwater_ingest` updates the **`headwater-curated`** asset, or by hand with Params.
* **export_examples** writes every chunk (and, with `fields`, the curated values of the columns
  that were not chunked) as the chunk JSONL the pipeline reads, and counts the examples the last
  fine-tuned model has not seen. It re-reads only the landing files that changed: an asset-triggered
  run reads the `headwater-curated` events since its last export (`inlet_events`; their `extra` names
  the changed files) and rebuilds those files' parts; a manual run, or the first export, checks every
  file's fingerprint (manifest and table stat, no table read). The export is assembled from the
  per-file parts (`include/headwater/finetune/parts.py`) and equals a full read byte for byte.
* **decide** skips the run (`skip_finetune`) when fewer than `min_new_examples` are new, unless `force`.
* **finetune** (`KubeflowPipelineOperator`) runs `kfp_components/headwater_finetune_pipeline.yaml`:
  on the KFP API named by the `kfp_default` connection (REST v2beta1, waiting in the triggerer; the
  task's *Kubeflow run* link opens the run), or, with no such connection (or host `local`), with
  kfp.local in `.venv-kfp` as a subprocess.
* **record** writes the model version, eval rows and adapter path to `<data_dir>/models/` and
  prints the eval table (perplexity before/after per precision).

**Params**: `base_model` (empty: a tiny model built locally), `lora_r`, `lora_alpha`, `epochs`
(empty: the runner's default), `min_new_examples`, `force`, `fields`.
All work lives in `include/headwater/finetune/` and `plugins/headwater_kfp/`; this file is wiring only.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, dag, task
from headwater.config.finetune import FIELDS_CHOICES
from headwater_common import CURATED, SETTINGS, START_DATE, default_args

from headwater_kfp.operator import KubeflowPipelineOperator

# Fewer, slower retries than ingest: a fine-tune is long and its failures are rarely transient.
DEFAULT_ARGS = default_args(retries=2, retry_delay=timedelta(minutes=1), max_retry_delay=timedelta(minutes=15))


def _settings():
    from headwater.config.settings import Settings

    return Settings.from_env()


def _triggered(triggering_asset_events) -> bool:
    """Did events of the curated asset start this run (False for a manual run)?"""
    try:
        return bool(triggering_asset_events and triggering_asset_events[CURATED])
    except KeyError:
        return False


def _events(accessor) -> list[tuple[str, dict | None]]:
    """(ISO time, extra) of each event an `inlet_events` query returns."""
    return [(event.timestamp.isoformat(), event.extra) for event in accessor]


@dag(
    dag_id="headwater_finetune",
    schedule=[CURATED],
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,  # runs share the model registry and compete for the same GPUs
    default_args=DEFAULT_ARGS,
    params={
        "base_model": Param("", type="string", description="save_pretrained directory of the base model "
                            "(on KFP: a path on the model-cache PVC, e.g. /models/base/llama-3.2-1b); "
                            "empty builds a tiny Llama locally from a config."),
        "lora_r": Param(16, type="integer", minimum=1, description="LoRA rank."),
        "lora_alpha": Param(32, type="integer", minimum=1, description="LoRA scale numerator (scale = alpha / r)."),
        "epochs": Param(None, type=["null", "number"], exclusiveMinimum=0,
                        description="Training epochs; empty: the runner's default (local 4, KFP 1)."),
        "min_new_examples": Param(50, type="integer", minimum=0,
                                  description="Skip unless this many examples are new since the last fine-tune."),
        "force": Param(False, type="boolean", description="Fine-tune even without enough new examples."),
        "fields": Param("all", enum=list(FIELDS_CHOICES),
                        description="Curated values exported besides the chunks: all, text (3+ words) or none."),
    },
    tags=["headwater", "finetune", "kubeflow"],
    doc_md=__doc__,
)
def headwater_finetune():
    @task(multiple_outputs=True, execution_timeout=timedelta(minutes=30), inlets=[CURATED])
    def export_examples(params=None, run_id=None, triggering_asset_events=None, inlet_events=None) -> dict:
        """Re-export the files the curated-asset events name (every file's fingerprint on a manual run)."""
        from dataclasses import asdict

        from headwater.config.finetune import ExportOptions
        from headwater.finetune.export import ChangeFeed, events_since, export_incremental
        from headwater.finetune.local_runner import pipeline_arguments, run_dir
        from headwater.finetune.registry import ModelRegistry, count_new_examples

        settings = _settings()
        options = ExportOptions(fields=params["fields"])
        since = events_since(settings.data_dir, options) if _triggered(triggering_asset_events) else None
        if since is None:  # a manual run or the first export: every file's fingerprint, events up to the newest
            feed = ChangeFeed.everything(_events(inlet_events[CURATED].ascending(False).limit(1)))
        else:  # every event since the last export, not only this run's: a failed run's events are not lost
            feed = ChangeFeed.from_events(_events(inlet_events[CURATED].after(since)))
        export, update = export_incremental(settings.data_dir, options, feed)
        counts = count_new_examples(export, ModelRegistry(settings.data_dir))
        print(update.describe())
        print(f"exported {export.count} examples ({export.chunks} chunks, {export.fields} field values) to {export.path}")
        arguments = pipeline_arguments(
            export.path, base_model=params["base_model"], lora_r=params["lora_r"],
            lora_alpha=params["lora_alpha"], epochs=params["epochs"],
        )
        return {
            "export": export.to_dict(),
            "update": update.summary(),
            "counts": asdict(counts),
            "arguments": arguments,
            "out_dir": str(run_dir(settings.data_dir, run_id)),
            "pipeline_package": str(settings.kfp_pipeline),
        }

    @task.branch
    def decide(counts: dict, params=None) -> str:
        from headwater.finetune.registry import NewExamples, should_finetune

        go, reason = should_finetune(NewExamples(**counts), params["min_new_examples"], params["force"])
        print(reason)
        return "finetune" if go else "skip_finetune"

    @task
    def skip_finetune() -> None:
        from headwater.finetune.registry import ModelRegistry
        from headwater.finetune.report import format_eval_table

        latest = ModelRegistry(_settings().data_dir).latest()
        print("the current model stays:\n" + format_eval_table(latest) if latest else "no model has been fine-tuned yet")

    @task
    def record(result: dict, export: dict, run_id=None) -> dict:
        from headwater.finetune.registry import ModelRegistry
        from headwater.finetune.report import format_eval_table

        entry = ModelRegistry(_settings().data_dir).record(result, export, extra={"airflow_run_id": run_id})
        print(format_eval_table(entry))
        return {"model_version": entry["model_version"], "eval_rows": entry["eval_rows"]}

    exported = export_examples()
    finetune = KubeflowPipelineOperator(
        task_id="finetune",
        pipeline_package=exported["pipeline_package"],
        arguments=exported["arguments"],
        local_out_dir=exported["out_dir"],
        run_name="headwater-finetune {{ run_id }}",
        kfp_conn_id=SETTINGS.kfp_conn_id,
        enable_caching="{{ not params.force }}",  # a forced retrain is never answered from KFP's cache
        deferrable=True,
        poll_interval=30,
    )
    decide(exported["counts"]) >> [finetune, skip_finetune()]
    record(finetune.output, exported["export"])


headwater_finetune()
