"""Glue's API for LocalGlueBackend: moto's GlueResponse, with the calls moto lacks added."""

from __future__ import annotations

from moto.core.responses import ActionResult, EmptyResult
from moto.glue.exceptions import EntityNotFoundException
from moto.glue.responses import GlueResponse

from local_aws.glue.models import (
    CLASSIFIER_KINDS,
    LocalGlueBackend,
    glue_backends,
)


class LocalGlueResponse(GlueResponse):
    @property
    def glue_backend(self) -> LocalGlueBackend:
        return glue_backends[self.current_account][self.region]

    def get_crawler(self) -> ActionResult:
        crawler = self.glue_backend.get_crawler(self.parameters.get("Name"))
        return ActionResult({"Crawler": self.glue_backend.describe_crawler(crawler)})

    def get_crawlers(self) -> ActionResult:
        backend = self.glue_backend
        return ActionResult({"Crawlers": [backend.describe_crawler(c) for c in backend.get_crawlers()]})

    def update_crawler(self) -> ActionResult:
        self.glue_backend.update_crawler(self.parameters.get("Name"), self.parameters)
        return EmptyResult()

    def get_crawler_metrics(self) -> ActionResult:
        metrics = self.glue_backend.get_crawler_metrics(self.parameters.get("CrawlerNameList"))
        return ActionResult({"CrawlerMetricsList": metrics})

    def _classifier_spec(self, action: str) -> tuple[str, dict]:
        for kind in CLASSIFIER_KINDS:
            spec = self.parameters.get(kind)
            if spec:
                return kind, spec
        raise EntityNotFoundException(f"{action} needs one of " + ", ".join(CLASSIFIER_KINDS))

    def create_classifier(self) -> ActionResult:
        self.glue_backend.create_classifier(*self._classifier_spec("CreateClassifier"))
        return EmptyResult()

    def update_classifier(self) -> ActionResult:
        self.glue_backend.update_classifier(*self._classifier_spec("UpdateClassifier"))
        return EmptyResult()

    def get_classifier(self) -> ActionResult:
        return ActionResult({"Classifier": self.glue_backend.get_classifier(self.parameters.get("Name"))})

    def get_classifiers(self) -> ActionResult:
        return ActionResult({"Classifiers": list(self.glue_backend.classifiers.values())})

    def delete_classifier(self) -> ActionResult:
        self.glue_backend.delete_classifier(self.parameters.get("Name"))
        return EmptyResult()

    def update_job(self) -> ActionResult:
        name = self.parameters.get("JobName")
        self.glue_backend.update_job(name, self.parameters.get("JobUpdate") or {})
        return ActionResult({"JobName": name})
