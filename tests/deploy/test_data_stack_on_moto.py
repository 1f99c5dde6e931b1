"""
The data template deployed to moto's CloudFormation, then a vendor, a PO and
an invoice entered through the services against the tables the stack made.
Always on moto (its own mock_aws, so under P2P_TEST_DYNAMODB=local too).
"""

import datetime as dt

import boto3
import pytest
from moto import mock_aws

from core import dynamo
from invoicing.selectors import invoice_get
from invoicing.services import invoice_create
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.conftest import TABLE_PREFIX, VALID_VENDOR, po_lines
from tests.deploy.conftest import FILES
from vendors.services import vendor_create

PREFIX = "cfn-stack-"


# moto's CloudFormation leaves out the buckets' policies (tests/deploy/
# test_template.py reads them from the template instead).
@pytest.mark.filterwarnings("ignore:Tried to parse AWS..S3..BucketPolicy")
def test_services_work_on_the_tables_the_data_stack_makes(
    settings, clerk, requester, approver
):
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name="us-east-1")
        cloudformation.create_stack(
            StackName="p2p-test-data",
            TemplateBody=FILES["data"].read_text(),
            Parameters=[{"ParameterKey": "TablePrefix", "ParameterValue": PREFIX}],
        )
        (stack,) = cloudformation.describe_stacks(StackName="p2p-test-data")["Stacks"]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
        assert outputs["InvoicesTableName"] == f"{PREFIX}InvoicesTable"
        settings.DYNAMODB_TABLE_PREFIX = PREFIX
        settings.DYNAMODB_ENDPOINT_URL = None
        settings.AWS_ACCESS_KEY_ID = settings.AWS_SECRET_ACCESS_KEY = None
        dynamo.configure_models()
        try:
            vendor = vendor_create(
                user=clerk, fields={**VALID_VENDOR, "status": "active"}
            )
            po = purchase_order_create(
                user=requester, vendor_id=vendor.id, lines=po_lines(("2", "50.00"))
            )
            po = purchase_order_approve(po_id=po.id, user=approver)
            invoice = invoice_create(
                user=clerk, po_id=po.id, invoice_number="CFN-1",
                invoice_date=dt.date(2026, 3, 1),
                lines=[{"description": "x", "quantity": "2", "unit_price": "50.00",
                        "po_line_number": 1}],
            )  # fmt: skip
            assert invoice_get(invoice_id=invoice.id).invoice_number == "CFN-1"
            count = boto3.client("dynamodb", region_name="us-east-1").scan(
                TableName=f"{PREFIX}InvoicesTable", Select="COUNT"
            )["Count"]
            assert count >= 1
        finally:
            settings.DYNAMODB_TABLE_PREFIX = TABLE_PREFIX
            dynamo.configure_models()
