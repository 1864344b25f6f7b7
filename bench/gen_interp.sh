#!/usr/bin/env bash
# Writes the interpreter benchmark's state machines, inputs and wfgen mock files into DIR
# (bench/run_interp.sh runs them on wfgen and on aws-local-stepfunctions). Plain bash so
# that it needs nothing beyond what the build machine has.
# usage: gen_interp.sh DIR
#   chain.asl.json          (a) 1,000 Pass states in a row
#   map.asl.json            (b) distributed Map; per item a Choice and two Pass states
#   map-inline.asl.json     (b) the same Map in inline form
#   items-{1,1000,10000}.json   inputs of (b): {"items":[1,2,...,N]}
#   retry.asl.json          (c) a Task failing 100 times under a long-backoff Retry
#   retry.mocks.json        (c) wfgen mocks: attempts 0-99 throw, attempt 100 returns
#   typical.asl.json        (d) a typical 8-state workflow (Pass, Choice, Task, Wait, Map)
#   typical.mocks.json, typical.input.json
set -eu
dir=$1
mkdir -p "$dir"

# (a) S0000 -> S0001 -> ... -> S0999; each state adds nothing but its own data flow.
{
    printf '{\n  "Comment": "1,000-state Pass chain",\n  "StartAt": "S0000",\n'
    printf '  "States": {\n'
    state='    "S%04d": { "Type": "Pass", "ResultPath": "$.last", "Result": %d, '
    for i in $(seq 0 998); do
        printf "$state"'"Next": "S%04d" },\n' "$i" "$i" $((i + 1))
    done
    printf "$state"'"End": true }\n' 999 999
    printf '  }\n}\n'
} >"$dir/chain.asl.json"

# (b) Each item (a number) goes through a Choice, one of two Pass states, then a final
# Pass; the Map's output is the array of item results. $1 is the ItemProcessor's
# ProcessorConfig (DISTRIBUTED or INLINE).
map_machine() {
    cat <<EOF
{
  "Comment": "Map with a Choice and two Pass states per item",
  "StartAt": "Fan",
  "States": {
    "Fan": {
      "Type": "Map",
      "ItemsPath": "\$.items",
      "ItemProcessor": {
        "ProcessorConfig": $1,
        "StartAt": "Size",
        "States": {
          "Size": {
            "Type": "Choice",
            "Choices": [ { "Variable": "\$", "NumericLessThan": 5000, "Next": "Small" } ],
            "Default": "Large"
          },
          "Small": { "Type": "Pass", "Parameters": { "v.\$": "\$", "k": "s" },
                     "Next": "Tag" },
          "Large": { "Type": "Pass", "Parameters": { "v.\$": "\$", "k": "l" },
                     "Next": "Tag" },
          "Tag": { "Type": "Pass", "OutputPath": "\$.k", "End": true }
        }
      },
      "End": true
    }
  }
}
EOF
}
map_machine '{ "Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS" }' >"$dir/map.asl.json"
map_machine '{ "Mode": "INLINE" }' >"$dir/map-inline.asl.json"
for n in 1 1000 10000; do
    { printf '{"items":['; seq -s, 1 "$n" | tr -d '\n'; printf ']}\n'; } \
        >"$dir/items-$n.json"
done

# (c) 101 attempts of Call: the first 100 throw Flaky.Error; backoff 60 s doubling, capped
# at one day (virtual time in wfgen; the peer's retry interval is overridden to 0 ms).
cat >"$dir/retry.asl.json" <<'EOF'
{
  "Comment": "Retry-heavy: 100 failing attempts, long backoffs",
  "StartAt": "Call",
  "States": {
    "Call": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": { "FunctionName": "flaky", "Payload.$": "$" },
      "Retry": [
        { "ErrorEquals": ["Flaky.Error"], "IntervalSeconds": 60, "BackoffRate": 2.0,
          "MaxDelaySeconds": 86400, "MaxAttempts": 100 }
      ],
      "ResultSelector": { "answer.$": "$.Payload" },
      "Next": "Done"
    },
    "Done": { "Type": "Succeed" }
  }
}
EOF
cat >"$dir/retry.mocks.json" <<'EOF'
{
  "StateMachines": { "retry": { "TestCases": { "bench": { "Call": "Flaky" } } } },
  "MockedResponses": {
    "Flaky": {
      "0-99": { "Throw": { "Error": "Flaky.Error", "Cause": "try again" } },
      "100": { "Return": { "StatusCode": 200, "Payload": "ok" } }
    }
  }
}
EOF

