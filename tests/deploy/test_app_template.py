"""
The app stack (deploy/p2p-app.yaml) over its parsed YAML: no drift from the
builder, every schedule with its DLQ and retry policy, every table with its
alarms, and least privilege in every role.
"""

import pytest

from core import dynamo
from deploy import iam, jobs
from deploy.app import template as app_template
from deploy.template import table_names
from tests.deploy.conftest import FILES

pytestmark = pytest.mark.backend_free

DATA_PREFIXES = ("dynamodb:", "s3:", "sqs:", "secretsmanager:", "kms:", "lambda:")
# Actions IAM offers no resource for (jobs.VPC_ACTIONS, ECR's token).
STAR_RESOURCE_OK = set(jobs.VPC_ACTIONS) | {"ecr:GetAuthorizationToken"}


def _of_type(template, kind):
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def _policies(role: dict):
    for item in role["Properties"].get("Policies", []):
        if "Fn::If" in item:
            item = item["Fn::If"][1]
        yield item["PolicyDocument"]


def _statements(template):
    for name, role in _of_type(template, "AWS::IAM::Role").items():
        for document in _policies(role):
            for statement in document["Statement"]:
                yield name, statement


def _getatt(value) -> str:
    """The resource a GetAtt names (`!GetAtt X.Arn` parses as "X.Arn")."""
    attr = value["Fn::GetAtt"]
    return attr.split(".")[0] if isinstance(attr, str) else attr[0]


def _listed(value):
    return value if isinstance(value, list) else [value]


def _audit_table_arn(resource) -> bool:
    text = resource.get("Fn::Sub", "") if isinstance(resource, dict) else resource
    return text.endswith("table/${TablePrefix}AuditLogTable")


def test_the_committed_app_template_is_what_the_builder_builds():
    built = app_template(table_names()).to_yaml()
    assert FILES["app"].read_text() == built, (
        "deploy/p2p-app.yaml is out of date: run `make template`"
    )


def test_every_job_has_a_schedule_with_a_dlq_retries_and_a_time_zone(committed_app):
    schedules = _of_type(committed_app, "AWS::Scheduler::Schedule")
    assert len(schedules) == len(jobs.JOBS) == 9
    assert not _of_type(committed_app, "AWS::Events::Rule")
    for name, schedule in schedules.items():
        props = schedule["Properties"]
        target = props["Target"]
        assert _getatt(target["DeadLetterConfig"]["Arn"]) == "JobDeadLetterQueue", name
        assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1, name
        assert props["ScheduleExpressionTimezone"] == {"Ref": "ScheduleTimezone"}
        assert props["FlexibleTimeWindow"] == {"Mode": "OFF"}
    reconcile = schedules["ReconcileInvoicesSchedule"]["Properties"]
    assert reconcile["ScheduleExpression"] == "cron(0/30 9-17 ? * MON-FRI *)"
    queue = committed_app["Resources"]["JobDeadLetterQueue"]["Properties"]
    assert queue["SqsManagedSseEnabled"] is True


def test_each_job_lambda_runs_its_handler_from_the_image(committed_app):
    functions = _of_type(committed_app, "AWS::Lambda::Function")
    handlers = {
        name: f["Properties"]["ImageConfig"]["Command"] for name, f in functions.items()
    }
    assert handlers["ReconcileInvoicesFunction"] == [jobs.RECONCILE_HANDLER]
    assert handlers["SendDigestFunction"] == [jobs.GENERIC_HANDLER]
    schedule = committed_app["Resources"]["SendDigestSchedule"]["Properties"]
    assert schedule["Target"]["Input"] == '{"command": "send_digest", "args": []}'
    for function in functions.values():
        props = function["Properties"]
        assert props["PackageType"] == "Image"
        assert props["Code"] == {"ImageUri": {"Ref": "ImageUri"}}
        roles = {_getatt(f["Properties"]["Role"]) for f in functions.values()}
    assert len(roles) == len(functions), "one role per job"


def test_each_scheduler_role_invokes_its_own_function_only(committed_app):
    for name, schedule in _of_type(committed_app, "AWS::Scheduler::Schedule").items():
        target = schedule["Properties"]["Target"]
        role = committed_app["Resources"][_getatt(target["RoleArn"])]
        (document,) = _policies(role)
        invoke = [
            s for s in document["Statement"] if "lambda:InvokeFunction" in s["Action"]
        ]
        assert [s["Resource"] for s in invoke] == [target["Arn"]], name


