"""Glue whose crawlers crawl and whose jobs run: moto's GlueBackend, subclassed.

moto stores crawlers and jobs but never looks at data: a crawl only advances when ListCrawls is
called, a job run drifts to SUCCEEDED without running anything, and UpdateCrawler, UpdateJob,
GetCrawlerMetrics and the classifier calls are missing. LocalGlueBackend:

- StartCrawler runs a crawl on a worker thread (crawler.py reads the S3 targets and writes
  the catalog). Crawler state goes RUNNING -> (STOPPING) -> READY; LastCrawl carries Status
  SUCCEEDED, FAILED (with ErrorMessage) or CANCELLED; GetCrawlerMetrics reports runtimes and
  table counts. A CsvClassifier the crawler lists decides header, delimiter, quote and SerDe.
- StartJobRun runs a Python shell job's script (jobs.py) with the job's
  DefaultArguments, the run's Arguments and NonOverridableArguments merged in that order, as
  Glue does. Exit 0 -> SUCCEEDED; non-zero -> FAILED with the tail of stderr as ErrorMessage;
  past the Timeout (minutes) -> TIMEOUT. ExecutionTime, StartedOn, CompletedOn are real; logs
  are kept in <state dir>/glue/job-runs/<job>/<run id>/ and go to CloudWatch Logs as the script
  writes them: stdout to /aws-glue/python-jobs/output, stderr to /aws-glue/python-jobs/error,
  in a stream named by the run ID (the run's LogGroupName plus /output or /error, which is
  where the Amazon provider's verbose Glue operator, sensor and trigger read). Spark (glueetl,
  gluestreaming) and Ray jobs are refused with InvalidInputException (HTTP 400): there is no
  Spark or Ray here.

The Data Catalog itself (databases, tables, partitions) is moto's, unchanged; Athena reads and
writes it through this backend (local_aws/athena), so the two always agree.
"""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

from moto.core.base_backend import BackendDict
from moto.core.utils import utcnow
from moto.glue.exceptions import (
    AlreadyExistsException,
    ConcurrentRunsExceededException,
    CrawlerRunningException,
    EntityNotFoundException,
    InvalidInputException,
)
from moto.glue.models import FakeCrawl, FakeCrawler, FakeJobRun, GlueBackend
from moto.logs.models import logs_backends

from local_aws.core import runtime
from local_aws.core.background import OwnState, workers
from local_aws.glue import crawler as crawl_engine
from local_aws.glue import jobs as job_runs

CLASSIFIER_KINDS = ("CsvClassifier", "GrokClassifier", "XMLClassifier", "JsonClassifier")
_LAST_STATUS = {"COMPLETED": "SUCCEEDED", "FAILED": "FAILED", "STOPPED": "CANCELLED"}
_ACTIVE_RUN = ("STARTING", "RUNNING", "STOPPING")
PYTHON_SHELL_LOG_GROUP = "/aws-glue/python-jobs"  # a Python shell run's LogGroupName
# Job kinds (JobCommand.Name) whose runtime local_aws does not have: StartJobRun refuses them.
UNSUPPORTED_COMMANDS = {"glueetl": "Apache Spark ETL", "gluestreaming": "Apache Spark streaming ETL",
                        "glueray": "Ray"}

# UpdateCrawler / UpdateJob parameter -> moto's attribute of the same thing.
_CRAWLER_UPDATE = {"Role": "role", "DatabaseName": "database_name", "Description": "description",
                   "Targets": "targets", "Classifiers": "classifiers", "TablePrefix": "table_prefix",
                   "SchemaChangePolicy": "schema_change_policy", "RecrawlPolicy": "recrawl_policy",
                   "LineageConfiguration": "lineage_configuration",
                   "Configuration": "configuration",
                   "CrawlerSecurityConfiguration": "crawler_security_configuration",
                   "Schedule": "schedule"}