# (d) A typical daily batch: prepare, branch on mode, extract (retried), wait, transform
# rows in an inline Map, load (caught), and the two terminal states.
cat >"$dir/typical.asl.json" <<'EOF'
{
  "Comment": "Typical 8-state batch workflow",
  "StartAt": "Prepare",
  "States": {
    "Prepare": {
      "Type": "Pass",
      "Parameters": {
        "run.$": "States.Format('{}-{}', $.shop, $.date)",
        "shop.$": "$.shop",
        "date.$": "$.date",
        "mode.$": "$.mode",
        "rows.$": "$.rows"
      },
      "Next": "Mode"
    },
    "Mode": {
      "Type": "Choice",
      "Choices": [
        { "Variable": "$.mode", "StringEquals": "full", "Next": "Extract" },
        { "Variable": "$.mode", "StringEquals": "skip", "Next": "Done" }
      ],
      "Default": "Failed"
    },
    "Extract": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": { "FunctionName": "extract", "Payload": { "run.$": "$.run" } },
      "Retry": [
        { "ErrorEquals": ["States.ALL"], "IntervalSeconds": 5, "MaxAttempts": 3 }
      ],
      "ResultSelector": { "count.$": "$.Payload.count" },
      "ResultPath": "$.extract",
      "Next": "Settle"
    },
    "Settle": { "Type": "Wait", "Seconds": 30, "Next": "Transform" },
    "Transform": {
      "Type": "Map",
      "ItemsPath": "$.rows",
      "ItemProcessor": {
        "ProcessorConfig": { "Mode": "INLINE" },
        "StartAt": "Row",
        "States": {
          "Row": {
            "Type": "Pass",
            "Parameters": {
              "sku.$": "$.sku", "total.$": "States.MathAdd($.qty, $.bonus)"
            },
            "End": true
          }
        }
      },
      "ResultPath": "$.rows",
      "Next": "Load"
    },
    "Load": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {
        "FunctionName": "load", "Payload": { "run.$": "$.run", "rows.$": "$.rows" }
      },
      "Catch": [
        { "ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed" }
      ],
      "ResultSelector": { "loaded.$": "$.Payload.loaded" },
      "ResultPath": "$.load",
      "Next": "Done"
    },
    "Done": { "Type": "Succeed", "OutputPath": "$.load" },
    "Failed": { "Type": "Fail", "Error": "Batch.Failed", "Cause": "mode or load failed" }
  }
}
EOF
cat >"$dir/typical.mocks.json" <<'EOF'
{
  "StateMachines": {
    "typical": { "TestCases": { "bench": { "Extract": "Extracted", "Load": "Loaded" } } }
  },
  "MockedResponses": {
    "Extracted": { "0": { "Return": { "StatusCode": 200, "Payload": { "count": 4 } } } },
    "Loaded": { "0": { "Return": { "StatusCode": 200, "Payload": { "loaded": 4 } } } }
  }
}
EOF
cat >"$dir/typical.input.json" <<'EOF'
{ "shop": "tokyo-01", "date": "2026-01-01", "mode": "full",
  "rows": [ { "sku": "a", "qty": 1, "bonus": 0 }, { "sku": "b", "qty": 2, "bonus": 1 },
            { "sku": "c", "qty": 3, "bonus": 0 }, { "sku": "d", "qty": 4, "bonus": 2 } ] }
EOF
