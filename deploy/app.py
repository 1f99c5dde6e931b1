"""
The application stack (deploy/p2p-app.yaml, issue 20): network, web tier,
scheduled jobs, their roles and alarms, over the data stack's tables and
buckets (deploy/data.py).

Two stacks, because the two live differently: the data stack is retained
and changes when a model does; this one can be deleted and deployed again
(a new image, other sizes, another network) without touching a record. It
takes the data stack's names as parameters (`TablePrefix`,
`DocumentBucketName`, `AuditDigestBucketName`, from that stack's outputs):
no ImportValue, so neither stack pins the other and the data template
stays as it is deployed. `make deploy` (deploy/deploy.sh) passes them.

The outputs `Cluster`, `MigrateTaskDefinition`, `PrivateSubnets` and
`TaskSecurityGroup` are what `make deploy` needs to run the migration task.
"""

from troposphere import (
    Equals,
    Join,
    Not,
    Output,
    Parameter,
    Ref,
    Template,
)

from deploy import alarms, jobs, network, web

DESCRIPTION = (
    "P2P application: VPC, ECS Fargate web tier behind an HTTPS ALB, RDS "
    "PostgreSQL, scheduled job Lambdas on EventBridge Scheduler, IAM, alarms"
)

# (name, type, default, description, extra): every knob of the stack.
PARAMETERS = [
    (
        "Stage",
        "String",
        "prod",
        "Deployment stage, in resource names (prod, staging).",
        {"AllowedPattern": "[a-z][a-z0-9-]{0,15}"},
    ),
    (
        "TablePrefix",
        "String",
        "p2p-prod-",
        "The data stack's TablePrefix (DYNAMODB_TABLE_PREFIX).",
        {"AllowedPattern": "[A-Za-z0-9_.-]*"},
    ),
    (
        "DocumentBucketName",
        "String",
        None,
        "The data stack's DocumentBucketName output (AWS_STORAGE_BUCKET_NAME).",
        {},
    ),
    (
        "AuditDigestBucketName",
        "String",
        None,
        "The data stack's AuditDigestBucketName output.",
        {},
    ),
    (
        "KmsKeyArn",
        "String",
        "",
        "The data stack's customer-managed table key, if any; empty: AWS-owned.",
        {},
    ),
    (
        "DomainName",
        "String",
        None,
        "The app's host name (ALLOWED_HOSTS), e.g. p2p.example.com.",
        {},
    ),
    (
        "CertificateArn",
        "String",
        None,
        "ACM certificate for DomainName, in this region.",
        {},
    ),
    ("EcrRepositoryName", "String", "p2p", "The ECR repository ImageUri is in.", {}),
    (
        "ImageUri",
        "String",
        None,
        "The image (ECR URI with its tag) for the web tasks, migrations and jobs.",
        {},
    ),
    (
        "TaskCpu",
        "String",
        "512",
        "Fargate task CPU units.",
        {"AllowedValues": ["256", "512", "1024", "2048", "4096"]},
    ),
    (
        "TaskMemory",
        "String",
        "1024",
        "Fargate task memory (MiB), valid for TaskCpu.",
        {},
    ),
    ("DesiredTasks", "Number", "2", "Web tasks at deploy time.", {"MinValue": 2}),
    (
        "MinTasks",
        "Number",
        "2",
        "Fewest web tasks (two AZs: at least 2).",
        {"MinValue": 2},
    ),
    ("MaxTasks", "Number", "6", "Most web tasks scaling may run.", {"MinValue": 2}),
    (
        "GunicornWorkers",
        "Number",
        "3",
        "gunicorn workers per task (WEB_CONCURRENCY).",
        {},
    ),
    (
        "VpcCidr",
        "String",
        "10.40.0.0/16",
        "The VPC's address range (a /16).",
        {"AllowedPattern": r"\d+\.\d+\.0\.0/16"},
    ),
    (
        "NatGatewayPerAz",
        "String",
        "false",
        "true: a NAT gateway in each AZ; false: one, shared.",
        {"AllowedValues": ["true", "false"]},
    ),
    ("DbInstanceClass", "String", "db.t4g.small", "RDS instance class.", {}),
    ("DbEngineVersion", "String", "16.4", "PostgreSQL engine version.", {}),
    ("DbAllocatedStorage", "Number", "20", "RDS storage (GiB).", {"MinValue": 20}),
    (
        "DbMultiAz",
        "String",
        "true",
        "RDS in two AZs.",
        {"AllowedValues": ["true", "false"]},
    ),
    (
        "DbBackupRetentionDays",
        "Number",
        "7",
        "RDS automated backups kept (days).",
        {"MinValue": 1, "MaxValue": 35},
    ),
    (
        "AlarmEmail",
        "String",
        "",
        "Where alarms are e-mailed; empty: no subscription.",
        {},
    ),
    (
        "SmtpSecretArn",
        "String",
        "",
        "A Secrets Manager secret {username, password} of SES SMTP credentials; "
        "empty: mails are logged (console backend), not sent.",
        {},
    ),
    (
        "CreateSesIdentity",
        "String",
        "true",
        "Create the SES e-mail identity for DomainName.",
        {"AllowedValues": ["true", "false"]},
    ),
    (
        "AuditDigestKmsKeyArn",
        "String",
        "",
        "An asymmetric KMS key the audit_digest job signs with; empty: none.",
        {},
    ),
    (
        "LogRetentionDays",
        "Number",
        "365",
        "CloudWatch Logs retention (days).",
        {"AllowedValues": ["30", "60", "90", "180", "365", "731", "1827", "3653"]},
    ),
    (
        "ScheduleTimezone",
        "String",
        "Europe/Berlin",
        "The time zone the job schedules are read in (TIME_ZONE).",
        {},
    ),
    (
        "ReconcileWatchFromHourUtc",
        "Number",
        "8",
        "First UTC hour (0-23) the reconcile job must run in, Monday to Friday.",
        {"MinValue": 0, "MaxValue": 23},
    ),
    (
        "ReconcileWatchToHourUtc",
        "Number",
        "15",
        "Last UTC hour the reconcile job must run in (see alarms.py).",
        {"MinValue": 0, "MaxValue": 23},
    ),
    (
        "LatencyP95Seconds",
        "Number",
        "2",
        "Alarm when the ALB's p95 response time exceeds it.",
        {},
    ),
    (
        "Error5xxPercent",
        "Number",
        "2",
        "Alarm when this share of requests answers 5xx.",
        {},
    ),
    (
        "DbFreeStorageBytes",
        "Number",
        "2147483648",
        "Alarm below this much free RDS storage.",
        {},
    ),
]


