"""infra/covid-lake.yaml: lint-clean, least privilege, secure defaults, and one settings module.

Offline: cfn-lint validates against its bundled schemas; the rest reads the template through
cfn-lint's own decoder (which understands !Ref, !Sub, !GetAtt, !If) and compares it with
include/covid_lake/tasks/settings.py, infra/airflow-policy.json and infra/README.md.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from covid_lake.domain.datasets import DATASETS, SOURCE_BUCKET
from covid_lake.tasks import settings

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
TEMPLATE = INFRA / "covid-lake.yaml"
POLICY_FILE = INFRA / "airflow-policy.json"

# Statements allowed a bare "*" Resource, because AWS offers nothing narrower for their actions
# (Service Authorization Reference: these actions list no resource type). Keyed by Sid; a
# statement may use only the actions listed, and only with the condition given.
WILDCARD_ALLOWED = {
    # Glue classifiers have no ARN: Get/Create/UpdateClassifier take only "*".
    "GlueClassifier": ({"glue:GetClassifier", "glue:CreateClassifier", "glue:UpdateClassifier"},
                       None),
    # Data API statement ids are not resources; AWS's own AmazonRedshiftDataFullAccess scopes
    # these to the caller's statements with this condition, as we do.
    "RedshiftDataOwnStatements": ({"redshift-data:DescribeStatement",
                                   "redshift-data:GetStatementResult",
                                   "redshift-data:CancelStatement"},
                                  "redshift-data:statement-owner-iam-userid"),
}
# Outputs that are not settings (the rest are CovidLake<Setting>).
NON_SETTING_OUTPUTS = {"AirflowPolicyArn": "the policy to attach to the identity behind aws_default"}
# Settings whose AWS value differs from the local_aws default by design.
DIFFERS_ON_AWS = {
    "env": "the switch itself",
    "bucket": "bucket names are global: the stack adds account and region",
    "athena_workgroup": "moto has only 'primary'; on AWS the stack's workgroup enforces limits",
}
ACCOUNT, REGION = "123456789012", "us-east-1"  # the account the local defaults name


@pytest.fixture(scope="module")
def template() -> dict:
    from cfnlint.decode import decode

    tpl, problems = decode(str(TEMPLATE))
    assert not problems, problems
    return tpl


# ------------------------------------------------------------------ reading the template

class _Drop:
    """!Ref AWS::NoValue: the key or item disappears."""


def canonical(node, conditions: dict[str, bool]):
    """The template's value as plain JSON under the given conditions, intrinsics as ${...} text:
    {"Fn::Sub": s} -> s, {"Ref": x} -> "${x}", {"Fn::GetAtt": [r, a]} -> "${r.a}"; Fn::If picks
    a branch. infra/airflow-policy.json is written in exactly this form."""
    if isinstance(node, dict):
        if len(node) == 1:
            (key, value), = node.items()
            if key == "Ref":
                return _Drop if value == "AWS::NoValue" else f"${{{value}}}"
            if key == "Fn::Sub":
                assert isinstance(value, str), "use the one-string form of !Sub in policies"
                return str(value)
            if key == "Fn::GetAtt":
                return "${" + ".".join(value if isinstance(value, list) else [value]) + "}"
            if key == "Fn::If":
                name, yes, no = value
                return canonical(yes if conditions[name] else no, conditions)
        out = {str(k): canonical(v, conditions) for k, v in node.items()}
        return {k: v for k, v in out.items() if v is not _Drop}
    if isinstance(node, list):
        out = [canonical(v, conditions) for v in node]
        return [v for v in out if v is not _Drop]
    return node if isinstance(node, (bool, int, float)) else str(node)


SCENARIOS = ({"UseCluster": False, "UseServerless": True, "AttachAirflowRole": False},
             {"UseCluster": True, "UseServerless": False, "AttachAirflowRole": True})


def policy_documents(tpl: dict, conditions: dict[str, bool]) -> dict[str, dict]:
    """Every policy document in the template, by 'Resource/part'."""
    docs = {}
    for name, res in tpl["Resources"].items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::IAM::Role":
            docs[f"{name}/trust"] = props["AssumeRolePolicyDocument"]
            for p in props.get("Policies", []):
                docs[f"{name}/{p['PolicyName']}"] = p["PolicyDocument"]
        elif res["Type"] in ("AWS::IAM::ManagedPolicy", "AWS::S3::BucketPolicy"):
            docs[name] = props["PolicyDocument"]
    return {k: canonical(v, conditions) for k, v in docs.items()}


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _narrow_resource(arn: str) -> bool:
    """A '*' only at the end, after at least two named segments of the ARN's resource part:
    arn:aws:s3:::bucket/raw/* and table/db/* are narrow; *, arn:aws:s3:::* and bucket/* are not."""
    if "*" not in arn:
        return True
    arn = re.sub(r"^\$\{\w+\.Arn\}", "arn:aws:s3:::named", arn)  # ${Bucket.Arn}/prefix/*
    if arn.count("*") > 1 or not arn.endswith("*") or not arn.startswith("arn:"):
        return False
    resource = arn.split(":", 5)[5][:-1]
    return len([s for s in re.split(r"[/:]", resource) if s]) >= 2


def wildcard_violations(doc: dict, where: str) -> list[str]:
    """'*' in an Allow statement's Action, Principal or Resource, outside WILDCARD_ALLOWED."""
    bad = []
    for st in _listed(doc["Statement"]):
        if st["Effect"] != "Allow":
            continue  # a Deny with '*' only narrows what is allowed
        sid = st.get("Sid", "<no Sid>")
        actions = _listed(st.get("Action", []))
        bad += [f"{where} {sid}: action {a}" for a in actions if "*" in a]
        principal = st.get("Principal")
        if principal == "*" or (isinstance(principal, dict) and "*" in json.dumps(principal)):
            bad.append(f"{where} {sid}: principal {principal}")
        for arn in _listed(st.get("Resource", [])):
            if _narrow_resource(arn):
                continue
            allowed, condition = WILDCARD_ALLOWED.get(sid, (None, None))
            if arn != "*" or allowed is None or not set(actions) <= allowed:
                bad.append(f"{where} {sid}: resource {arn} for {sorted(actions)}")
            elif condition and condition not in json.dumps(st.get("Condition", {})):
                bad.append(f"{where} {sid}: resource * without the condition {condition}")
    return bad


def resolve(node, tpl: dict):
    """A value as AWS would compute it with the default parameters in account ACCOUNT."""
    params = {k: str(v.get("Default", "")) for k, v in tpl["Parameters"].items()}
    pseudo = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::Partition": "aws"}

    def ref(name: str) -> str:
        if name in params:
            return params[name]
        if name in pseudo:
            return pseudo[name]
        res = tpl["Resources"][name]
        props = res["Properties"]
        value = {"AWS::S3::Bucket": lambda: props["BucketName"],
                 "AWS::Glue::Database": lambda: props["DatabaseInput"]["Name"],
                 "AWS::Athena::WorkGroup": lambda: props["Name"],
                 "AWS::RedshiftServerless::Workgroup": lambda: props["WorkgroupName"],
                 "AWS::IAM::ManagedPolicy": lambda: props["ManagedPolicyName"]}[res["Type"]]()
        return resolve(value, tpl)

    def getatt(name: str, attr: str) -> str:
        res = tpl["Resources"][name]
        if res["Type"] == "AWS::IAM::Role" and attr == "Arn":
            return f"arn:aws:iam::{ACCOUNT}:role/" + resolve(res["Properties"]["RoleName"], tpl)
        if res["Type"] == "AWS::S3::Bucket" and attr == "Arn":
            return "arn:aws:s3:::" + ref(name)
        raise KeyError(f"{name}.{attr}")

    if isinstance(node, dict) and len(node) == 1:
        (key, value), = node.items()
        if key == "Ref":
            return ref(value)
        if key == "Fn::GetAtt":
            return getatt(*value)
        if key == "Fn::Sub":
            def sub(m):
                name = m.group(1)
                return getatt(*name.split(".", 1)) if "." in name else ref(name)
            return re.sub(r"\$\{([^}!]+)\}", sub, value)
    return str(node)


def setting_outputs(tpl: dict) -> dict[str, str]:
    """{setting name: output key} for the CovidLake outputs."""
    out = {}
    for key in tpl["Outputs"]:
        if key.startswith("CovidLake"):
            name = re.sub(r"(?<!^)(?=[A-Z])", "_", key[len("CovidLake"):]).lower()
            out[name] = key
    return out


# ------------------------------------------------------------------ the tests

def test_cfn_lint_reports_nothing():
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    done = subprocess.run([str(cfn_lint), "--format", "parseable", str(TEMPLATE)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_no_wildcard_outside_the_allow_list(template):
    bad = []
    for conditions in SCENARIOS:
        for where, doc in policy_documents(template, conditions).items():
            bad += wildcard_violations(doc, where)
    bad += wildcard_violations(json.loads(POLICY_FILE.read_text()), POLICY_FILE.name)
    assert not bad, "\n".join(sorted(set(bad)))


def test_the_wildcard_check_catches_what_it_should():
    doc = {"Statement": [
        {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/raw/*"},
        {"Sid": "B", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Sid": "C", "Effect": "Allow", "Action": "glue:GetTable", "Resource": "*"},
        {"Sid": "GlueClassifier", "Effect": "Allow", "Action": "glue:DeleteTable", "Resource": "*"},
        {"Sid": "RedshiftDataOwnStatements", "Effect": "Allow",
         "Action": "redshift-data:DescribeStatement", "Resource": "*"},
        {"Sid": "D", "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}},
        {"Sid": "E", "Effect": "Allow", "Action": "glue:GetTable",
         "Resource": "arn:aws:glue:*:1:table/db/t"},
        {"Sid": "F", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "${Bucket.Arn}/*"},
        {"Sid": "OK", "Effect": "Allow", "Action": "glue:GetTable",
         "Resource": ["arn:aws:glue:r:1:table/db/*", "${Bucket.Arn}/${RawPrefix}/*"]},
        {"Sid": "Deny", "Effect": "Deny", "Action": "s3:*", "Resource": "*", "Principal": "*"},
    ]}
    found = {v.split()[1].rstrip(":") for v in wildcard_violations(doc, "x")}
    assert found == {"A", "B", "C", "GlueClassifier", "RedshiftDataOwnStatements", "D", "E", "F"}


def test_bucket_is_encrypted_private_versioned_and_kept(template):
    bucket = template["Resources"]["DataBucket"]
    props = bucket["Properties"]
    assert props["VersioningConfiguration"]["Status"] == "Enabled"
    rule = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    block = props["PublicAccessBlockConfiguration"]
    assert all(block[k] is True for k in ("BlockPublicAcls", "BlockPublicPolicy",
                                          "IgnorePublicAcls", "RestrictPublicBuckets"))
    assert bucket["DeletionPolicy"] == bucket["UpdateReplacePolicy"] == "Retain"
    # Lifecycle may only expire disposable Athena results, never raw/ or star/ objects.
    for rule in props["LifecycleConfiguration"]["Rules"]:
        if "ExpirationInDays" in rule or "NoncurrentVersionExpiration" in rule:
            assert canonical(rule["Prefix"], SCENARIOS[0]) == "${AthenaOutputPrefix}/"
    deny = canonical(template["Resources"]["DataBucketPolicy"]["Properties"]["PolicyDocument"],
                     SCENARIOS[0])["Statement"]
    assert any(s["Effect"] == "Deny" and s["Condition"]["Bool"]["aws:SecureTransport"] == "false"
               for s in deny)


def test_redshift_serverless_is_private(template):
    res = template["Resources"]
    workgroup = res["RedshiftWorkgroup"]["Properties"]
    assert workgroup["PubliclyAccessible"] is False
    assert workgroup["EnhancedVpcRouting"] is False  # see the VPC comment: no route out needed
    subnets = [s["Ref"] for s in workgroup["SubnetIds"]]
    assert len(subnets) == 3
    for name in subnets:
        assert res[name]["Properties"]["MapPublicIpOnLaunch"] is False
    kinds = {r["Type"] for r in res.values()}
    assert not kinds & {"AWS::EC2::InternetGateway", "AWS::EC2::VPCGatewayAttachment",
                        "AWS::EC2::NatGateway", "AWS::EC2::Route", "AWS::EC2::EIP"}
    sg = res["RedshiftSecurityGroup"]["Properties"]
    assert "SecurityGroupIngress" not in sg
    namespace = res["RedshiftNamespace"]["Properties"]
    assert namespace["ManageAdminPassword"] is True and "AdminUserPassword" not in namespace
    assert canonical(namespace["IamRoles"], SCENARIOS[0]) == ["${RedshiftCopyRole.Arn}"]
    for name in ("Vpc", "PrivateSubnetA", "RedshiftNamespace", "RedshiftWorkgroup"):
        assert res[name]["Condition"] == "UseServerless", name  # an existing cluster needs none


def test_athena_workgroup_limits_scans_and_enforces_the_result_location(template):
    props = template["Resources"]["AthenaWorkGroup"]["Properties"]["WorkGroupConfiguration"]
    assert props["EnforceWorkGroupConfiguration"] is True
    cutoff = props["BytesScannedCutoffPerQuery"]
    default = int(template["Parameters"][cutoff["Ref"]]["Default"])
    assert 10_000_000 <= default <= 10_000_000_000
    location = canonical(props["ResultConfiguration"]["OutputLocation"], SCENARIOS[0])
    assert location == "s3://${DataBucket}/${AthenaOutputPrefix}/"


def test_copy_role_reads_star_only(template):
    role = template["Resources"]["RedshiftCopyRole"]["Properties"]
    trust = canonical(role["AssumeRolePolicyDocument"], SCENARIOS[0])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "redshift.amazonaws.com"}]
    statements = [s for p in role["Policies"]
                  for s in canonical(p["PolicyDocument"], SCENARIOS[0])["Statement"]]
    actions = {a for s in statements for a in _listed(s["Action"])}
    assert actions == {"s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"}
    for s in statements:
        if "s3:GetObject" in _listed(s["Action"]):
            assert _listed(s["Resource"]) == ["${DataBucket.Arn}/${StarPrefix}/*"]
        if "s3:ListBucket" in _listed(s["Action"]):
            assert s["Condition"]["StringLike"]["s3:prefix"] == "${StarPrefix}/*"


def test_every_output_is_a_setting_with_a_local_default(template):
    for key, out in template["Outputs"].items():
        if not key.startswith("CovidLake"):
            assert key in NON_SETTING_OUTPUTS, f"output {key}: neither CovidLake<Setting> nor listed"
            continue
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", key[len("CovidLake"):]).lower()
        assert name in settings.DEFAULTS, f"output {key} names no setting ({name})"
        assert settings.stack_output(name) == key
        assert str(out["Description"]).startswith(name), f"{key}: describe it as {name}"


def test_every_setting_comes_from_the_stack_or_is_documented(template):
    from dataclasses import fields

    assert {f.name for f in fields(settings.Settings)} == set(settings.DEFAULTS)
    produced = set(setting_outputs(template))
    missing = set(settings.DEFAULTS) - produced - set(settings.NOT_FROM_STACK)
    assert not missing, f"settings neither output by the stack nor in NOT_FROM_STACK: {missing}"
    assert not produced & set(settings.NOT_FROM_STACK)
    # What the DAG file reads is a setting (it can only read Settings fields, but names in
    # templates are strings).
    dag = (ROOT / "dags" / "covid_lake_daily.py").read_text()
    read = set(re.findall(r"\bS\.(\w+)", dag)) | set(re.findall(r"template\(\"(\w+)\"\)", dag))
    assert read and read <= set(settings.DEFAULTS), read - set(settings.DEFAULTS)


def test_stack_values_with_default_parameters_are_the_local_defaults(template):
    outputs = template["Outputs"]
    for name, key in setting_outputs(template).items():
        if name in DIFFERS_ON_AWS:
            continue
        assert resolve(outputs[key]["Value"], template) == settings.DEFAULTS[name], name
    assert resolve(outputs["CovidLakeEnv"]["Value"], template) == "aws"


def test_policy_file_is_the_stack_policy(template):
    stack = canonical(template["Resources"]["AirflowPolicy"]["Properties"]["PolicyDocument"],
                      SCENARIOS[0])
    on_disk = json.loads(POLICY_FILE.read_text())
    assert on_disk == stack, ("infra/airflow-policy.json differs from the stack's AirflowPolicy; "
                              "the stack's, serverless variant:\n" + json.dumps(stack, indent=2))


def test_policy_grants_exactly_what_the_dag_names(template):
    doc = template["Resources"]["AirflowPolicy"]["Properties"]["PolicyDocument"]
    by_sid = {s["Sid"]: s for s in doc["Statement"]}

    def arns(sid: str) -> list[str]:
        return [resolve(r, template) for r in _listed(by_sid[sid]["Resource"])]

    d = settings.DEFAULTS
    assert arns("ReadSourceLake") == [f"arn:aws:s3:::{SOURCE_BUCKET}/{ds.key}" for ds in DATASETS]
    assert d["source_bucket"] == SOURCE_BUCKET
    assert arns("GlueCrawler") == [f"arn:aws:glue:{REGION}:{ACCOUNT}:crawler/{d['crawler_name']}"]
    assert arns("GlueJob") == [f"arn:aws:glue:{REGION}:{ACCOUNT}:job/{d['glue_job_name']}"]
    assert arns("PassGlueRoles") == [d["crawler_role_arn"], d["glue_job_role_arn"]]
    assert by_sid["PassGlueRoles"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}}
    bucket = f"covid-lake-{ACCOUNT}-{REGION}"
    for sid, prefix in (("RawZone", d["raw_prefix"]), ("StarZone", d["star_prefix"]),
                        ("AthenaResults", d["athena_output_prefix"]),
                        ("Reports", d["reports_prefix"])):
        assert arns(sid) == [f"arn:aws:s3:::{bucket}/{prefix}/*"], sid
    assert f"arn:aws:s3:::{bucket}/{d['scripts_prefix']}/sql/load/*" in arns("LoadJobCode")
    assert arns("GlueCatalog")[1].endswith(f":database/{d['glue_database']}")


# The pipeline's own boto3 calls (operators' calls are listed in the policy by hand). An S3 call
# is authorised by differently named actions; elsewhere the action is the call in CamelCase.
S3_ACTIONS = {"head_bucket": {"s3:ListBucket"}, "head_object": {"s3:GetObject"},
              "get_object": {"s3:GetObject"}, "put_object": {"s3:PutObject"},
              "upload_file": {"s3:PutObject"}, "copy_object": {"s3:GetObject", "s3:PutObject"},
              "list_objects_v2": {"s3:ListBucket"}, "delete_objects": {"s3:DeleteObject"},
              "get_bucket_versioning": {"s3:GetBucketVersioning"},
              # Not granted: the stack made the bucket, versioned, so head_bucket succeeds and
              # get_bucket_versioning says Enabled, and these are skipped.
              "create_bucket": set(), "put_bucket_versioning": set()}
CALLERS = {  # file -> the client each variable name holds there
    **{f"include/covid_lake/tasks/{m}.py": {"s3": "s3", "glue": "glue", "athena": "athena",
                                            "client": "redshift-data"}
       for m in ("land", "catalog", "extract", "publish", "warehouse")},
    "include/covid_lake/aws/s3_objects.py": {"s3": "s3"},
    "include/covid_lake/aws/athena_io.py": {"client": "athena", "s3": "s3"},
    "include/covid_lake/aws/redshift_io.py": {"client": "redshift-data"},
}
JOB_CALLERS = {"include/scripts/load_redshift.py": {"s3": "s3", "client": "redshift-data"}}


def actions_called(callers: dict[str, dict[str, str]]) -> dict[str, set[str]]:
    """IAM action -> the files whose code calls it."""
    found: dict[str, set[str]] = {}
    for rel, variables in callers.items():
        text = (ROOT / rel).read_text()
        names = "|".join(variables)
        calls = re.findall(rf"\b({names})\.get_paginator\(\"(\w+)\"\)", text)
        # A method called, or passed to a helper that calls it (s3_objects.create(glue.create_crawler, ...)).
        calls += [c for c in re.findall(rf"\b({names})\.(\w+)[(,]", text) if c[1] != "get_paginator"]
        for var, method in calls:
            service = variables[var]
            if service == "s3":
                needed = S3_ACTIONS[method]  # a KeyError: a new S3 call, map it here
            else:
                needed = {f"{service}:" + "".join(w.capitalize() for w in method.split("_"))}
            for action in needed:
                found.setdefault(action, set()).add(rel)
    return found


def _allowed_actions(doc: dict) -> set[str]:
    return {a for st in _listed(doc["Statement"]) if st["Effect"] == "Allow"
            for a in _listed(st["Action"])}


def test_policies_allow_every_call_the_pipeline_code_makes(template):
    for conditions in SCENARIOS:
        docs = policy_documents(template, conditions)
        airflow = _allowed_actions(docs["AirflowPolicy"])
        job = _allowed_actions(docs["GlueJobRole/load-redshift"])
        missing = {a: f for a, f in actions_called(CALLERS).items() if a not in airflow}
        assert not missing, f"AirflowPolicy lacks actions the pipeline calls: {missing}"
        missing = {a: f for a, f in actions_called(JOB_CALLERS).items() if a not in job}
        assert not missing, f"GlueJobRole lacks actions the load script calls: {missing}"
    # Proves the scan sees calls at all.
    assert {"glue:CreateCrawler", "athena:StartQueryExecution", "s3:DeleteObject",
            "redshift-data:ExecuteStatement"} <= set(actions_called(CALLERS))


def test_policy_fits_the_managed_policy_size_limit():
    text = json.dumps(json.loads(POLICY_FILE.read_text()), separators=(",", ":"))
    assert len(text) < 6144  # IAM: a managed policy holds at most 6,144 characters


def test_readme_one_liner_turns_outputs_into_the_settings_variables(template):
    awk = shutil.which("awk")
    if awk is None:
        pytest.skip("no awk on this machine")
    readme = (INFRA / "README.md").read_text()
    program = re.search(r"awk -F'\\t' '([^']+)'", readme).group(1)
    lines = "".join(f"{key}\tvalue-of-{key}\n" for key in setting_outputs(template).values())
    done = subprocess.run([awk, "-F", "\t", program], input=lines, capture_output=True,
                          text=True, check=True)
    name, _, value = done.stdout.strip().partition("=")
    assert name == settings.ENV_VAR
    want = {name: f"value-of-{key}" for name, key in setting_outputs(template).items()}
    assert json.loads(value) == want
    assert settings.load(lambda k, d: value) == settings.Settings(**{**settings.DEFAULTS, **want})
