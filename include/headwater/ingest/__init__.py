"""The ingest stage: sniff the landing file (sniff.py), stream it (streams.py), parse it (csv_file.py), stage it (stage.py)."""