_JOB_UPDATE = {"Description": "description", "LogUri": "log_uri", "Role": "role",
               "ExecutionProperty": "execution_property", "Command": "command",
               "DefaultArguments": "default_arguments",
               "NonOverridableArguments": "non_overridable_arguments",
               "Connections": "connections", "MaxRetries": "max_retries",
               "AllocatedCapacity": "allocated_capacity", "Timeout": "timeout",
               "MaxCapacity": "max_capacity", "WorkerType": "worker_type",
               "NumberOfWorkers": "number_of_workers",
               "SecurityConfiguration": "security_configuration",
               "NotificationProperty": "notification_property", "GlueVersion": "glue_version",
               "ExecutionClass": "execution_class"}


class RealCrawl(OwnState, FakeCrawl):
    """A crawl whose state the worker sets; moto's automatic progression is not used."""

    def __init__(self, crawler_name: str) -> None:
        super().__init__(crawler_name)
        self._state = "RUNNING"
        self.error_message: str | None = None


class RealJobRun(OwnState, FakeJobRun):
    """A job run whose state the worker sets; moto's automatic progression is not used."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._state = "STARTING"
        self.error_message: str | None = None
        self.execution_time = 0
        self.completed_on = None

    def as_dict(self) -> dict[str, Any]:
        d = super().as_dict()
        d.update(ExecutionTime=self.execution_time, LogGroupName=PYTHON_SHELL_LOG_GROUP,
                 GlueVersion="3.0")
        if self.completed_on is None:
            d.pop("CompletedOn", None)
        if self.error_message:
            d["ErrorMessage"] = self.error_message
        return d


class LocalGlueBackend(GlueBackend):
    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.classifiers: dict[str, dict[str, Any]] = {}  # name -> {kind: spec}
        self.crawler_metrics: dict[str, dict[str, Any]] = {}  # crawler name -> runs and counts
        self._metrics_lock = threading.Lock()

    # -- crawlers --------------------------------------------------------------------------

    def start_crawler(self, name: str) -> None:
        crawler = self.get_crawler(name)
        if crawler.crawls and crawler.crawls[-1].status in ("RUNNING", "STOPPING"):
            raise CrawlerRunningException(f"Crawler with name {name} has already started")
        crawl = RealCrawl(name)
        crawler.crawls.append(crawl)
        workers.submit(self._run_crawl, crawler, crawl)

    def _run_crawl(self, crawler: FakeCrawler, crawl: RealCrawl) -> None:
        started = time.perf_counter()
        created = updated = 0
        # Where LastCrawl points (LogGroup /aws-glue/crawlers, LogStream the crawler's name,
        # each message prefixed with MessagePrefix, the crawl's ID): API_LastCrawlInfo.html.
        say = lambda *lines: self._log(crawl.log_group, crawl.log_stream,  # noqa: E731
                                       [f"[{crawl.message_prefix}] {line}" for line in lines])
        say(f"BENCHMARK : Running Start Crawl for Crawler {crawler.name}")
        try:
            created, updated = crawl_engine.crawl(self, crawler, self._csv_classifier(crawler))
            end_state = "COMPLETED"
            say(f"INFO : Tables created: {created}, tables updated: {updated} "
                f"(database {crawler.database_name})")
        except Exception as exc:  # any failure is the crawl's outcome, reported like Glue does
            crawl.error_message = str(exc) if isinstance(exc, crawl_engine.CrawlError) else (
                f"Internal error during crawl: {type(exc).__name__}: {exc}")
            end_state = "FAILED"
            say(f"ERROR : {crawl.error_message}")
        elapsed = time.perf_counter() - started
        say(f"BENCHMARK : Crawler has finished running and is in state "
            f"{'READY' if end_state == 'COMPLETED' else end_state}")
        with self._metrics_lock:
            metrics = self.crawler_metrics.setdefault(crawler.name, {"runs": []})
            metrics["runs"].append(elapsed)
            metrics.update(TablesCreated=created, TablesUpdated=updated, TablesDeleted=0)
        crawl.end_time = utcnow()
        crawler.crawl_elapsed_time = int(elapsed * 1000)
        crawl.status = "STOPPED" if crawl.status == "STOPPING" else end_state
        runtime.notify_change()

    def _csv_classifier(self, crawler: FakeCrawler) -> dict[str, Any] | None:
        for name in crawler.classifiers or []:
            found = self.classifiers.get(name)
            if found and "CsvClassifier" in found:
                return found["CsvClassifier"]
        return None

    def describe_crawler(self, crawler: FakeCrawler) -> dict[str, Any]:
        """moto's crawler dict, with LastCrawl from the last finished crawl (as Glue reports it)."""
        data = crawler.as_dict()
        data.pop("LastCrawl", None)
        finished = [c for c in crawler.crawls if c.status in _LAST_STATUS]
        if finished:
            last = finished[-1]
            data["LastCrawl"] = {"Status": _LAST_STATUS[last.status], "LogGroup": last.log_group,
                                 "LogStream": last.log_stream, "MessagePrefix": last.message_prefix,
                                 "StartTime": last.start_time}
            if last.error_message:
                data["LastCrawl"]["ErrorMessage"] = last.error_message
        return data

    def batch_get_crawlers(self, crawler_names: list[str]) -> list[dict[str, Any]]:
        return [self.describe_crawler(c) for c in self.get_crawlers() if c.name in crawler_names]

    def update_crawler(self, name: str, changes: dict[str, Any]) -> None:
        crawler = self.get_crawler(name)
        if crawler.status != "READY":
            raise CrawlerRunningException(f"Crawler with name {crawler.name} is running")
        for param, attr in _CRAWLER_UPDATE.items():
            if param in changes:
                setattr(crawler, attr, changes[param])
        crawler.version += 1
        crawler.last_updated = utcnow()

    def get_crawler_metrics(self, names: list[str] | None) -> list[dict[str, Any]]:
        out = []
        for crawler in self.get_crawlers():
            if names and crawler.name not in names:
                continue
            with self._metrics_lock:
                metrics = dict(self.crawler_metrics.get(crawler.name, {"runs": []}))
            runs = list(metrics.pop("runs"))
            running = bool(crawler.crawls) and crawler.crawls[-1].status in ("RUNNING", "STOPPING")
            out.append({"CrawlerName": crawler.name, "TimeLeftSeconds": 0.0,
                        "StillEstimating": running,
                        "LastRuntimeSeconds": runs[-1] if runs else 0.0,
                        "MedianRuntimeSeconds": statistics.median(runs) if runs else 0.0,
                        "TablesCreated": metrics.get("TablesCreated", 0),
                        "TablesUpdated": metrics.get("TablesUpdated", 0),
                        "TablesDeleted": metrics.get("TablesDeleted", 0)})
        return out

    # -- classifiers -----------------------------------------------------------------------

    def create_classifier(self, kind: str, spec: dict[str, Any]) -> None:
        if spec["Name"] in self.classifiers:
            raise AlreadyExistsException(f"Classifier {spec['Name']} already exists.")
        now = utcnow()
        self.classifiers[spec["Name"]] = {kind: {**spec, "CreationTime": now, "LastUpdated": now,
                                                 "Version": 1}}

    def update_classifier(self, kind: str, spec: dict[str, Any]) -> None:
        old = self.classifiers.get(spec["Name"], {}).get(kind)
        if old is None:
            raise EntityNotFoundException(f"Classifier {spec['Name']} not found.")
        self.classifiers[spec["Name"]] = {kind: {**old, **spec, "LastUpdated": utcnow(),
                                                 "Version": old["Version"] + 1}}

    def get_classifier(self, name: str) -> dict[str, Any]:
        found = self.classifiers.get(name)
        if found is None:
            raise EntityNotFoundException(f"Classifier {name} not found.")
        return found

    def delete_classifier(self, name: str) -> None:
        if self.classifiers.pop(name, None) is None:
            raise EntityNotFoundException(f"Classifier {name} not found.")

    # -- jobs ------------------------------------------------------------------------------

    def start_job_run(self, name: str, arguments: dict[str, str] | None,
                      allocated_capacity: int | None, max_capacity: float | None,
                      timeout: int | None, worker_type: str | None,
                      security_configuration: str | None, number_of_workers: int | None,
                      notification_property: dict[str, int] | None,
                      previous_run_id: str | None) -> str:
        job = self.get_job(name)
        command = (job.command or {}).get("Name")
        if command in UNSUPPORTED_COMMANDS:
            # https://docs.aws.amazon.com/glue/latest/webapi/API_JobCommand.html names the kinds;
            # only a Python shell script can run here, so say so rather than run it as one.
            raise InvalidInputException(
                "StartJobRun",
                f"local_aws does not support {UNSUPPORTED_COMMANDS[command]} jobs (Command.Name "
                f"'{command}'); only Python shell jobs (Command.Name 'pythonshell') run here")
        running = [r for r in job.job_runs if r.status in _ACTIVE_RUN]
        if len(running) >= (job.execution_property or {}).get("MaxConcurrentRuns", 1):
            raise ConcurrentRunsExceededException(f"Job with name {name} already running")
        args = dict(job.default_arguments or {})
        args.update(arguments or {})
        args.update(job.non_overridable_arguments or {})
        run = RealJobRun(job_name=name, arguments=args,
                         allocated_capacity=allocated_capacity or job.allocated_capacity,
                         max_capacity=max_capacity or job.max_capacity,
                         timeout=timeout or job.timeout, worker_type=worker_type or job.worker_type,
                         security_configuration=security_configuration or job.security_configuration,
                         number_of_workers=number_of_workers or job.number_of_workers,
                         notification_property=notification_property or job.notification_property,
                         job_run_id=previous_run_id)
        job.job_runs.append(run)
        workers.submit(self._run_job, job, run)
        return run.job_run_id

    def _run_job(self, job: Any, run: RealJobRun) -> None:
        started = time.monotonic()
        try:
            rt = runtime.current()
            log_dir = rt.state_dir / "glue" / "job-runs" / job.name / run.job_run_id
            script = job_runs.fetch_script((job.command or {}).get("ScriptLocation"), job.name, log_dir)
            run.status = "RUNNING"
            outcome = job_runs.run_script(
                script, job.name, run.arguments or {}, endpoint_url=rt.endpoint_url,
                region=self.region_name, timeout_s=(run.timeout or job.timeout or 2880) * 60,
                log_dir=log_dir, on_lines=self._cloudwatch_sink(run.job_run_id))
            state, run.error_message = outcome.state, outcome.error_message
        except Exception as exc:  # the run's outcome, reported as Glue would
            run.error_message = str(exc)
            state = "FAILED"
        run.execution_time = int(round(time.monotonic() - started))
        run.completed_on = run.modified_on = utcnow()
        run.status = state

    def _cloudwatch_sink(self, run_id: str) -> job_runs.LineSink:
        def put(stream: str, lines: list[str]) -> None:
            self._log(f"{PYTHON_SHELL_LOG_GROUP}/{stream}", run_id, lines)

        return put

    def _log(self, group: str, stream: str, lines: list[str]) -> None:
        """Lines as CloudWatch Logs events. CloudWatch refuses an empty message (InputLogEvent:
        length 1 or more) and takes at most 10,000 events a call (PutLogEvents)."""
        logs = logs_backends[self.account_id][self.region_name]
        now = int(time.time() * 1000)
        events = [{"timestamp": now, "message": line} for line in lines if line]
        for start in range(0, len(events), 10_000):
            logs.ensure_log_group(group)
            logs.ensure_log_stream(group, stream)
            logs.put_log_events(group, stream, events[start:start + 10_000])

    def update_job(self, name: str, job_update: dict[str, Any]) -> None:
        job = self.get_job(name)
        for param, value in job_update.items():
            if param in _JOB_UPDATE:
                setattr(job, _JOB_UPDATE[param], value)
        job.last_modified_on = utcnow()


glue_backends = BackendDict(LocalGlueBackend, "glue")
