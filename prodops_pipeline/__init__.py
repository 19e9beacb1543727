import warnings

# PySpark (installed for PRODOPS_ENGINE=spark) warns on import that it is not tested with pandas 3; Great
# Expectations imports it whatever the engine, so every run would print it. dbt-spark's session mode does not
# hand pandas frames to Spark.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
