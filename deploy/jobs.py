"""
The scheduled jobs: each scheduled management command as a Lambda function
on an EventBridge Scheduler schedule (not the legacy EventBridge rule).

Why Lambda from the same container image, not a zip: the image already
holds the app, its pinned dependencies and the compiled static files, so a
job runs exactly the code the web tasks run and a deploy pushes one artefact.
A zip would be a second build of the same dependencies (PynamoDB, Django,
lxml for e-invoices, cryptography) within Lambda's 250 MB unzipped limit.
The image's Lambda entry is `python -m awslambdaric` (ImageConfig.EntryPoint,
overriding the web's gunicorn), and ImageConfig.Command names the handler:
`invoicing.lambda_handler.lambda_handler` for the reconciliation job (its
event may shard the queue), `core.lambda_handler.lambda_handler` for the
others, with the event `{"command": "<name>", "args": [...]}`.

Each schedule has a time zone (ScheduleExpressionTimezone), no flexible
window, a retry policy and a dead-letter queue (one SQS queue for all jobs,
SQS-managed encryption). The Scheduler invokes Lambda asynchronously, so
its retry policy covers a failed hand-over (throttling, a missing
function); a job that fails is retried by Lambda's own async queue
(`ASYNC_RETRIES`) and then lands in the same dead-letter queue (the
function's OnFailure destination). Two runs never overlap: each command
takes its DynamoDB lease, and the function's reserved concurrency of one
stops a second invocation before it starts.

The Lambdas run in the private subnets (the users database is there, for
the e-mail jobs' recipients) and reach DynamoDB and S3 through the gateway
endpoints. Secrets: Lambda has no secret injection as ECS has, so a
function's environment carries only where each secret is (`P2P_SECRETS`)
and `core.secrets` reads the values at each cold start with the job role's
`secretsmanager:GetSecretValue` on those secrets alone: no secret value is
in the template or in the function's configuration.
"""

import json
from dataclasses import dataclass

from troposphere import (
    GetAtt,
    If,
    Output,
    Ref,
    Sub,
    Template,
    awslambda,
    iam,
    logs,
    scheduler,
    sqs,
)

from deploy import iam as policy
from deploy.network import Network
from deploy.web import WebTier, app_environment, skip

GENERIC_HANDLER = "core.lambda_handler.lambda_handler"
RECONCILE_HANDLER = "invoicing.lambda_handler.lambda_handler"
ENTRY_POINT = ["python", "-m", "awslambdaric"]
ASYNC_RETRIES = 1
SCHEDULER_RETRIES = 3
SCHEDULER_MAX_EVENT_AGE = 900
# What the reconcile job was scheduled as in the original resource sheet.
RECONCILE_SCHEDULE = "cron(0/30 9-17 ? * MON-FRI *)"


@dataclass(frozen=True)
class Job:
    command: str
    schedule: str
    timeout: int  # seconds
    memory: int = 1024  # MiB
    handler: str = GENERIC_HANDLER
    args: tuple[str, ...] = ()

    @property
    def logical(self) -> str:
        """`send_mail_outbox` -> `SendMailOutbox`."""
        return "".join(part.title() for part in self.command.split("_"))

    @property
    def function_name(self) -> str:
        return f"p2p-${{Stage}}-{self.command.replace('_', '-')}"

    def event(self) -> str:
        if self.handler == RECONCILE_HANDLER:
            return json.dumps({})
        return json.dumps({"command": self.command, "args": list(self.args)})


JOBS = (
    Job(
        "reconcile_invoices",
        RECONCILE_SCHEDULE,
        timeout=900,
        memory=2048,
        handler=RECONCILE_HANDLER,
    ),
    # README: daily, weekdays at 7.
    Job("send_digest", "cron(0 7 ? * MON-FRI *)", timeout=300),
    Job("refresh_dashboard", "rate(15 minutes)", timeout=300),
    # Hourly (brief, README "Audit digests").
    Job("audit_digest", "rate(1 hour)", timeout=600),
    Job("import_einvoices", "rate(15 minutes)", timeout=900, memory=2048),
    Job("refresh_ageing", "cron(30 5 * * ? *)", timeout=600),
    # README: every minute; it must end before the next one starts.
    Job("send_mail_outbox", "rate(1 minute)", timeout=55),
    # README: daily at 6.15.
    Job("raise_recurring_invoices", "cron(15 6 * * ? *)", timeout=600),
    Job("discard_held_attachments", "rate(1 hour)", timeout=300),
)

