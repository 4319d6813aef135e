"""The chunk stage: token windows (windows.py), strategies (strategies.py, nlp.py), the chunk plan and table (table.py)."""
