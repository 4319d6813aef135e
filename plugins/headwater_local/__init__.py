"""Running the DAGs on one machine: a logical date from the command line, and the local Airflow services."""
