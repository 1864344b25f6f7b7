#!/usr/bin/env bash
# Writes a catalog of N workflows (each a 4-state ECS + SNS definition) into DIR.
# usage: gen_catalog.sh N DIR
set -eu
n=$1 dir=$2
mkdir -p "$dir/definitions"
{
  cat <<'HEAD'
version: 1
project: bench
env: prd
aws: { region: ap-northeast-1, account_id: "123456789012" }
defaults:
  timezone: Asia/Tokyo
  timeout: 2h
  ecs: { cluster: batch, task_role: batch-task, execution_role: batch-task-exec }
vars:
  cluster_arn: arn:aws:ecs:ap-northeast-1:123456789012:cluster/batch
workflows:
HEAD
  for i in $(seq 1 "$n"); do
    printf '  - key: wf_%05d\n    schedule: cron(%d %d * * ? *)\n' "$i" $((i % 60)) $((i % 24))
  done
} >"$dir/workflows.yaml"
template='Comment: generated
StartAt: Extract
States:
  Extract:
    Type: Task
    Resource: arn:aws:states:::ecs:runTask.sync
    Parameters:
      Cluster: ${cluster_arn}
      LaunchType: FARGATE
      TaskDefinition: extractor-KEY
      Overrides:
        ContainerOverrides:
          - Name: app
            Command.$: States.Array('"'"'run'"'"', $.scheduled_time)
    ResultSelector:
      TaskArn.$: $.TaskArn
    ResultPath: $.extract
    TimeoutSeconds: 3600
    Next: Check
  Check:
    Type: Choice
    Choices:
      - Variable: $.extract.TaskArn
        IsPresent: true
        Next: Notify
    Default: Done
  Notify:
    Type: Task
    Resource: arn:aws:states:::sns:publish
    Parameters:
      TopicArn: arn:aws:sns:ap-northeast-1:123456789012:alerts
      Message.$: $.extract.TaskArn
    TimeoutSeconds: 60
    Next: Done
  Done:
    Type: Succeed'
for i in $(seq 1 "$n"); do
  key=$(printf 'wf_%05d' "$i")
  printf '%s\n' "${template//KEY/$key}" >"$dir/definitions/$key.asl.yaml"
done
