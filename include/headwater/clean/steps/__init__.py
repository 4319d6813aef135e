"""Cleaning steps, one per module; base.py (the Step protocol, StepOutput, bookkeeping columns) is the bottom."""
