"""The "Data quality" view in the Airflow UI: a FastAPI app, its pages, and the plugin that registers them."""
