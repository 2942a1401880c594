# The official image plus this project's pinned packages. include/ and local_aws/ are mounted
# by docker-compose.yaml, so code changes need no rebuild.
FROM apache/airflow:3.3.2
COPY requirements.txt constraints.txt /opt/covid-lake/
RUN pip install --no-cache-dir -r /opt/covid-lake/requirements.txt
