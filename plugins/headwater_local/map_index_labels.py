"""File names as map indexes for the per-file tasks that were skipped before they started.

Each mapped task of ``process_file``/``index_file`` renders its landing file's name as its map index
(``map_index_template``) — but only when it runs. A task skipped by its trigger rule before it
starts (``clean`` after ``ingest`` skipped an unchanged file) never renders one: its rendered map
index stays empty, and the UI shows ``0…6``. ``label_skipped`` gives each such task instance the
name rendered by a task of the same group at the same map index (one index, one file).

``headwater run`` calls it when its run has finished (``run_date.run_date``), in a session of its
own after ``dag.test()`` committed everything. Runs the scheduler makes are not relabelled: a
listener (``on_dag_run_success``) gets a run detached from the scheduler's session, and writing
with a second connection while the scheduler's transaction is open would wait on SQLite's lock.
"""

from __future__ import annotations


def group_of(task_id: str) -> str:
    """``process_file.clean`` -> ``process_file``: the mapped task group a task belongs to."""
    return task_id.rpartition(".")[0]


def _named(ti) -> bool:  # noqa: ANN001 - airflow.models.TaskInstance
    """Did the task render a name? A task skipped before it started holds none (its ``rendered_map_index``
    property then falls back to the index as text, "0"); the column is ``_rendered_map_index``."""
    return bool(ti._rendered_map_index)


def label_skipped(dag_id: str, run_id: str) -> int:
    """Fill the empty rendered map index of the run's mapped task instances; returns how many were filled."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        tis = session.scalars(
            select(TaskInstance).where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id, TaskInstance.map_index >= 0)
        ).all()
        names = {(group_of(ti.task_id), ti.map_index): ti._rendered_map_index for ti in tis if _named(ti)}
        filled = 0
        for ti in tis:
            name = names.get((group_of(ti.task_id), ti.map_index))
            if not _named(ti) and name:
                ti._rendered_map_index = name
                filled += 1
    return filled