def _parameters(t: Template) -> None:
    for name, kind, default, description, extra in PARAMETERS:
        kwargs = {"Type": kind, "Description": description, **extra}
        if default is not None:
            kwargs["Default"] = default
        t.add_parameter(Parameter(name, **kwargs))
    t.add_condition("UseKmsKey", Not(Equals(Ref("KmsKeyArn"), "")))
    t.add_condition("NatGatewayInEachAz", Equals(Ref("NatGatewayPerAz"), "true"))
    t.add_condition("DbInTwoAzs", Equals(Ref("DbMultiAz"), "true"))
    t.add_condition("EmailAlarms", Not(Equals(Ref("AlarmEmail"), "")))
    t.add_condition("SendMail", Not(Equals(Ref("SmtpSecretArn"), "")))
    t.add_condition("MakeSesIdentity", Equals(Ref("CreateSesIdentity"), "true"))
    t.add_condition("SignWithKms", Not(Equals(Ref("AuditDigestKmsKeyArn"), "")))


def template(tables: list[str]) -> Template:
    """The app stack's template, for the data stack's `tables` (base names)."""
    t = Template(Description=DESCRIPTION)
    t.set_version("2010-09-09")
    _parameters(t)
    net = network.network(t)
    tier = web.web(t, net, tables)
    functions = jobs.jobs(t, net, tier, tables)
    alarms.alarms(t, tables, tier, functions)
    t.add_output(Output("Cluster", Value=Ref(tier.cluster)))
    t.add_output(Output("MigrateTaskDefinition", Value=Ref(tier.migrate_task)))
    t.add_output(Output("PrivateSubnets", Value=Join(",", net.private_subnets)))
    t.add_output(Output("TaskSecurityGroup", Value=Ref(tier.task_security_group)))
    t.add_output(Output("WebService", Value=tier.service.get_att("Name")))
    t.add_output(
        Output("LoadBalancerDnsName", Value=tier.load_balancer.get_att("DNSName"))
    )
    t.add_output(Output("AlarmTopic", Value=Ref("AlarmTopic")))
    return t
