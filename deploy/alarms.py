"""
Alarms, all to one SNS topic (with an e-mail subscription when AlarmEmail
is given):

- each job's Lambda errors, and its duration near its timeout (80 %);
- the reconciliation job not having run for two hours of business time;
- the jobs' dead-letter queue holding anything;
- DynamoDB throttled requests and system errors, per table (a Metrics
  Insights query summing the table's operations: both metrics are published
  per table and operation only);
- the load balancer's 5xx share and p95 response time;
- PostgreSQL CPU and free storage.

The missing-run alarm reads `Runs` (namespace `P2P`, dimension `Job` =
command name), which the job publishes once per run as embedded metric
format. Missing data counts as breaching, but only inside business hours:
metric math keeps each hourly sum from Monday to Friday between
ReconcileWatchFromHourUtc and ReconcileWatchToHourUtc and reads every other
hour as 1 (fine), so nights and weekends never alarm. CloudWatch's HOUR()
and DAY() are UTC while the schedule runs in ScheduleTimezone: the default
window 08-15 UTC is the schedule's 9-17 Europe/Berlin hours in both winter
and summer time, less the edges. Public holidays are not known to
CloudWatch: a holiday without runs alarms, as it should if the job was
meant to run that day.
"""

from troposphere import GetAtt, If, Ref, Sub, Template, sns
from troposphere import cloudwatch as cw

from deploy.web import WebTier, skip

PERIOD = 300
DURATION_SHARE = 0.8
# Runs every 30 minutes: two hourly sums without a run is an hour missed twice.
MISSING_RUN_HOURS = 2
DB_CPU_PERCENT = 80


def _alarm(t: Template, name: str, description: str, **kwargs) -> cw.Alarm:
    kwargs.setdefault("TreatMissingData", "notBreaching")
    return t.add_resource(
        cw.Alarm(
            name,
            AlarmDescription=description,
            AlarmActions=[Ref("AlarmTopic")],
            OKActions=[Ref("AlarmTopic")],
            **kwargs,
        )
    )


def _metric(namespace, metric, stat, dimensions: dict, period=PERIOD) -> cw.MetricStat:
    return cw.MetricStat(
        Metric=cw.Metric(
            Namespace=namespace,
            MetricName=metric,
            Dimensions=[
                cw.MetricDimension(Name=k, Value=v) for k, v in dimensions.items()
            ],
        ),
        Period=period,
        Stat=stat,
    )


def _job_alarms(t: Template, functions: dict) -> None:
    for command, (job, function) in functions.items():
        dims = [cw.MetricDimension(Name="FunctionName", Value=Ref(function))]
        _alarm(
            t, f"{job.logical}ErrorsAlarm",
            f"{command}: the job failed (Lambda errors).",
            Namespace="AWS/Lambda", MetricName="Errors", Dimensions=dims,
            Statistic="Sum", Period=PERIOD, EvaluationPeriods=1,
            Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
        )  # fmt: skip
        _alarm(
            t, f"{job.logical}DurationAlarm",
            f"{command}: a run took over {int(DURATION_SHARE * 100)} % of its "
            f"{job.timeout} s timeout.",
            Namespace="AWS/Lambda", MetricName="Duration", Dimensions=dims,
            Statistic="Maximum", Period=PERIOD, EvaluationPeriods=1,
            Threshold=int(job.timeout * 1000 * DURATION_SHARE),
            ComparisonOperator="GreaterThanThreshold",
        )  # fmt: skip


def _missing_reconcile_run(t: Template) -> None:
    _alarm(
        t,
        "ReconcileRunMissingAlarm",
        "reconcile_invoices has not run for two business hours (P2P Runs).",
        Metrics=[
            cw.MetricDataQuery(
                Id="runs",
                MetricStat=_metric(
                    "P2P", "Runs", "Sum", {"Job": "reconcile_invoices"}, period=3600
                ),
                ReturnData=False,
            ),
            cw.MetricDataQuery(
                Id="filled", Expression="FILL(runs, 0)", ReturnData=False
            ),
            cw.MetricDataQuery(
                Id="watched",
                Label="Runs in business hours (1 outside them)",
                Expression=Sub(
                    "IF(DAY(filled) <= 5 AND HOUR(filled) >= ${ReconcileWatchFromHourUtc}"
                    " AND HOUR(filled) <= ${ReconcileWatchToHourUtc}, filled, 1)"
                ),
                ReturnData=True,
            ),
        ],
        EvaluationPeriods=MISSING_RUN_HOURS,
        DatapointsToAlarm=MISSING_RUN_HOURS,
        Threshold=1,
        ComparisonOperator="LessThanThreshold",
        TreatMissingData="breaching",
    )


