"""Configuration, declared once: the HEADWATER_* settings (settings.py) and the source YAML sections.

Configuration data never imports behaviour: every module here imports only the standard
library, pydantic and the core helpers (headwater.names). One module per YAML section.
"""
