"""Real-time ingestion: JSON events from a durable stream through the same clean -> chunk -> embed path as CSV rows.

One small module per job, no Airflow:

* ``source``: the source interface (read, claim, commit) and the message/outcome shapes;
  ``redis_source`` implements it with Redis Streams and a consumer group, ``kafka_source`` with a Kafka topic.
* ``validate``: a message's JSON text -> a record of the stream's columns, or the reason it is a dead letter.
* ``batch``: a micro-batch of records through the cleaning steps, the chunker, the embedding cache
  and the vector store (headwater.clean, headwater.chunk, headwater.embed).
* ``lineage``: OpenLineage events of a consumer run (off unless OpenLineage is configured).
* ``consumer``: the loop (claim what dead consumers left, read, process, commit), restart-safe.
"""
