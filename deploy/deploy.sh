#!/bin/sh
# make deploy STAGE=<stage>: build and push the image, deploy the data then
# the app stack, run the migrations as a one-off task and wait for it.
# Needs: AWS credentials (any the AWS CLI finds), a docker or podman that
# can build, an ECR repository named p2p (or ECR_REPOSITORY).
set -eu
PY=${PY:-.venv/bin/python}
AWS=${AWS:-.venv/bin/aws}
STAGE=${STAGE:-}
ECR_REPOSITORY=${ECR_REPOSITORY:-p2p}
PARAMETERS=${PARAMETERS:-}

fail() { echo "deploy: $*" >&2; exit 1; }

[ -n "$STAGE" ] || fail "STAGE is missing: run 'make deploy STAGE=prod' (or staging, ...)."
[ -x "$AWS" ] || "$PY" -m pip install --quiet --disable-pip-version-check -r requirements-deploy.txt
ACCOUNT=$("$AWS" sts get-caller-identity --query Account --output text 2>/dev/null) ||
    fail "no AWS credentials: 'aws sts get-caller-identity' failed. Configure them (aws configure, AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and retry."
REGION=${AWS_REGION:-$("$AWS" configure get region || true)}
[ -n "$REGION" ] || fail "no region: set AWS_REGION."

ENGINE=$(command -v docker || command -v podman) || fail "neither docker nor podman is installed."
TAG=$(git rev-parse --short=12 HEAD)
REGISTRY="$ACCOUNT.dkr.ecr.$REGION.amazonaws.com"
IMAGE="$REGISTRY/$ECR_REPOSITORY:$TAG"

echo "+ build and push $IMAGE"
"$AWS" ecr get-login-password --region "$REGION" | "$ENGINE" login --username AWS --password-stdin "$REGISTRY"
"$ENGINE" build -t "$IMAGE" .
"$ENGINE" push "$IMAGE"

echo "+ stack p2p-$STAGE-data"
"$AWS" cloudformation deploy --region "$REGION" --stack-name "p2p-$STAGE-data" \
    --template-file deploy/p2p-data.yaml --capabilities CAPABILITY_NAMED_IAM \
    --no-fail-on-empty-changeset
echo "+ stack p2p-$STAGE-app"
# shellcheck disable=SC2086
"$AWS" cloudformation deploy --region "$REGION" --stack-name "p2p-$STAGE-app" \
    --template-file deploy/p2p-app.yaml --capabilities CAPABILITY_NAMED_IAM \
    --no-fail-on-empty-changeset --parameter-overrides ImageUri="$IMAGE" $PARAMETERS

output() {
    "$AWS" cloudformation describe-stacks --region "$REGION" --stack-name "p2p-$STAGE-app" \
        --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
CLUSTER=$(output Cluster)
echo "+ migrations (task $(output MigrateTaskDefinition))"
TASK=$("$AWS" ecs run-task --region "$REGION" --cluster "$CLUSTER" --launch-type FARGATE \
    --task-definition "$(output MigrateTaskDefinition)" \
    --network-configuration "awsvpcConfiguration={subnets=[$(output PrivateSubnets)],securityGroups=[$(output TaskSecurityGroup)],assignPublicIp=DISABLED}" \
    --query 'tasks[0].taskArn' --output text)
"$AWS" ecs wait tasks-stopped --region "$REGION" --cluster "$CLUSTER" --tasks "$TASK"
CODE=$("$AWS" ecs describe-tasks --region "$REGION" --cluster "$CLUSTER" --tasks "$TASK" \
    --query 'tasks[0].containers[0].exitCode' --output text)
[ "$CODE" = "0" ] || fail "the migration task $TASK exited $CODE: see its logs; the new image is deployed, the old schema kept."
echo "Deployed $IMAGE to stage $STAGE."
