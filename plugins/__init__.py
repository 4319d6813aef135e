"""Airflow-facing extensions of Headwater (operators, triggers, listeners).

The library in include/headwater never imports Airflow; anything that must live
inside Airflow goes here.
"""