def test_every_table_has_its_throttle_and_system_error_alarms(committed_app):
    alarms = _of_type(committed_app, "AWS::CloudWatch::Alarm")
    for model_cls in dynamo.registered_models():
        table = model_cls.Meta.base_table_name
        for metric in ("ThrottledRequests", "SystemErrors"):
            (query,) = alarms[f"{table}{metric}Alarm"]["Properties"]["Metrics"]
            text = query["Expression"]["Fn::Sub"]
            assert f"SUM({metric})" in text and f"'${{TablePrefix}}{table}'" in text


def test_the_missing_reconcile_run_alarm_reads_runs_and_breaches_on_silence(
    committed_app,
):
    props = committed_app["Resources"]["ReconcileRunMissingAlarm"]["Properties"]
    assert props["TreatMissingData"] == "breaching"
    metric = props["Metrics"][0]["MetricStat"]["Metric"]
    assert metric["Namespace"] == "P2P" and metric["MetricName"] == "Runs"
    assert metric["Dimensions"] == [{"Name": "Job", "Value": "reconcile_invoices"}]


def test_no_statement_grants_a_wildcard_action_or_data_on_any_resource(committed_app):
    seen = 0
    for role, statement in _statements(committed_app):
        seen += 1
        for action in _listed(statement["Action"]):
            assert "*" not in action, (role, action)
            if "*" in _listed(statement["Resource"]):
                assert action in STAR_RESOURCE_OK, (role, action)
            assert not action.startswith(DATA_PREFIXES) or statement["Resource"] != "*"
    assert seen > 50


def test_no_role_may_delete_or_update_audit_entries(committed_app):
    chain_head_grants = 0
    for role, statement in _statements(committed_app):
        if not any(_audit_table_arn(r) for r in _listed(statement["Resource"])):
            continue
        actions = set(_listed(statement["Action"]))
        assert not actions & {"dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}, role
        if "dynamodb:UpdateItem" in actions:
            assert statement["Condition"] == {
                "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["chain#*"]}
            }, role
            chain_head_grants += 1
    assert chain_head_grants >= 3  # web, reconcile, the importers


def test_every_job_access_names_registered_tables():
    registered = set(table_names())
    assert set(iam.JOB_ACCESS) == {job.command for job in jobs.JOBS}
    for command, access in iam.JOB_ACCESS.items():
        assert set(access) <= registered, command
        assert "dynamodb:Scan" not in {a for acts in access.values() for a in acts}


def test_web_tier_health_check_tls_and_outputs(committed_app):
    resources = committed_app["Resources"]
    assert resources["WebTargetGroup"]["Properties"]["HealthCheckPath"] == "/health"
    https = resources["HttpsListener"]["Properties"]
    assert https["Protocol"] == "HTTPS" and https["SslPolicy"].startswith(
        "ELBSecurityPolicy-TLS13"
    )
    (redirect,) = resources["HttpListener"]["Properties"]["DefaultActions"]
    assert redirect["RedirectConfig"]["Protocol"] == "HTTPS"
    assert resources["Database"]["DeletionPolicy"] == "Snapshot"
    assert resources["Database"]["Properties"]["StorageEncrypted"] is True
    endpoints = {
        r["Properties"]["ServiceName"]["Fn::Sub"].rsplit(".", 1)[1]
        for r in _of_type(committed_app, "AWS::EC2::VPCEndpoint").values()
        if r["Properties"]["VpcEndpointType"] == "Gateway"
    }
    assert endpoints == {"dynamodb", "s3"}
    outputs = committed_app["Outputs"]
    assert {
        "Cluster",
        "MigrateTaskDefinition",
        "PrivateSubnets",
        "TaskSecurityGroup",
    } <= set(outputs)
    (migrate,) = resources["MigrateTaskDefinition"]["Properties"][
        "ContainerDefinitions"
    ]
    assert migrate["Command"][-2:] == ["migrate", "--noinput"]


def test_no_job_function_holds_a_secret_value_in_its_configuration(committed_app):
    functions = {
        name: resource["Properties"]["Environment"]["Variables"]
        for name, resource in committed_app["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
    }
    assert functions
    for name, variables in functions.items():
        assert "resolve:secretsmanager" not in str(variables), name
        assert {"SECRET_KEY", "DATABASE_URL"}.isdisjoint(variables), name
        assert "P2P_SECRETS" in variables, name
