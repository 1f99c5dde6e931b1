"""
The app stack's network: a VPC over two availability zones, each with a
public subnet (the load balancer, the NAT gateway) and a private one (the
web tasks, the job Lambdas, PostgreSQL).

Outbound traffic from the private subnets leaves through NAT gateways, not
interface endpoints. The tasks and Lambdas reach ECR (api, dkr), CloudWatch
Logs, Secrets Manager, KMS, CloudWatch metrics and SES's SMTP endpoint: as
interface endpoints that is six or more endpoints in each AZ, more per month
than one NAT gateway, and SES SMTP would still need a way out. One NAT
gateway is the default (`NatGatewayPerAz=false`); `true` puts one in each
AZ, so losing an AZ does not cut the other's tasks off.

DynamoDB and S3 are reached through **gateway endpoints** (free, and the
bulk of the traffic: every request reads or writes DynamoDB), attached to
the private route tables, so that traffic never crosses the NAT gateway.
"""

from dataclasses import dataclass

from troposphere import (
    Cidr,
    GetAZs,
    If,
    Ref,
    Select,
    Sub,
    Tags,
    Template,
    ec2,
)

# The VPC's range cut into /20 blocks (12 host bits): 0 and 1 public, 8 and
# 9 private, the rest left for later.
PUBLIC_BLOCKS = (0, 1)
PRIVATE_BLOCKS = (8, 9)
AZS = (0, 1)


@dataclass(frozen=True)
class Network:
    vpc: Ref
    public_subnets: list[Ref]
    private_subnets: list[Ref]


def _cidr(vpc: ec2.VPC, block: int) -> Select:
    """The `block`th /20 of the VPC's range."""
    return Select(block, Cidr(vpc.get_att("CidrBlock"), 16, 12))


def network(t: Template) -> Network:
    """Add the VPC, subnets, gateways, routes and endpoints; return their refs."""
    vpc = t.add_resource(
        ec2.VPC(
            "Vpc",
            CidrBlock=Ref("VpcCidr"),
            EnableDnsSupport=True,
            EnableDnsHostnames=True,
            Tags=Tags(Name=Sub("p2p-${Stage}")),
        )
    )
    # Without rules, the default security group denies everything: nothing
    # is meant to use it (checkov CKV2_AWS_12).
    igw = t.add_resource(ec2.InternetGateway("InternetGateway"))
    t.add_resource(
        ec2.VPCGatewayAttachment(
            "InternetGatewayAttachment", VpcId=Ref(vpc), InternetGatewayId=Ref(igw)
        )
    )
    public_routes = t.add_resource(ec2.RouteTable("PublicRouteTable", VpcId=Ref(vpc)))
    t.add_resource(
        ec2.Route(
            "PublicDefaultRoute",
            DependsOn="InternetGatewayAttachment",
            RouteTableId=Ref(public_routes),
            DestinationCidrBlock="0.0.0.0/0",
            GatewayId=Ref(igw),
        )
    )
    public, private, private_routes = [], [], []
    for az in AZS:
        letter = "AB"[az]
        subnet = t.add_resource(
            ec2.Subnet(
                f"PublicSubnet{letter}",
                VpcId=Ref(vpc),
                AvailabilityZone=Select(az, GetAZs("")),
                CidrBlock=_cidr(vpc, PUBLIC_BLOCKS[az]),
                # The load balancer's nodes get addresses from the ALB itself;
                # nothing launched here needs a public IP of its own.
                MapPublicIpOnLaunch=False,
                Tags=Tags(Name=Sub(f"p2p-${{Stage}}-public-{letter.lower()}")),
            )
        )
        t.add_resource(
            ec2.SubnetRouteTableAssociation(
                f"PublicSubnet{letter}Routes",
                SubnetId=Ref(subnet),
                RouteTableId=Ref(public_routes),
            )
        )
        public.append(Ref(subnet))
        private_subnet = t.add_resource(
            ec2.Subnet(
                f"PrivateSubnet{letter}",
                VpcId=Ref(vpc),
                AvailabilityZone=Select(az, GetAZs("")),
                CidrBlock=_cidr(vpc, PRIVATE_BLOCKS[az]),
                MapPublicIpOnLaunch=False,
                Tags=Tags(Name=Sub(f"p2p-${{Stage}}-private-{letter.lower()}")),
            )
        )
        private.append(Ref(private_subnet))
        routes = t.add_resource(
            ec2.RouteTable(f"PrivateRouteTable{letter}", VpcId=Ref(vpc))
        )
        private_routes.append(Ref(routes))
        t.add_resource(
            ec2.SubnetRouteTableAssociation(
                f"PrivateSubnet{letter}Routes",
                SubnetId=Ref(private_subnet),
                RouteTableId=Ref(routes),
            )
        )
    for az in AZS:
        letter = "AB"[az]
        condition = {} if az == 0 else {"Condition": "NatGatewayInEachAz"}
        eip = t.add_resource(
            ec2.EIP(
                f"NatAddress{letter}",
                Domain="vpc",
                DependsOn="InternetGatewayAttachment",
                **condition,
            )
        )
        t.add_resource(
            ec2.NatGateway(
                f"NatGateway{letter}",
                AllocationId=eip.get_att("AllocationId"),
                SubnetId=public[az],
                **condition,
            )
        )
    for az in AZS:
        letter = "AB"[az]
        nat = (
            Ref("NatGatewayA")
            if az == 0
            else If("NatGatewayInEachAz", Ref("NatGatewayB"), Ref("NatGatewayA"))
        )
        t.add_resource(
            ec2.Route(
                f"PrivateDefaultRoute{letter}",
                RouteTableId=private_routes[az],
                DestinationCidrBlock="0.0.0.0/0",
                NatGatewayId=nat,
            )
        )
    for service in ("dynamodb", "s3"):
        t.add_resource(
            ec2.VPCEndpoint(
                f"{'DynamoDb' if service == 'dynamodb' else 'S3'}GatewayEndpoint",
                VpcId=Ref(vpc),
                ServiceName=Sub(f"com.amazonaws.${{AWS::Region}}.{service}"),
                VpcEndpointType="Gateway",
                RouteTableIds=private_routes,
            )
        )
    return Network(vpc=Ref(vpc), public_subnets=public, private_subnets=private)