def _table_alarms(t: Template, tables: list[str]) -> None:
    from deploy.data import resource_name

    for table in tables:
        for metric in ("ThrottledRequests", "SystemErrors"):
            query = Sub(
                f'SELECT SUM({metric}) FROM SCHEMA("AWS/DynamoDB", Operation, TableName) '
                f"WHERE TableName = '${{TablePrefix}}{table}'"
            )
            _alarm(
                t,
                f"{resource_name(table)}{metric}Alarm",
                f"DynamoDB {metric} on {table}.",
                Metrics=[
                    cw.MetricDataQuery(
                        Id="total", Expression=query, Period=PERIOD, ReturnData=True
                    )
                ],
                EvaluationPeriods=1,
                Threshold=1,
                ComparisonOperator="GreaterThanOrEqualToThreshold",
            )


def _web_alarms(t: Template, tier: WebTier) -> None:
    lb = {"LoadBalancer": GetAtt(tier.load_balancer, "LoadBalancerFullName")}
    _alarm(
        t,
        "LoadBalancer5xxAlarm",
        "Over Error5xxPercent % of requests answered 5xx (the app's or the ALB's).",
        Metrics=[
            cw.MetricDataQuery(
                Id=i,
                MetricStat=_metric("AWS/ApplicationELB", m, "Sum", lb),
                ReturnData=False,
            )
            for i, m in (
                ("requests", "RequestCount"),
                ("app5xx", "HTTPCode_Target_5XX_Count"),
                ("alb5xx", "HTTPCode_ELB_5XX_Count"),
            )
        ]
        + [
            cw.MetricDataQuery(
                Id="share",
                Label="5xx %",
                Expression="IF(requests > 0, 100 * (FILL(app5xx, 0) + FILL(alb5xx, 0)) / requests, 0)",
                ReturnData=True,
            )
        ],
        EvaluationPeriods=2,
        Threshold=Ref("Error5xxPercent"),
        ComparisonOperator="GreaterThanThreshold",
    )
    _alarm(
        t,
        "LoadBalancerLatencyAlarm",
        "p95 response time over LatencyP95Seconds.",
        Namespace="AWS/ApplicationELB",
        MetricName="TargetResponseTime",
        Dimensions=[cw.MetricDimension(Name=k, Value=v) for k, v in lb.items()],
        ExtendedStatistic="p95",
        Period=PERIOD,
        EvaluationPeriods=3,
        Threshold=Ref("LatencyP95Seconds"),
        ComparisonOperator="GreaterThanThreshold",
    )
    db = [cw.MetricDimension(Name="DBInstanceIdentifier", Value=Ref(tier.db))]
    _alarm(
        t, "DatabaseCpuAlarm", f"PostgreSQL CPU over {DB_CPU_PERCENT} %.",
        Namespace="AWS/RDS", MetricName="CPUUtilization", Dimensions=db,
        Statistic="Average", Period=PERIOD, EvaluationPeriods=3,
        Threshold=DB_CPU_PERCENT, ComparisonOperator="GreaterThanThreshold",
    )  # fmt: skip
    _alarm(
        t, "DatabaseStorageAlarm", "PostgreSQL free storage below DbFreeStorageBytes.",
        Namespace="AWS/RDS", MetricName="FreeStorageSpace", Dimensions=db,
        Statistic="Minimum", Period=PERIOD, EvaluationPeriods=1,
        Threshold=Ref("DbFreeStorageBytes"), ComparisonOperator="LessThanThreshold",
    )  # fmt: skip


def alarms(t: Template, tables: list[str], tier: WebTier, functions: dict) -> None:
    """Add the topic and every alarm."""
    topic = t.add_resource(
        sns.Topic(
            "AlarmTopic",
            DisplayName=Sub("P2P ${Stage} alarms"),
            # CloudWatch cannot publish to a topic under the AWS-managed SNS
            # key; with KmsKeyArn, its key policy must let CloudWatch use it.
            KmsMasterKeyId=If("UseKmsKey", Ref("KmsKeyArn"), Ref("AWS::NoValue")),
            Metadata=skip(
                (
                    "CKV_AWS_26",
                    "Encrypted with KmsKeyArn when given; alarm texts hold no data, and CloudWatch cannot publish under the AWS-managed key.",
                )
            ),
        )
    )
    t.add_resource(
        sns.SubscriptionResource(
            "AlarmEmailSubscription",
            Condition="EmailAlarms",
            TopicArn=Ref(topic),
            Protocol="email",
            Endpoint=Ref("AlarmEmail"),
        )
    )
    _job_alarms(t, functions)
    _missing_reconcile_run(t)
    _alarm(
        t, "JobDeadLetterAlarm", "A scheduled job's event is in the dead-letter queue.",
        Namespace="AWS/SQS", MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[cw.MetricDimension(
            Name="QueueName", Value=GetAtt("JobDeadLetterQueue", "QueueName"))],
        Statistic="Maximum", Period=PERIOD, EvaluationPeriods=1,
        Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
    )  # fmt: skip
    _table_alarms(t, tables)
    _web_alarms(t, tier)
