# Two images from the official one (apache/airflow per Python version: 3.11, the Python
# constraints.txt is resolved for; docker/standins/build.sh provides it where no registry can be
# pulled from), each with this project installed editable (pyproject.toml):
#   airflow    the Airflow services: runtime dependencies only (requirements.txt)
#   local-aws  the offline AWS: the same plus the emulator's data planes (requirements-local-aws.txt)
# docker-compose.yaml mounts dags/, plugins/, include/ and local_aws/ over the copied sources,
# so code changes need no rebuild; a change of pins does.
#
# The pins are installed before the sources are copied, each set in a layer of its own: a build
# after a change of code reuses them and only re-runs the editable install (seconds, not the
# minutes of resolving and unpacking the dependencies again).
FROM apache/airflow:3.3.2-python3.11 AS runtime-pins
COPY --chown=airflow:0 constraints.txt requirements.txt /opt/airflow/
RUN pip install --no-cache-dir -c /opt/airflow/constraints.txt -r /opt/airflow/requirements.txt

FROM runtime-pins AS airflow
COPY --chown=airflow:0 pyproject.toml README.md requirements-local-aws.txt requirements-dev.txt \
     /opt/airflow/
COPY --chown=airflow:0 include/ /opt/airflow/include/
COPY --chown=airflow:0 local_aws/ /opt/airflow/local_aws/
COPY --chown=airflow:0 covid_lake_dev/ /opt/airflow/covid_lake_dev/
# --no-deps: the pins are the layer above; this only makes the project's packages importable
RUN pip install --no-cache-dir --no-deps -e /opt/airflow
# the triggerer's and the DAG processor's health check (docker-compose.yaml)
COPY --chown=airflow:0 docker/healthcheck/ /opt/airflow/healthcheck/

FROM runtime-pins AS local-aws
COPY --chown=airflow:0 requirements-local-aws.txt /opt/airflow/
RUN pip install --no-cache-dir -c /opt/airflow/constraints.txt -r /opt/airflow/requirements-local-aws.txt
COPY --chown=airflow:0 pyproject.toml README.md requirements-dev.txt /opt/airflow/
COPY --chown=airflow:0 include/ /opt/airflow/include/
COPY --chown=airflow:0 local_aws/ /opt/airflow/local_aws/
COPY --chown=airflow:0 covid_lake_dev/ /opt/airflow/covid_lake_dev/
RUN pip install --no-cache-dir --no-deps -e "/opt/airflow[local-aws]"
# The emulator's state volume starts as a copy of this folder: owned by airflow, writable by group
# 0, so the service can write it under any AIRFLOW_UID (Airflow's images run every uid in gid 0).
RUN mkdir -p /opt/airflow/.local/aws && chmod -R g+rwX /opt/airflow/.local
