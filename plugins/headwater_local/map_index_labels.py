"""File names as map indexes for the per-file tasks that were skipped before they started.

Each mapped task of ``process_file``/``index_file`` renders its landing file's name as its map index
(``map_index_template``) — but only when it runs. A task skipped by its trigger rule before it
starts (``clean`` after ``ingest`` skipped an unchanged file) never renders one: its rendered map
index stays empty, and the UI shows ``0…6``. When a ``headwater_ingest`` run finishes, this listener gives each such task instance the
name rendered by a task of the same group at the same map index (one index, one file).

It runs where the run's state is decided (the scheduler, or ``dag.test()`` for ``headwater run``),
inside ``DagRun.update_state`` with the run's own session (``sqlalchemy.orm.object_session``), so
the change is committed with the new run state; no second connection writes to the database.
"""

from __future__ import annotations

from airflow.listeners import hookimpl

DAG_ID = "headwater_ingest"


def group_of(task_id: str) -> str:
    """``process_file.clean`` -> ``process_file``: the mapped task group a task belongs to."""
    return task_id.rpartition(".")[0]


def _named(ti) -> bool:  # noqa: ANN001 - airflow.models.TaskInstance
    """Did the task render a name? A task skipped before it started holds none (its ``rendered_map_index``
    property then falls back to the index as text, "0"); the column is ``_rendered_map_index``."""
    return bool(ti._rendered_map_index)


def label_skipped(dag_run) -> int:  # noqa: ANN001 - airflow.models.DagRun
    """Fill the empty rendered map index of the run's mapped task instances; returns how many were filled."""
    from airflow.models.taskinstance import TaskInstance
    from sqlalchemy import select
    from sqlalchemy.orm import object_session

    session = object_session(dag_run)
    if session is None or dag_run.dag_id != DAG_ID:
        return 0
    tis = session.scalars(
        select(TaskInstance).where(
            TaskInstance.dag_id == dag_run.dag_id, TaskInstance.run_id == dag_run.run_id, TaskInstance.map_index >= 0
        )
    ).all()
    names = {(group_of(ti.task_id), ti.map_index): ti._rendered_map_index for ti in tis if _named(ti)}
    filled = 0
    for ti in tis:
        name = names.get((group_of(ti.task_id), ti.map_index))
        if not _named(ti) and name:
            ti._rendered_map_index = name
            filled += 1
    return filled


@hookimpl
def on_dag_run_success(dag_run, msg: str) -> None:  # noqa: ANN001
    label_skipped(dag_run)


@hookimpl
def on_dag_run_failed(dag_run, msg: str) -> None:  # noqa: ANN001
    label_skipped(dag_run)