# ENI management of a function in a VPC: IAM gives these no resource to
# name (Describe*) or Lambda creates the interfaces itself; no data action.
VPC_ACTIONS = [
    "ec2:AssignPrivateIpAddresses",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:UnassignPrivateIpAddresses",
]


def job_statements(job: Job, tables: list[str]) -> list[dict]:
    """The job role's data statements: its tables and prefixes only."""
    statements = policy.dynamodb_statements(
        {t: a for t, a in policy.JOB_ACCESS[job.command].items() if t in tables}
    )
    statements += policy.JOB_S3[job.command]() if job.command in policy.JOB_S3 else []
    return statements


def _role(t: Template, job: Job, tables, log_group, dlq) -> iam.Role:
    statements = job_statements(job, tables) + [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": Sub(f"${{{log_group.title}.Arn}}:*"),
        },
        {
            # The function's OnFailure destination and dead-letter queue.
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": GetAtt(dlq, "Arn"),
        },
        {
            # The secrets its environment names (P2P_SECRETS), read at a cold start.
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": [
                Ref("DjangoSecretKey"),
                Ref("DatabaseUrl"),
                If("SendMail", Ref("SmtpSecretArn"), Ref("AWS::NoValue")),
            ],
        },
        {"Effect": "Allow", "Action": VPC_ACTIONS, "Resource": "*"},
    ]
    policies = [
        iam.Policy(
            PolicyName=f"{job.command}-job",
            PolicyDocument={"Version": "2012-10-17", "Statement": statements},
        ),
        If(
            "UseKmsKey",
            iam.Policy(
                PolicyName=f"{job.command}-table-key",
                PolicyDocument={
                    "Version": "2012-10-17",
                    "Statement": [policy.kms_table_key_statement()],
                },
            ),
            Ref("AWS::NoValue"),
        ),
    ]
    if job.command == "audit_digest":
        policies.append(
            If(
                "SignWithKms",
                iam.Policy(
                    PolicyName="audit-digest-signing",
                    PolicyDocument={
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": ["kms:GetPublicKey", "kms:Sign"],
                                "Resource": Ref("AuditDigestKmsKeyArn"),
                            }
                        ],
                    },
                ),
                Ref("AWS::NoValue"),
            )
        )
    return t.add_resource(
        iam.Role(
            f"{job.logical}JobRole",
            AssumeRolePolicyDocument=policy.assume("lambda.amazonaws.com"),
            Policies=policies,
            Metadata=skip(
                (
                    "CKV_AWS_111",
                    "Only VPC_ACTIONS (the function's network interfaces, which Lambda manages and EC2 names no resource for) are on '*'; every data action names its table, prefix or queue.",
                )
            ),
        )
    )


def _scheduler_role(t: Template, job: Job, function, dlq) -> iam.Role:
    """May invoke this job's function and nothing else, and dead-letter to the queue."""
    return t.add_resource(
        iam.Role(
            f"{job.logical}SchedulerRole",
            AssumeRolePolicyDocument=policy.assume("scheduler.amazonaws.com"),
            Policies=[
                iam.Policy(
                    PolicyName=f"{job.command}-schedule",
                    PolicyDocument={
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": ["lambda:InvokeFunction"],
                                "Resource": GetAtt(function, "Arn"),
                            },
                            {
                                "Effect": "Allow",
                                "Action": ["sqs:SendMessage"],
                                "Resource": GetAtt(dlq, "Arn"),
                            },
                        ],
                    },
                )
            ],
        )
    )


def _environment(tables) -> dict:
    # Lambda sets AWS_REGION itself (a reserved name).
    env = {
        e["Name"]: e["Value"]
        for e in app_environment(tables)
        if e["Name"] != "AWS_REGION"
    }
    # Where the secrets are (core.secrets reads them at a cold start).
    env["P2P_SECRETS"] = Sub(
        json.dumps(
            {
                "SECRET_KEY": {"arn": "${DjangoSecretKey}"},
                "DATABASE_URL": {"arn": "${DatabaseUrl}"},
                "EMAIL_HOST_USER": {"arn": "${SmtpSecret}", "key": "username"},
                "EMAIL_HOST_PASSWORD": {"arn": "${SmtpSecret}", "key": "password"},
            },
            sort_keys=True,
        ),
        SmtpSecret=If("SendMail", Ref("SmtpSecretArn"), ""),
    )
    return env


def jobs(t: Template, net: Network, tier: WebTier, tables: list[str]) -> dict:
    """Add every job's function, role, schedule; return {command: function}."""
    dlq = t.add_resource(
        sqs.Queue(
            "JobDeadLetterQueue",
            SqsManagedSseEnabled=True,
            MessageRetentionPeriod=14 * 24 * 3600,
            Metadata=skip(
                (
                    "CKV_AWS_27",
                    "Encrypted with SQS-managed keys (SqsManagedSseEnabled); a KMS key would need the Scheduler and every job role granted on it.",
                )
            ),
        )
    )
    functions = {}
    for job in JOBS:
        log_group = t.add_resource(
            logs.LogGroup(
                f"{job.logical}LogGroup",
                LogGroupName=Sub(f"/aws/lambda/{job.function_name}"),
                RetentionInDays=Ref("LogRetentionDays"),
                KmsKeyId=If("UseKmsKey", Ref("KmsKeyArn"), Ref("AWS::NoValue")),
            )
        )
        role = _role(t, job, tables, log_group, dlq)
        function = t.add_resource(
            awslambda.Function(
                f"{job.logical}Function",
                FunctionName=Sub(job.function_name),
                Description=f"P2P scheduled job: manage.py {job.command}",
                PackageType="Image",
                Code=awslambda.Code(ImageUri=Ref("ImageUri")),
                ImageConfig=awslambda.ImageConfig(
                    EntryPoint=ENTRY_POINT, Command=[job.handler]
                ),
                Role=GetAtt(role, "Arn"),
                Timeout=job.timeout,
                MemorySize=job.memory,
                ReservedConcurrentExecutions=1,
                Environment=awslambda.Environment(Variables=_environment(tables)),
                KmsKeyArn=If("UseKmsKey", Ref("KmsKeyArn"), Ref("AWS::NoValue")),
                VpcConfig=awslambda.VPCConfig(
                    SubnetIds=net.private_subnets,
                    SecurityGroupIds=[Ref(tier.lambda_security_group)],
                ),
                DeadLetterConfig=awslambda.DeadLetterConfig(
                    TargetArn=GetAtt(dlq, "Arn")
                ),
                LoggingConfig=awslambda.LoggingConfig(LogGroup=Ref(log_group)),
                Metadata=skip(
                    (
                        "CKV_AWS_272",
                        "Code signing applies to zip packages; this is a container image from the stack's own ECR repository.",
                    ),
                    (
                        "CKV_AWS_173",
                        "The environment is encrypted with KmsKeyArn when given, else with Lambda's AWS-managed key.",
                    ),
                ),
            )
        )
        t.add_resource(
            awslambda.EventInvokeConfig(
                f"{job.logical}InvokeConfig",
                FunctionName=Ref(function),
                Qualifier="$LATEST",
                MaximumRetryAttempts=ASYNC_RETRIES,
                DestinationConfig=awslambda.DestinationConfig(
                    OnFailure=awslambda.OnFailure(Destination=GetAtt(dlq, "Arn"))
                ),
            )
        )
        schedule_role = _scheduler_role(t, job, function, dlq)
        t.add_resource(
            scheduler.Schedule(
                f"{job.logical}Schedule",
                Description=f"manage.py {job.command}",
                ScheduleExpression=job.schedule,
                ScheduleExpressionTimezone=Ref("ScheduleTimezone"),
                FlexibleTimeWindow=scheduler.FlexibleTimeWindow(Mode="OFF"),
                State="ENABLED",
                Target=scheduler.Target(
                    Arn=GetAtt(function, "Arn"),
                    RoleArn=GetAtt(schedule_role, "Arn"),
                    Input=job.event(),
                    RetryPolicy=scheduler.RetryPolicy(
                        MaximumRetryAttempts=SCHEDULER_RETRIES,
                        MaximumEventAgeInSeconds=SCHEDULER_MAX_EVENT_AGE,
                    ),
                    DeadLetterConfig=scheduler.DeadLetterConfig(Arn=GetAtt(dlq, "Arn")),
                ),
            )
        )
        functions[job.command] = (job, function)
    t.add_output(Output("JobDeadLetterQueue", Value=Ref(dlq)))
    return functions
