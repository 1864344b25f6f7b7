/*
 * Unit tests for the execution-role policy: one test per integration row of
 * aws-facts.md table 2.1, merging and ordering, errors and the iam_extra escape hatch.
 * Definitions and expected policies are written with ' for " and <NAME> placeholders
 * (see frags[]) to stay readable; each expectation is the whole policy.
 */
#include "helpers.h"

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "emit/iam.h"
#include "yload.h"

/* ---- fixtures --------------------------------------------------------------------- */

static const struct iam_ctx base_ctx = {
    .partition = "aws",
    .region = "ap-northeast-1",
    .account_id = "123456789012",
    .state_machine_name = "adp-prd-daily",
    .ecs_cluster = "batch",
    .ecs_task_role = "batch-task",
    .ecs_execution_role = "batch-task-exec",
};

/* Text that <NAME> stands for in test JSON; fragments may use other placeholders. */
static const struct {
    const char *name, *text;
} frags[] = {
    {"RA", "ap-northeast-1:123456789012"},
    {"ACCT", "123456789012"},
    {"PASSROLE", "{'Sid':'PassRoleToEcs','Effect':'Allow','Action':['iam:PassRole'],"
                 "'Resource':['arn:aws:iam::<ACCT>:role/batch-task',"
                 "'arn:aws:iam::<ACCT>:role/batch-task-exec'],'Condition':{"
                 "'StringEquals':{'iam:PassedToService':'ecs-tasks.amazonaws.com'}}}"},
    {"RUNTASK_T", "{'Sid':'EcsRunTask','Effect':'Allow','Action':['ecs:RunTask'],"
                  "'Resource':['arn:aws:ecs:<RA>:task-definition/t:*']}"},
    {"MANAGE_BATCH", "{'Sid':'EcsManageTasks','Effect':'Allow',"
                     "'Action':['ecs:DescribeTasks','ecs:StopTask'],"
                     "'Resource':['arn:aws:ecs:<RA>:task/batch/*']}"},
    {"ECS_RULE", "{'Sid':'EcsSyncManagedRule','Effect':'Allow','Action':["
                 "'events:DescribeRule','events:PutRule','events:PutTargets'],"
                 "'Resource':['arn:aws:events:<RA>:rule/"
                 "StepFunctionsGetEventsForECSTaskRule']}"},
    {"TAG_COND", "'Condition':{'StringEquals':{'ecs:CreateAction':'RunTask'}}"},
    {"CHILD", "arn:aws:states:<RA>:stateMachine:child"},
    {"START_CHILD", "{'Sid':'StatesStartExecution','Effect':'Allow',"
                    "'Action':['states:StartExecution'],'Resource':['<CHILD>']}"},
    {"SYNC_CHILD", "{'Sid':'StatesSyncExecution','Effect':'Allow','Action':["
                   "'states:DescribeExecution','states:StopExecution'],"
                   "'Resource':['arn:aws:states:<RA>:execution:child:*']},"
                   "{'Sid':'StatesSyncManagedRule','Effect':'Allow','Action':["
                   "'events:DescribeRule','events:PutRule','events:PutTargets'],"
                   "'Resource':['arn:aws:events:<RA>:rule/"
                   "StepFunctionsGetEventsForStepFunctionsExecutionRule']}"},
    {"ATHENA_REST",
     "{'Sid':'AthenaS3','Effect':'Allow','Action':['s3:AbortMultipartUpload',"
     "'s3:CreateBucket','s3:GetBucketLocation','s3:GetObject','s3:ListBucket',"
     "'s3:ListBucketMultipartUploads','s3:ListMultipartUploadParts','s3:PutObject'],"
     "'Resource':['arn:aws:s3:::*']},"
     "{'Sid':'AthenaGlueCatalog','Effect':'Allow','Action':['glue:BatchCreatePartition',"
     "'glue:BatchDeletePartition','glue:BatchDeleteTable','glue:BatchGetPartition',"
     "'glue:CreateDatabase','glue:CreatePartition','glue:CreateTable',"
     "'glue:DeleteDatabase','glue:DeletePartition','glue:DeleteTable','glue:GetDatabase',"
     "'glue:GetDatabases','glue:GetPartition','glue:GetPartitions','glue:GetTable',"
     "'glue:GetTables','glue:UpdateDatabase','glue:UpdatePartition','glue:UpdateTable'],"
     "'Resource':['arn:aws:glue:<RA>:catalog','arn:aws:glue:<RA>:database/*',"
     "'arn:aws:glue:<RA>:table/*','arn:aws:glue:<RA>:userDefinedFunction/*']},"
     "{'Sid':'AthenaLakeFormation','Effect':'Allow',"
     "'Action':['lakeformation:GetDataAccess'],'Resource':['*']}"},
    {"HTTP_CONN", "{'Sid':'HttpConnection','Effect':'Allow',"
                  "'Action':['events:RetrieveConnectionCredentials'],"
                  "'Resource':['arn:aws:events:<RA>:connection/shop/1a2b-3c']},"
                  "{'Sid':'HttpConnectionSecret','Effect':'Allow','Action':["
                  "'secretsmanager:DescribeSecret','secretsmanager:GetSecretValue'],"
                  "'Resource':['arn:aws:secretsmanager:<RA>:secret:"
                  "events!connection/shop/*']}"},
    {"DMAP_STMTS", "{'Sid':'DistributedMapStartExecution','Effect':'Allow',"
                   "'Action':['states:StartExecution'],"
                   "'Resource':['arn:aws:states:<RA>:stateMachine:adp-prd-daily']},"
                   "{'Sid':'DistributedMapChildExecutions','Effect':'Allow','Action':["
                   "'states:DescribeExecution','states:RedriveExecution',"
                   "'states:StopExecution'],"
                   "'Resource':['arn:aws:states:<RA>:execution:adp-prd-daily/*']}"},
    {"DMAP_PROC", "'ItemProcessor':{'ProcessorConfig':{'Mode':'DISTRIBUTED'},"
                  "'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}}"},
    {"S3_WRITE", "'Action':['s3:AbortMultipartUpload','s3:GetObject',"
                 "'s3:ListMultipartUploadParts','s3:PutObject']"},
    {"DENY_ALL", "{'Sid':'NoPermissionsNeeded','Effect':'Deny','Action':['*'],"
                 "'Resource':['*']}"},
};

static void expand_into(struct strbuf *sb, const char *s)
{
    for (; *s; s++) {
        const char *end = *s == '<' ? strchr(s, '>') : NULL;
        size_t i = 0;
        for (; end && i < ARRAY_SIZE(frags); i++)
            if (strlen(frags[i].name) == (size_t)(end - s - 1) &&
                !strncmp(frags[i].name, s + 1, (size_t)(end - s - 1)))
                break;
        if (end && i < ARRAY_SIZE(frags)) {
            expand_into(sb, frags[i].text);
            s = end;
        } else {
            strbuf_addch(sb, *s == '\'' ? '"' : *s);
        }
    }
}

/* Returns s with ' turned into " and every <NAME> replaced (caller frees). */
static char *expand(const char *s)
{
    struct strbuf sb = STRBUF_INIT;
    expand_into(&sb, s);
    return strbuf_detach(&sb, NULL);
}

static json_t *load(const char *text)
{
    char *t = expand(text);
    json_error_t je;
    json_t *v = json_loads(t, 0, &je);
    if (!v)
        fail_msg("bad test JSON: %s in %s", je.text, t);
    free(t);
    return v;
}

static json_t *policy_of(const struct iam_ctx *c, const char *asl, struct diag_list *dl)
{
    json_t *def = load(asl);
    json_t *p = iam_policy_new(c, NULL, def, dl);
    json_decref(def);
    return p;
}

/* A machine whose only state is one Task with the given fields. */
static json_t *task_policy(const struct iam_ctx *c, const char *fields,
                           struct diag_list *dl)
{
    char *asl =
        xasprintf("{'StartAt':'T','States':{'T':{'Type':'Task',%s,'End':true}}}", fields);
    json_t *p = policy_of(c, asl, dl);
    free(asl);
    return p;
}

/* The expected policy document holding the given statements (caller frees). */
static char *policy_text(const char *stmts)
{
    char *wrapped = xasprintf("{'Version':'2012-10-17','Statement':[%s]}", stmts);
    char *text = expand(wrapped);
    free(wrapped);
    return text;
}

#define assert_stmts(actual, stmts)                                                      \
    do {                                                                                 \
        char *want_ = policy_text(stmts);                                                \
        assert_non_null(actual);                                                         \
        assert_json_text(actual, want_);                                                 \
        free(want_);                                                                     \
    } while (0)

/* Runs one Task through the base context and compares the whole policy. */
#define check_task(fields, stmts)                                                        \
    do {                                                                                 \
        struct diag_list dl_ = DIAG_LIST_INIT;                                           \
        json_t *p_ = task_policy(&base_ctx, fields, &dl_);                               \
        assert_int_equal(dl_.nr, 0);                                                     \
        assert_stmts(p_, stmts);                                                         \
        json_decref(p_);                                                                 \
        diag_release(&dl_);                                                              \
    } while (0)

/* Runs one Task that must fail with a single diagnostic `want_id` and no policy. */
#define check_task_error(fields, want_id)                                                \
    do {                                                                                 \
        struct diag_list dl_ = DIAG_LIST_INIT;                                           \
        json_t *p_ = task_policy(&base_ctx, fields, &dl_);                               \
        assert_null(p_);                                                                 \
        assert_int_equal(dl_.nr, 1);                                                     \
        assert_int_equal(dl_.v[0].id, (want_id));                                        \
        diag_release(&dl_);                                                              \
    } while (0)

/* ---- ECS -------------------------------------------------------------------------- */

static void test_iam_ecs_request_response(void **state)
{
    (void)state;
    check_task("'Resource':'arn:aws:states:::ecs:runTask',"
               "'Parameters':{'TaskDefinition':'sales-aggregator','Cluster':'batch'}",
               "{'Sid':'EcsRunTask','Effect':'Allow','Action':['ecs:RunTask'],"
               "'Resource':['arn:aws:ecs:<RA>:task-definition/sales-aggregator:*']},"
               "<PASSROLE>");
}

static void test_iam_ecs_sync(void **state)
{
    (void)state;
    check_task("'Resource':'arn:aws:states:::ecs:runTask.sync',"
               "'Parameters':{'TaskDefinition':'t'}",
               "<RUNTASK_T>,<MANAGE_BATCH>,<ECS_RULE>,<PASSROLE>");
}

static void test_iam_ecs_wait_for_task_token(void **state)
{
    (void)state;
    check_task("'Resource':'arn:aws:states:::ecs:runTask.waitForTaskToken',"
               "'Parameters':{'TaskDefinition':'t:12'}",
               "<RUNTASK_T>,<PASSROLE>");
}

/*
 * Family, family:revision and a full ARN all become family:* (the ARN keeps its own
 * region and account); the duplicate family is listed once.
 */
static void test_iam_ecs_task_definition_forms(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    json_t *p = policy_of(&base_ctx,
                          "{'StartAt':'A','States':{"
                          "'A':{'Type':'Task','Resource':'arn:aws:states:::ecs:runTask',"
                          "'Parameters':{'TaskDefinition':'web'},'Next':'B'},"
                          "'B':{'Type':'Task','Resource':'arn:aws:states:::ecs:runTask',"
                          "'Parameters':{'TaskDefinition':'web:42'},'Next':'C'},"
                          "'C':{'Type':'Task','Resource':'arn:aws:states:::ecs:runTask',"
                          "'Parameters':{'TaskDefinition':"
                          "'arn:aws:ecs:us-west-2:210987654321:task-definition/api:7'},"
                          "'End':true}}}",
                          &dl);
    assert_int_equal(dl.nr, 0);
    assert_stmts(p, "{'Sid':'EcsRunTask','Effect':'Allow','Action':['ecs:RunTask'],"
                    "'Resource':['arn:aws:ecs:<RA>:task-definition/web:*',"
                    "'arn:aws:ecs:us-west-2:210987654321:task-definition/api:*']},"
                    "<PASSROLE>");
    json_decref(p);
    diag_release(&dl);
}

/*
 * Tasks run on the cluster named in the parameters (name or ARN), else the catalog's
 * cluster, else ECS's "default" cluster.
 */
static void test_iam_ecs_cluster_name_arn_default(void **state)
{
    (void)state;
    struct iam_ctx c = base_ctx;
    c.ecs_cluster = NULL;
    c.ecs_task_role = c.ecs_execution_role = NULL;
    struct diag_list dl = DIAG_LIST_INIT;
    json_t *p =
        policy_of(&c,
                  "{'StartAt':'A','States':{"
                  "'A':{'Type':'Task','Resource':'arn:aws:states:::ecs:runTask.sync',"
                  "'Parameters':{'TaskDefinition':'t','Cluster':'etl'},'Next':'B'},"
                  "'B':{'Type':'Task','Resource':'arn:aws:states:::ecs:runTask.sync',"
                  "'Parameters':{'TaskDefinition':'t',"
                  "'Cluster':'arn:aws:ecs:us-west-2:<ACCT>:cluster/gpu'},"
                  "'Next':'C'},"
                  "'C':{'Type':'Task','Resource':'arn:aws:states:::ecs:runTask.sync',"
                  "'Parameters':{'TaskDefinition':'t'},'End':true}}}",
                  &dl);
    assert_int_equal(dl.nr, 0);
    assert_stmts(p, "<RUNTASK_T>,{'Sid':'EcsManageTasks','Effect':'Allow',"
                    "'Action':['ecs:DescribeTasks','ecs:StopTask'],'Resource':["
                    "'arn:aws:ecs:<RA>:task/default/*','arn:aws:ecs:<RA>:task/etl/*',"
                    "'arn:aws:ecs:us-west-2:<ACCT>:task/gpu/*']},<ECS_RULE>");
    json_decref(p);
    diag_release(&dl);

    /* With the catalog's cluster set, an absent Cluster means that one. */
    check_task("'Resource':'arn:aws:states:::ecs:runTask.sync',"
               "'Parameters':{'TaskDefinition':'t'}",
               "<RUNTASK_T>,<MANAGE_BATCH>,<ECS_RULE>,<PASSROLE>");
}

static void test_iam_ecs_tags(void **state)
{
    (void)state;
    check_task(
        "'Resource':'arn:aws:states:::ecs:runTask',"
        "'Parameters':{'TaskDefinition':'t','Tags':[{'Key':'team','Value':'ads'}]}",
        "<RUNTASK_T>,<PASSROLE>,{'Sid':'EcsTagResource','Effect':'Allow',"
        "'Action':['ecs:TagResource'],"
        "'Resource':['arn:aws:ecs:<RA>:task/batch/*'],<TAG_COND>}");
    check_task("'Resource':'arn:aws:states:::ecs:runTask',"
               "'Parameters':{'TaskDefinition':'t','Cluster':'etl',"
               "'PropagateTags':'TASK_DEFINITION'}",
               "<RUNTASK_T>,<PASSROLE>,{'Sid':'EcsTagResource','Effect':'Allow',"
               "'Action':['ecs:TagResource'],"
               "'Resource':['arn:aws:ecs:<RA>:task/etl/*'],<TAG_COND>}");
    check_task("'Resource':'arn:aws:states:::ecs:runTask',"
               "'Parameters':{'TaskDefinition':'t','EnableECSManagedTags':true}",
               "<RUNTASK_T>,<PASSROLE>,{'Sid':'EcsTagResource','Effect':'Allow',"
               "'Action':['ecs:TagResource'],"
               "'Resource':['arn:aws:ecs:<RA>:task/batch/*'],<TAG_COND>}");
    check_task("'Resource':'arn:aws:states:::ecs:runTask',"
               "'Parameters':{'TaskDefinition':'t','Tags.$':'$.tags'}",
               "<RUNTASK_T>,<PASSROLE>,{'Sid':'EcsTagResource','Effect':'Allow',"
               "'Action':['ecs:TagResource'],"
               "'Resource':['arn:aws:ecs:<RA>:task/batch/*'],<TAG_COND>}");
    /* Values that ask for no tags need no TagResource. */
    check_task("'Resource':'arn:aws:states:::ecs:runTask',"
               "'Parameters':{'TaskDefinition':'t','EnableECSManagedTags':false,"
               "'PropagateTags':'NONE','Tags':[]}",
               "<RUNTASK_T>,<PASSROLE>");
}

/* Literal override roles join PassRole; one computed at run time is not granted. */
static void test_iam_ecs_override_roles(void **state)
{
    (void)state;
    check_task("'Resource':'arn:aws:states:::ecs:runTask',"
               "'Parameters':{'TaskDefinition':'t','Overrides':{"
               "'TaskRoleArn':'arn:aws:iam::<ACCT>:role/special',"
               "'ExecutionRoleArn':'arn:aws:iam::<ACCT>:role/batch-task-exec',"
               "'ContainerOverrides':[{'Name':'app','Command.$':'$.cmd'}]}}",
               "<RUNTASK_T>,{'Sid':'PassRoleToEcs','Effect':'Allow',"
               "'Action':['iam:PassRole'],'Resource':["
               "'arn:aws:iam::<ACCT>:role/batch-task',"
               "'arn:aws:iam::<ACCT>:role/batch-task-exec',"
               "'arn:aws:iam::<ACCT>:role/special'],'Condition':{'StringEquals':"
               "{'iam:PassedToService':'ecs-tasks.amazonaws.com'}}}");
    check_task(
        "'Resource':'arn:aws:states:::ecs:runTask',"
        "'Parameters':{'TaskDefinition':'t','Overrides':{'TaskRoleArn.$':'$.role'}}",
        "<RUNTASK_T>,<PASSROLE>");
}

static void test_iam_ecs_bad_targets(void **state)
{
    (void)state;
    check_task_error("'Resource':'arn:aws:states:::ecs:runTask',"
                     "'Parameters':{'TaskDefinition':'arn:aws:ecs:<RA>:cluster/x'}",
                     D_IAM_BAD_TARGET);
    check_task_error("'Resource':'arn:aws:states:::ecs:runTask','Parameters':{}",
                     D_IAM_BAD_TARGET);
    check_task_error("'Resource':'arn:aws:states:::ecs:runTask.sync',"
                     "'Parameters':{'TaskDefinition':'t','Cluster.$':'$.cluster'}",
                     D_IAM_DYNAMIC_RESOURCE);
}

/* ---- Lambda ----------------------------------------------------------------------- */

static void test_iam_lambda_name_forms(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    json_t *p = policy_of(
        &base_ctx,
        "{'StartAt':'A','States':{"
        "'A':{'Type':'Task','Resource':'arn:aws:states:::lambda:invoke',"
        "'Parameters':{'FunctionName':'plain'},'Next':'B'},"
        "'B':{'Type':'Task','Resource':'arn:aws:states:::lambda:invoke',"
        "'Parameters':{'FunctionName':'qualified:prod'},'Next':'C'},"
        "'C':{'Type':'Task','Resource':'arn:aws:states:::lambda:invoke.waitForTaskToken',"
        "'Parameters':{'FunctionName':'210987654321:function:partial'},'Next':'D'},"
        "'D':{'Type':'Task','Resource':'arn:aws:states:::lambda:invoke','Parameters':{"
        "'FunctionName':'arn:aws:lambda:us-east-1:<ACCT>:function:full:7'},'Next':'E'},"
        "'E':{'Type':'Task','Resource':'arn:aws:states:::lambda:invoke',"
        "'Parameters':{'FunctionName':'plain','Payload.$':'$'},'End':true}}}",
        &dl);
    assert_int_equal(dl.nr, 0);
    assert_stmts(p, "{'Sid':'LambdaInvoke','Effect':'Allow',"
                    "'Action':['lambda:InvokeFunction'],'Resource':["
                    "'arn:aws:lambda:<RA>:function:plain',"
                    "'arn:aws:lambda:<RA>:function:plain:*',"
                    "'arn:aws:lambda:<RA>:function:qualified',"
                    "'arn:aws:lambda:<RA>:function:qualified:*',"
                    "'arn:aws:lambda:ap-northeast-1:210987654321:function:partial',"
                    "'arn:aws:lambda:ap-northeast-1:210987654321:function:partial:*',"
                    "'arn:aws:lambda:us-east-1:<ACCT>:function:full',"
                    "'arn:aws:lambda:us-east-1:<ACCT>:function:full:*']}");
    json_decref(p);
    diag_release(&dl);
}

static void test_iam_lambda_legacy_resource(void **state)
{
    (void)state;
    check_task("'Resource':'arn:aws:lambda:<RA>:function:old-style:live'",
               "{'Sid':'LambdaInvoke','Effect':'Allow',"
               "'Action':['lambda:InvokeFunction'],'Resource':["
               "'arn:aws:lambda:<RA>:function:old-style',"
               "'arn:aws:lambda:<RA>:function:old-style:*']}");
}

static void test_iam_lambda_bad_names(void **state)
{
    (void)state;
    check_task_error("'Resource':'arn:aws:states:::lambda:invoke',"
                     "'Parameters':{'FunctionName':'a:b:c:d:e'}",
                     D_IAM_BAD_TARGET);
    check_task_error("'Resource':'arn:aws:states:::lambda:invoke',"
                     "'Parameters':{'FunctionName':'bad name'}",
                     D_IAM_BAD_TARGET);
    check_task_error("'Resource':'arn:aws:states:::lambda:invoke',"
                     "'Parameters':{'FunctionName':42}",
                     D_IAM_BAD_TARGET);
    check_task_error("'Resource':'arn:aws:states:::lambda:invoke.sync',"
                     "'Parameters':{'FunctionName':'f'}",
                     D_IAM_UNKNOWN_INTEGRATION);
}

/* ---- Step Functions ---------------------------------------------------------------- */

static void test_iam_sfn_start_execution(void **state)
{
    (void)state;
    check_task("'Resource':'arn:aws:states:::states:startExecution',"
               "'Parameters':{'StateMachineArn':'<CHILD>','Input.$':'$'}",
               "<START_CHILD>");
    check_task("'Resource':'arn:aws:states:::states:startExecution.waitForTaskToken',"
               "'Parameters':{'StateMachineArn':'<CHILD>'}",
               "<START_CHILD>");
    check_task("'Resource':'arn:aws:states:::states:startExecution.sync',"
               "'Parameters':{'StateMachineArn':'<CHILD>'}",
               "<START_CHILD>,<SYNC_CHILD>");
    check_task("'Resource':'arn:aws:states:::states:startExecution.sync:2',"
               "'Parameters':{'StateMachineArn':'<CHILD>'}",
               "<START_CHILD>,<SYNC_CHILD>");
    check_task_error("'Resource':'arn:aws:states:::states:startExecution',"
                     "'Parameters':{'StateMachineArn':'child'}",
                     D_IAM_BAD_TARGET);
}

/* ---- DynamoDB, SNS, SQS, EventBridge ----------------------------------------------- */

static void test_iam_dynamodb_each_action(void **state)
{
    (void)state;
    static const char *const calls[][2] = {
        {"getItem", "GetItem"},
        {"putItem", "PutItem"},
        {"updateItem", "UpdateItem"},
        {"deleteItem", "DeleteItem"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(calls); i++) {
        char *fields = xasprintf("'Resource':'arn:aws:states:::dynamodb:%s',"
                                 "'Parameters':{'TableName':'locks','Key':{}}",
                                 calls[i][0]);
        char *want = xasprintf("{'Sid':'DynamoDb%s','Effect':'Allow',"
                               "'Action':['dynamodb:%s'],"
                               "'Resource':['arn:aws:dynamodb:<RA>:table/locks']}",
                               calls[i][1], calls[i][1]);
        check_task(fields, want);
        free(fields);
        free(want);
    }
    /* A table ARN is used as given. */
    check_task("'Resource':'arn:aws:states:::dynamodb:getItem',"
               "'Parameters':{'TableName':'arn:aws:dynamodb:us-east-1:<ACCT>:table/t'}",
               "{'Sid':'DynamoDbGetItem','Effect':'Allow','Action':['dynamodb:GetItem'],"
               "'Resource':['arn:aws:dynamodb:us-east-1:<ACCT>:table/t']}");
    check_task_error("'Resource':'arn:aws:states:::dynamodb:getItem.sync',"
                     "'Parameters':{'TableName':'t'}",
                     D_IAM_UNKNOWN_INTEGRATION);
}

static void test_iam_sns_publish(void **state)
{
    (void)state;
    check_task("'Resource':'arn:aws:states:::sns:publish',"
               "'Parameters':{'TopicArn':'arn:aws:sns:<RA>:alerts','Message.$':'$'}",
               "{'Sid':'SnsPublish','Effect':'Allow','Action':['sns:Publish'],"
               "'Resource':['arn:aws:sns:<RA>:alerts']}");
    /* SMS has no IAM resource: the only "*" case of SNS. */
    check_task("'Resource':'arn:aws:states:::sns:publish.waitForTaskToken',"
               "'Parameters':{'PhoneNumber':'+15555550100','Message':'x'}",
               "{'Sid':'SnsPublish','Effect':'Allow','Action':['sns:Publish'],"
               "'Resource':['*']}");
    check_task_error("'Resource':'arn:aws:states:::sns:publish',"
                     "'Parameters':{'TopicArn.$':'$.topic'}",
                     D_IAM_DYNAMIC_RESOURCE);
    check_task_error("'Resource':'arn:aws:states:::sns:publish',"
                     "'Parameters':{'Message':'m'}",
                     D_IAM_BAD_TARGET);
}

static void test_iam_sqs_url_to_arn(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    json_t *p = policy_of(
        &base_ctx,
        "{'StartAt':'A','States':{"
        "'A':{'Type':'Task','Resource':'arn:aws:states:::sqs:sendMessage','Parameters':{"
        "'QueueUrl':'https://sqs.ap-northeast-1.amazonaws.com/<ACCT>/jobs',"
        "'MessageBody.$':'$'},'Next':'B'},"
        "'B':{'Type':'Task','Resource':'arn:aws:states:::sqs:sendMessage."
        "waitForTaskToken',"
        "'Parameters':{'QueueUrl':'https://eu-west-1.queue.amazonaws.com/<ACCT>/l.fifo'},"
        "'Next':'C'},"
        "'C':{'Type':'Task','Resource':'arn:aws:states:::sqs:sendMessage',"
        "'Parameters':{'QueueUrl':'https://queue.amazonaws.com/<ACCT>/old'},'Next':'D'},"
        "'D':{'Type':'Task','Resource':'arn:aws:states:::sqs:sendMessage','Parameters':{"
        "'QueueUrl':'https://vpce-0a1b.sqs.us-west-2.vpce.amazonaws.com/<ACCT>/private'},"
        "'End':true}}}",
        &dl);
    assert_int_equal(dl.nr, 0);
    assert_stmts(p, "{'Sid':'SqsSendMessage','Effect':'Allow',"
                    "'Action':['sqs:SendMessage'],'Resource':["
                    "'arn:aws:sqs:<RA>:jobs','arn:aws:sqs:eu-west-1:<ACCT>:l.fifo',"
                    "'arn:aws:sqs:us-east-1:<ACCT>:old',"
                    "'arn:aws:sqs:us-west-2:<ACCT>:private']}");
    json_decref(p);
    diag_release(&dl);
    check_task_error("'Resource':'arn:aws:states:::sqs:sendMessage',"
                     "'Parameters':{'QueueUrl':'jobs'}",
                     D_IAM_BAD_TARGET);
    check_task_error("'Resource':'arn:aws:states:::sqs:sendMessage',"
                     "'Parameters':{'QueueUrl':'https://example.com/<ACCT>/q'}",
                     D_IAM_BAD_TARGET);
}

static void test_iam_eventbridge_buses(void **state)
{
    (void)state;
    check_task("'Resource':'arn:aws:states:::events:putEvents',"
               "'Parameters':{'Entries':[{'Detail.$':'$','Source':'a'},"
               "{'EventBusName':'orders','Source':'b'},"
               "{'EventBusName':'arn:aws:events:us-east-1:<ACCT>:event-bus/central'},"
               "{'EventBusName':'orders'}]}",
               "{'Sid':'EventBridgePutEvents','Effect':'Allow',"
               "'Action':['events:PutEvents'],'Resource':["
               "'arn:aws:events:<RA>:event-bus/default',"
               "'arn:aws:events:<RA>:event-bus/orders',"
               "'arn:aws:events:us-east-1:<ACCT>:event-bus/central']}");
    check_task_error("'Resource':'arn:aws:states:::events:putEvents',"
                     "'Parameters':{'Entries':[{'EventBusName.$':'$.bus'}]}",
                     D_IAM_DYNAMIC_RESOURCE);
    check_task_error("'Resource':'arn:aws:states:::events:putEvents',"
                     "'Parameters':{'Entries.$':'$.entries'}",
                     D_IAM_DYNAMIC_RESOURCE);
}

/* ---- Batch, Glue, Athena ----------------------------------------------------------- */

static void test_iam_batch(void **state)
{
    (void)state;
    check_task("'Resource':'arn:aws:states:::batch:submitJob',"
               "'Parameters':{'JobName':'j','JobQueue':'q','JobDefinition':'d'}",
               "{'Sid':'BatchSubmitJob','Effect':'Allow','Action':['batch:SubmitJob'],"
               "'Resource':['*']}");
    check_task("'Resource':'arn:aws:states:::batch:submitJob.sync',"
               "'Parameters':{'JobName':'j','JobQueue':'q','JobDefinition':'d'}",
               "{'Sid':'BatchSubmitJobSync','Effect':'Allow','Action':["
               "'batch:DescribeJobs','batch:SubmitJob','batch:TerminateJob'],"
               "'Resource':['*']},"
               "{'Sid':'BatchSyncManagedRule','Effect':'Allow','Action':["
               "'events:DescribeRule','events:PutRule','events:PutTargets'],"
               "'Resource':['arn:aws:events:<RA>:rule/"
               "StepFunctionsGetEventsForBatchJobsRule']}");
}

static void test_iam_glue(void **state)
{
    (void)state;
    check_task("'Resource':'arn:aws:states:::glue:startJobRun',"
               "'Parameters':{'JobName':'etl'}",
               "{'Sid':'GlueStartJobRun','Effect':'Allow','Action':['glue:StartJobRun'],"
               "'Resource':['*']}");
    check_task("'Resource':'arn:aws:states:::glue:startJobRun.sync',"
               "'Parameters':{'JobName':'etl'}",
               "{'Sid':'GlueStartJobRunSync','Effect':'Allow','Action':["
               "'glue:BatchStopJobRun','glue:GetJobRun','glue:GetJobRuns',"
               "'glue:StartJobRun'],'Resource':['*']}");
}

static void test_iam_athena(void **state)
{
    (void)state;
    check_task("'Resource':'arn:aws:states:::athena:startQueryExecution',"
               "'Parameters':{'QueryString':'select 1'}",
               "{'Sid':'AthenaQuery','Effect':'Allow','Action':["
               "'athena:GetDataCatalog','athena:StartQueryExecution'],'Resource':["
               "'arn:aws:athena:<RA>:datacatalog/*',"
               "'arn:aws:athena:<RA>:workgroup/primary']},<ATHENA_REST>");
    check_task("'Resource':'arn:aws:states:::athena:startQueryExecution.sync',"
               "'Parameters':{'QueryString':'select 1','WorkGroup':'reports'}",
               "{'Sid':'AthenaQuerySync','Effect':'Allow','Action':["
               "'athena:GetDataCatalog','athena:GetQueryExecution',"
               "'athena:StartQueryExecution','athena:StopQueryExecution'],'Resource':["
               "'arn:aws:athena:<RA>:datacatalog/*',"
               "'arn:aws:athena:<RA>:workgroup/reports']},<ATHENA_REST>");
}

/* ---- HTTP ------------------------------------------------------------------------- */

static void test_iam_http_invoke(void **state)
{
    (void)state;
    check_task(
        "'Resource':'arn:aws:states:::http:invoke','Parameters':{"
        "'ApiEndpoint':'https://api.example.com/v1/orders','Method':'POST',"
        "'Authentication':{"
        "'ConnectionArn':'arn:aws:events:<RA>:connection/shop/1a2b-3c'}}",
        "{'Sid':'HttpInvoke','Effect':'Allow',"
        "'Action':['states:InvokeHTTPEndpoint'],"
        "'Resource':['arn:aws:states:<RA>:stateMachine:adp-prd-daily'],"
        "'Condition':{'StringEquals':{'states:HTTPMethod':'POST'},"
        "'StringLike':{'states:HTTPEndpoint':'https://api.example.com/v1/orders'}}},"
        "<HTTP_CONN>");
    /* A computed endpoint drops that condition key; the resource stays narrow. */
    check_task("'Resource':'arn:aws:states:::http:invoke','Parameters':{"
               "'ApiEndpoint.$':'$.url','Method':'GET','Authentication':{"
               "'ConnectionArn':'arn:aws:events:<RA>:connection/shop/1a2b-3c'}}",
               "{'Sid':'HttpInvoke','Effect':'Allow',"
               "'Action':['states:InvokeHTTPEndpoint'],"
               "'Resource':['arn:aws:states:<RA>:stateMachine:adp-prd-daily'],"
               "'Condition':{'StringEquals':{'states:HTTPMethod':'GET'}}},<HTTP_CONN>");
    check_task_error("'Resource':'arn:aws:states:::http:invoke','Parameters':{"
                     "'ApiEndpoint':'https://x','Method':'GET'}",
                     D_IAM_BAD_TARGET);
}

/* ---- aws-sdk ---------------------------------------------------------------------- */

static void test_iam_aws_sdk_prefixes(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"s3:getObject", "s3:GetObject", "AwsSdkS3GetObject"},
        {"sfn:startSyncExecution", "states:StartSyncExecution",
         "AwsSdkSfnStartSyncExecution"},
        {"cloudwatchlogs:putRetentionPolicy", "logs:PutRetentionPolicy",
         "AwsSdkCloudwatchlogsPutRetentionPolicy"},
        {"efs:describeFileSystems", "elasticfilesystem:DescribeFileSystems",
         "AwsSdkEfsDescribeFileSystems"},
        {"mwaa:createCliToken", "airflow:CreateCliToken", "AwsSdkMwaaCreateCliToken"},
        {"mediapackagevod:listAssets", "mediapackage-vod:ListAssets",
         "AwsSdkMediapackagevodListAssets"},
        {"elasticloadbalancingv2:describeTargetHealth",
         "elasticloadbalancing:DescribeTargetHealth",
         "AwsSdkElasticloadbalancingv2DescribeTargetHealth"},
        {"s3:listBuckets", "s3:ListAllMyBuckets", "AwsSdkS3ListBuckets"},
        {"s3:listObjectsV2", "s3:ListBucket", "AwsSdkS3ListObjectsV2"},
        {"lambda:invoke", "lambda:InvokeFunction", "AwsSdkLambdaInvoke"},
        {"ecs:runTask.waitForTaskToken", "ecs:RunTask", "AwsSdkEcsRunTask"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *fields = xasprintf(
            "'Resource':'arn:aws:states:::aws-sdk:%s','Parameters':{}", cases[i][0]);
        char *want = xasprintf("{'Sid':'%s','Effect':'Allow','Action':['%s'],"
                               "'Resource':['*']}",
                               cases[i][2], cases[i][1]);
        check_task(fields, want);
        free(fields);
        free(want);
    }
}

static void test_iam_aws_sdk_sync_is_always_an_error(void **state)
{
    (void)state;
    check_task_error("'Resource':'arn:aws:states:::aws-sdk:s3:getObject.sync',"
                     "'Parameters':{}",
                     D_IAM_SDK_SYNC);
    struct iam_ctx c = base_ctx;
    c.iam_extra = load("[]");
    struct diag_list dl = DIAG_LIST_INIT;
    json_t *p =
        task_policy(&c,
                    "'Resource':'arn:aws:states:::aws-sdk:sfn:startExecution.sync:2',"
                    "'Parameters':{}",
                    &dl);
    assert_null(p);
    assert_int_equal(dl.nr, 1);
    assert_int_equal(dl.v[0].id, D_IAM_SDK_SYNC);
    json_decref(c.iam_extra);
    diag_release(&dl);
    check_task_error("'Resource':'arn:aws:states:::aws-sdk:s3','Parameters':{}",
                     D_IAM_UNKNOWN_INTEGRATION);
}

/* ---- Map -------------------------------------------------------------------------- */

/* A distributed Map whose Map state also holds `fields` (reader, writer). */
static json_t *dmap_policy(const char *fields, struct diag_list *dl)
{
    char *asl = xasprintf(
        "{'StartAt':'M','States':{'M':{'Type':'Map',%s<DMAP_PROC>,'End':true}}}", fields);
    json_t *p = policy_of(&base_ctx, asl, dl);
    free(asl);
    return p;
}

static void test_iam_distributed_map_reader_writer(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    json_t *p = dmap_policy("", &dl);
    assert_int_equal(dl.nr, 0);
    assert_stmts(p, "<DMAP_STMTS>");
    json_decref(p);

    p = dmap_policy("'ItemReader':{'Resource':'arn:aws:states:::s3:listObjectsV2',"
                    "'Parameters':{'Bucket':'in-bucket','Prefix':'daily/'}},"
                    "'ResultWriter':{'Resource':'arn:aws:states:::s3:putObject',"
                    "'Parameters':{'Bucket':'out-bucket','Prefix':'results/'}},",
                    &dl);
    assert_int_equal(dl.nr, 0);
    assert_stmts(p, "<DMAP_STMTS>,{'Sid':'ItemReaderListBucket','Effect':'Allow',"
                    "'Action':['s3:ListBucket'],'Resource':['arn:aws:s3:::in-bucket']},"
                    "{'Sid':'ResultWriterPutObject','Effect':'Allow',<S3_WRITE>,"
                    "'Resource':['arn:aws:s3:::out-bucket/results/*']}");
    json_decref(p);

    p = dmap_policy("'ItemReader':{'Resource':'arn:aws:states:::s3:getObject',"
                    "'ReaderConfig':{'InputType':'CSV'},"
                    "'Parameters':{'Bucket':'in','Key':'lists/items.csv'}},",
                    &dl);
    assert_int_equal(dl.nr, 0);
    assert_stmts(p, "<DMAP_STMTS>,{'Sid':'ItemReaderGetObject','Effect':'Allow',"
                    "'Action':['s3:GetObject'],"
                    "'Resource':['arn:aws:s3:::in/lists/items.csv']}");
    json_decref(p);

    /* An S3 inventory manifest also lists the data files beside its date folder. */
    p = dmap_policy(
        "'ItemReader':{'Resource':'arn:aws:states:::s3:getObject',"
        "'ReaderConfig':{'InputType':'MANIFEST'},'Parameters':{'Bucket':'inv',"
        "'Key':'p/src/cfg/2024-01-01T00-00Z/manifest.json'}},",
        &dl);
    assert_int_equal(dl.nr, 0);
    assert_stmts(p, "<DMAP_STMTS>,{'Sid':'ItemReaderGetObject','Effect':'Allow',"
                    "'Action':['s3:GetObject'],'Resource':["
                    "'arn:aws:s3:::inv/p/src/cfg/2024-01-01T00-00Z/manifest.json',"
                    "'arn:aws:s3:::inv/p/src/cfg/data/*']}");
    json_decref(p);

    /* Without a Prefix the writer gets the bucket's objects; a computed Key likewise. */
    p = dmap_policy("'ItemReader':{'Resource':'arn:aws:states:::s3:getObject',"
                    "'Parameters':{'Bucket':'in','Key.$':'$.key'}},"
                    "'ResultWriter':{'Resource':'arn:aws:states:::s3:putObject',"
                    "'Parameters':{'Bucket':'out'}},",
                    &dl);
    assert_int_equal(dl.nr, 0);
    assert_stmts(p, "<DMAP_STMTS>,{'Sid':'ItemReaderGetObject','Effect':'Allow',"
                    "'Action':['s3:GetObject'],'Resource':['arn:aws:s3:::in/*']},"
                    "{'Sid':'ResultWriterPutObject','Effect':'Allow',<S3_WRITE>,"
                    "'Resource':['arn:aws:s3:::out/*']}");
    json_decref(p);

    /* A computed Bucket cannot be derived. */
    p = dmap_policy("'ItemReader':{'Resource':'arn:aws:states:::s3:listObjectsV2',"
                    "'Parameters':{'Bucket.$':'$.bucket'}},",
                    &dl);
    assert_null(p);
    assert_int_equal(dl.nr, 1);
    assert_int_equal(dl.v[0].id, D_IAM_DYNAMIC_RESOURCE);
    diag_release(&dl);
}

/* Tasks inside Parallel branches and (nested) inline Maps are walked in order. */
static void test_iam_tasks_nested_in_parallel_and_map(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    json_t *p = policy_of(
        &base_ctx,
        "{'StartAt':'Par','States':{'Par':{'Type':'Parallel','Branches':["
        "{'StartAt':'L','States':{'L':{'Type':'Task','Resource':"
        "'arn:aws:states:::lambda:invoke','Parameters':{'FunctionName':'f1'},'End':true}}"
        "},"
        "{'StartAt':'M','States':{'M':{'Type':'Map','Iterator':{'StartAt':'D','States':{"
        "'D':{'Type':'Task','Resource':'arn:aws:states:::dynamodb:putItem',"
        "'Parameters':{'TableName':'t'},'Next':'In'},"
        "'In':{'Type':'Map','ItemProcessor':{'StartAt':'L2','States':{"
        "'L2':{'Type':'Task','Resource':'arn:aws:states:::lambda:invoke',"
        "'Parameters':{'FunctionName':'f2'},'End':true}}},'End':true}}},'End':true}}}"
        "],'Next':'After'},"
        "'After':{'Type':'Task','Resource':'arn:aws:states:::sns:publish',"
        "'Parameters':{'TopicArn':'arn:aws:sns:<RA>:t'},'End':true}}}",
        &dl);
    assert_int_equal(dl.nr, 0);
    assert_stmts(
        p, "{'Sid':'LambdaInvoke','Effect':'Allow',"
           "'Action':['lambda:InvokeFunction'],'Resource':["
           "'arn:aws:lambda:<RA>:function:f1','arn:aws:lambda:<RA>:function:f1:*',"
           "'arn:aws:lambda:<RA>:function:f2','arn:aws:lambda:<RA>:function:f2:*']},"
           "{'Sid':'DynamoDbPutItem','Effect':'Allow','Action':['dynamodb:PutItem'],"
           "'Resource':['arn:aws:dynamodb:<RA>:table/t']},"
           "{'Sid':'SnsPublish','Effect':'Allow','Action':['sns:Publish'],"
           "'Resource':['arn:aws:sns:<RA>:t']}");
    json_decref(p);
    diag_release(&dl);
}

/* ---- machine level ---------------------------------------------------------------- */

static void test_iam_logging_and_xray(void **state)
{
    (void)state;
    struct iam_ctx c = base_ctx;
    c.log_group_name = "/aws/vendedlogs/states/adp-prd-daily";
    c.tracing = true;
    struct diag_list dl = DIAG_LIST_INIT;
    json_t *p = task_policy(&c,
                            "'Resource':'arn:aws:states:::lambda:invoke',"
                            "'Parameters':{'FunctionName':'f'}",
                            &dl);
    assert_int_equal(dl.nr, 0);
    assert_stmts(p,
                 "{'Sid':'LambdaInvoke','Effect':'Allow',"
                 "'Action':['lambda:InvokeFunction'],'Resource':["
                 "'arn:aws:lambda:<RA>:function:f','arn:aws:lambda:<RA>:function:f:*']},"
                 "{'Sid':'Logging','Effect':'Allow','Action':["
                 "'logs:CreateLogDelivery','logs:DeleteLogDelivery',"
                 "'logs:DescribeLogGroups','logs:DescribeResourcePolicies',"
                 "'logs:GetLogDelivery','logs:ListLogDeliveries',"
                 "'logs:PutResourcePolicy','logs:UpdateLogDelivery'],'Resource':['*']},"
                 "{'Sid':'LoggingWrite','Effect':'Allow','Action':["
                 "'logs:CreateLogStream','logs:PutLogEvents'],'Resource':["
                 "'arn:aws:logs:<RA>:log-group:/aws/vendedlogs/states/adp-prd-daily',"
                 "'arn:aws:logs:<RA>:log-group:/aws/vendedlogs/states/adp-prd-daily:*']},"
                 "{'Sid':'XRay','Effect':'Allow','Action':["
                 "'xray:GetSamplingRules','xray:GetSamplingTargets',"
                 "'xray:PutTelemetryRecords','xray:PutTraceSegments'],'Resource':['*']}");
    json_decref(p);
    diag_release(&dl);
}

/* No Task, logging or tracing: one explicit Deny, since IAM rejects empty policies. */
static void test_iam_no_tasks_gives_one_harmless_statement(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    json_t *p = policy_of(&base_ctx,
                          "{'StartAt':'P','States':{'P':{'Type':'Pass','Next':'W'},"
                          "'W':{'Type':'Wait','Seconds':1,'End':true}}}",
                          &dl);
    assert_int_equal(dl.nr, 0);
    assert_stmts(p, "<DENY_ALL>");
    json_decref(p);
    diag_release(&dl);
    /* Activity workers poll with their own credentials: the role needs nothing. */
    check_task("'Resource':'arn:aws:states:<RA>:activity:manual'", "<DENY_ALL>");
}

/*
 * Statements follow the first Task needing them; equal action sets and conditions
 * merge (the managed rules of ECS and Batch share one statement, under the group Sid);
 * resources and actions are sorted and unique.
 */
static void test_iam_merge_dedupe_and_order(void **state)
{
    (void)state;
    struct iam_ctx c = base_ctx;
    c.ecs_task_role = c.ecs_execution_role = NULL;
    struct diag_list dl = DIAG_LIST_INIT;
    json_t *p = policy_of(
        &c,
        "{'StartAt':'A','States':{"
        "'A':{'Type':'Task','Resource':'arn:aws:states:::sqs:sendMessage','Parameters':"
        "{'QueueUrl':'https://sqs.ap-northeast-1.amazonaws.com/<ACCT>/z'},'Next':'B'},"
        "'B':{'Type':'Task','Resource':'arn:aws:states:::ecs:runTask.sync',"
        "'Parameters':{'TaskDefinition':'t'},'Next':'C'},"
        "'C':{'Type':'Task','Resource':'arn:aws:states:::batch:submitJob.sync',"
        "'Parameters':{},'Next':'D'},"
        "'D':{'Type':'Task','Resource':'arn:aws:states:::sqs:sendMessage','Parameters':"
        "{'QueueUrl':'https://sqs.ap-northeast-1.amazonaws.com/<ACCT>/a'},'Next':'E'},"
        "'E':{'Type':'Task','Resource':'arn:aws:states:::sqs:sendMessage','Parameters':"
        "{'QueueUrl':'https://sqs.ap-northeast-1.amazonaws.com/<ACCT>/z'},'End':true}}}",
        &dl);
    assert_int_equal(dl.nr, 0);
    assert_stmts(p,
                 "{'Sid':'SqsSendMessage','Effect':'Allow','Action':['sqs:SendMessage'],"
                 "'Resource':['arn:aws:sqs:<RA>:a','arn:aws:sqs:<RA>:z']},"
                 "<RUNTASK_T>,<MANAGE_BATCH>,"
                 "{'Sid':'SyncManagedRules','Effect':'Allow','Action':["
                 "'events:DescribeRule','events:PutRule','events:PutTargets'],"
                 "'Resource':["
                 "'arn:aws:events:<RA>:rule/StepFunctionsGetEventsForBatchJobsRule',"
                 "'arn:aws:events:<RA>:rule/StepFunctionsGetEventsForECSTaskRule']},"
                 "{'Sid':'BatchSubmitJobSync','Effect':'Allow','Action':["
                 "'batch:DescribeJobs','batch:SubmitJob','batch:TerminateJob'],"
                 "'Resource':['*']}");
    json_decref(p);
    diag_release(&dl);
}

/* Once a merged statement needs "*" (SMS), listing narrower ARNs beside it is noise. */
static void test_iam_star_absorbs_narrower_resources(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    json_t *p = policy_of(&base_ctx,
                          "{'StartAt':'A','States':{"
                          "'A':{'Type':'Task','Resource':'arn:aws:states:::sns:publish',"
                          "'Parameters':{'TopicArn':'arn:aws:sns:<RA>:t'},'Next':'B'},"
                          "'B':{'Type':'Task','Resource':'arn:aws:states:::sns:publish',"
                          "'Parameters':{'PhoneNumber.$':'$.phone'},'End':true}}}",
                          &dl);
    assert_int_equal(dl.nr, 0);
    assert_stmts(p, "{'Sid':'SnsPublish','Effect':'Allow','Action':['sns:Publish'],"
                    "'Resource':['*']}");
    json_decref(p);
    diag_release(&dl);
}

/* The same purpose under another condition is a second statement with a numbered Sid. */
static void test_iam_sids_are_unique(void **state)
{
    (void)state;
    struct iam_ctx c = base_ctx;
    c.iam_extra = load("[{'Sid':'SnsPublish','Effect':'Allow','Action':'kms:Decrypt',"
                       "'Resource':'arn:aws:kms:<RA>:key/k'}]");
    struct diag_list dl = DIAG_LIST_INIT;
    json_t *p = policy_of(
        &c,
        "{'StartAt':'A','States':{"
        "'A':{'Type':'Task','Resource':'arn:aws:states:::http:invoke','Parameters':{"
        "'ApiEndpoint':'https://a','Method':'GET','Authentication':{"
        "'ConnectionArn':'arn:aws:events:<RA>:connection/shop/1a2b-3c'}},'Next':'B'},"
        "'B':{'Type':'Task','Resource':'arn:aws:states:::http:invoke','Parameters':{"
        "'ApiEndpoint':'https://b','Method':'GET','Authentication':{"
        "'ConnectionArn':'arn:aws:events:<RA>:connection/shop/1a2b-3c'}},'Next':'C'},"
        "'C':{'Type':'Task','Resource':'arn:aws:states:::sns:publish',"
        "'Parameters':{'TopicArn':'arn:aws:sns:<RA>:t'},'End':true}}}",
        &dl);
    assert_int_equal(dl.nr, 0);
    assert_stmts(p, "{'Sid':'HttpInvoke','Effect':'Allow',"
                    "'Action':['states:InvokeHTTPEndpoint'],"
                    "'Resource':['arn:aws:states:<RA>:stateMachine:adp-prd-daily'],"
                    "'Condition':{'StringEquals':{'states:HTTPMethod':'GET'},"
                    "'StringLike':{'states:HTTPEndpoint':'https://a'}}},"
                    "<HTTP_CONN>,"
                    "{'Sid':'HttpInvoke2','Effect':'Allow',"
                    "'Action':['states:InvokeHTTPEndpoint'],"
                    "'Resource':['arn:aws:states:<RA>:stateMachine:adp-prd-daily'],"
                    "'Condition':{'StringEquals':{'states:HTTPMethod':'GET'},"
                    "'StringLike':{'states:HTTPEndpoint':'https://b'}}},"
                    "{'Sid':'SnsPublish2','Effect':'Allow','Action':['sns:Publish'],"
                    "'Resource':['arn:aws:sns:<RA>:t']},"
                    "{'Sid':'SnsPublish','Effect':'Allow','Action':'kms:Decrypt',"
                    "'Resource':'arn:aws:kms:<RA>:key/k'}");
    json_decref(p);
    json_decref(c.iam_extra);
    diag_release(&dl);
}

/* ---- errors and the escape hatch --------------------------------------------------- */

static void test_iam_dynamic_and_unknown_targets_are_errors(void **state)
{
    (void)state;
    check_task_error("'Resource':'arn:aws:states:::lambda:invoke',"
                     "'Parameters':{'FunctionName.$':'$.fn'}",
                     D_IAM_DYNAMIC_RESOURCE);
    check_task_error("'Resource':'arn:aws:states:::dynamodb:putItem',"
                     "'Parameters':{'TableName.$':'$.table'}",
                     D_IAM_DYNAMIC_RESOURCE);
    check_task_error("'Resource':'arn:aws:states:::ecs:runTask',"
                     "'Parameters':{'TaskDefinition.$':'$.td'}",
                     D_IAM_DYNAMIC_RESOURCE);
    check_task_error("'Resource':'{% $states.input.resource %}'", D_IAM_DYNAMIC_RESOURCE);
    check_task_error("'Resource':'arn:aws:states:::foo:bar'", D_IAM_UNKNOWN_INTEGRATION);
    check_task_error("'Resource':'arn:aws:states:::dynamodb:query'",
                     D_IAM_UNKNOWN_INTEGRATION);
    check_task_error("'Resource':'arn:aws:sqs:<RA>:q'", D_IAM_UNKNOWN_INTEGRATION);
    check_task_error("'Resource':'my-function'", D_IAM_UNKNOWN_INTEGRATION);

    /* The diagnostic names the field and says how to fix it. */
    struct diag_list dl = DIAG_LIST_INIT;
    json_t *p = task_policy(&base_ctx,
                            "'Resource':'arn:aws:states:::lambda:invoke',"
                            "'Parameters':{'FunctionName.$':'$.fn'}",
                            &dl);
    assert_null(p);
    assert_non_null(strstr(dl.v[0].msg, "'FunctionName.$' of state 'T'"));
    assert_int_equal(dl.v[0].nnotes, 1);
    assert_non_null(strstr(dl.v[0].notes[0], "iam_extra"));
    diag_release(&dl);
}

/* With iam_extra, what cannot be derived is left to it and nothing is an error. */
static void test_iam_extra_escape_hatch(void **state)
{
    (void)state;
    struct iam_ctx c = base_ctx;
    c.iam_extra = load("[{'Effect':'Allow','Action':['lambda:InvokeFunction'],"
                       "'Resource':['arn:aws:lambda:<RA>:function:dyn-*']}]");
    struct diag_list dl = DIAG_LIST_INIT;
    json_t *p =
        policy_of(&c,
                  "{'StartAt':'A','States':{"
                  "'A':{'Type':'Task','Resource':'arn:aws:states:::lambda:invoke',"
                  "'Parameters':{'FunctionName.$':'$.fn'},'Next':'B'},"
                  "'B':{'Type':'Task','Resource':'arn:aws:states:::foo:bar',"
                  "'Next':'C'},"
                  "'C':{'Type':'Task','Resource':'arn:aws:states:::sns:publish',"
                  "'Parameters':{'TopicArn':'arn:aws:sns:<RA>:t'},'End':true}}}",
                  &dl);
    assert_int_equal(dl.nr, 0);
    assert_stmts(p, "{'Sid':'SnsPublish','Effect':'Allow','Action':['sns:Publish'],"
                    "'Resource':['arn:aws:sns:<RA>:t']},"
                    "{'Effect':'Allow','Action':['lambda:InvokeFunction'],"
                    "'Resource':['arn:aws:lambda:<RA>:function:dyn-*']}");
    json_decref(p);
    json_decref(c.iam_extra);
    diag_release(&dl);
}

/* JSONata states read Arguments: plain strings are literals, {% %} is computed. */
static void test_iam_jsonata_arguments(void **state)
{
    (void)state;
    struct diag_list dl = DIAG_LIST_INIT;
    json_t *p = policy_of(
        &base_ctx,
        "{'QueryLanguage':'JSONata','StartAt':'A','States':{"
        "'A':{'Type':'Task','Resource':'arn:aws:states:::lambda:invoke',"
        "'Arguments':{'FunctionName':'f','Payload':'{% $states.input %}'},'Next':'B'},"
        "'B':{'Type':'Task','Resource':'arn:aws:states:::ecs:runTask.sync',"
        "'Arguments':{'TaskDefinition':'t:3','Overrides':'{% $states.input.o %}'},"
        "'End':true}}}",
        &dl);
    assert_int_equal(dl.nr, 0);
    assert_stmts(p,
                 "{'Sid':'LambdaInvoke','Effect':'Allow',"
                 "'Action':['lambda:InvokeFunction'],'Resource':["
                 "'arn:aws:lambda:<RA>:function:f','arn:aws:lambda:<RA>:function:f:*']},"
                 "<RUNTASK_T>,<MANAGE_BATCH>,<ECS_RULE>,<PASSROLE>");
    json_decref(p);

    /* One JSONata state inside a JSONPath machine; its {% %} target is computed. */
    p = policy_of(&base_ctx,
                  "{'StartAt':'A','States':{'A':{'Type':'Task','QueryLanguage':'JSONata',"
                  "'Resource':'arn:aws:states:::lambda:invoke',"
                  "'Arguments':{'FunctionName':'{% $states.input.fn %}'},'End':true}}}",
                  &dl);
    assert_null(p);
    assert_int_equal(dl.nr, 1);
    assert_int_equal(dl.v[0].id, D_IAM_DYNAMIC_RESOURCE);
    diag_truncate(&dl, 0);

    /* Arguments given as one expression hide every target. */
    p = policy_of(&base_ctx,
                  "{'QueryLanguage':'JSONata','StartAt':'A','States':{'A':{'Type':'Task',"
                  "'Resource':'arn:aws:states:::sns:publish',"
                  "'Arguments':'{% $states.input.args %}','End':true}}}",
                  &dl);
    assert_null(p);
    assert_int_equal(dl.nr, 1);
    assert_int_equal(dl.v[0].id, D_IAM_DYNAMIC_RESOURCE);
    diag_release(&dl);
}

/* A Task with Credentials runs as that role: the execution role only assumes it. */
static void test_iam_task_credentials(void **state)
{
    (void)state;
    check_task("'Resource':'arn:aws:states:::lambda:invoke',"
               "'Credentials':{'RoleArn':'arn:aws:iam::210987654321:role/remote'},"
               "'Parameters':{'FunctionName.$':'$.fn'}",
               "{'Sid':'AssumeTaskCredentialsRole','Effect':'Allow',"
               "'Action':['sts:AssumeRole'],"
               "'Resource':['arn:aws:iam::210987654321:role/remote']}");
    check_task("'Resource':'arn:aws:states:::aws-sdk:s3:putObject',"
               "'Credentials':{'RoleArn':'arn:aws:iam::210987654321:role/remote'},"
               "'Parameters':{}",
               "{'Sid':'AssumeTaskCredentialsRole','Effect':'Allow',"
               "'Action':['sts:AssumeRole'],"
               "'Resource':['arn:aws:iam::210987654321:role/remote']}");
    check_task("'Resource':'arn:aws:lambda:<RA>:function:f',"
               "'Credentials':{'RoleArn':'arn:aws:iam::210987654321:role/remote'}",
               "{'Sid':'AssumeTaskCredentialsRole','Effect':'Allow',"
               "'Action':['sts:AssumeRole'],"
               "'Resource':['arn:aws:iam::210987654321:role/remote']}");
    check_task_error("'Resource':'arn:aws:states:::lambda:invoke',"
                     "'Credentials':{'RoleArn.$':'$.role'},"
                     "'Parameters':{'FunctionName':'f'}",
                     D_IAM_DYNAMIC_RESOURCE);
}

static void test_iam_policy_size_limit(void **state)
{
    (void)state;
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "{'StartAt':'S0','States':{");
    for (int i = 0; i < 200; i++)
        strbuf_addf(&sb,
                    "%s'S%d':{'Type':'Task','Resource':'arn:aws:states:::lambda:invoke',"
                    "'Parameters':{'FunctionName':'function-number-%d'},'End':true}",
                    i ? "," : "", i, i);
    strbuf_adds(&sb, "}}");
    struct diag_list dl = DIAG_LIST_INIT;
    json_t *p = policy_of(&base_ctx, sb.buf, &dl);
    assert_null(p);
    assert_int_equal(dl.nr, 1);
    assert_int_equal(dl.v[0].id, D_IAM_POLICY_SIZE);
    strbuf_release(&sb);
    diag_release(&dl);
}

/* With a loaded document, diagnostics point at the offending field. */
static void test_iam_error_locations(void **state)
{
    (void)state;
    static const char text[] = "StartAt: A\n"
                               "States:\n"
                               "  A:\n"
                               "    Type: Task\n"
                               "    Resource: arn:aws:states:::lambda:invoke\n"
                               "    Parameters:\n"
                               "      FunctionName.$: $.fn\n"
                               "    Next: B\n"
                               "  B:\n"
                               "    Type: Task\n"
                               "    Resource: arn:aws:states:::nope:nope\n"
                               "    End: true\n";
    struct diag_list dl = DIAG_LIST_INIT;
    struct ydoc doc;
    assert_int_equal(yload_mem(&doc, "m.asl.yaml", text, strlen(text), &dl), 0);
    json_t *p = iam_policy_new(&base_ctx, &doc, doc.root, &dl);
    assert_null(p);
    assert_int_equal(dl.nr, 2);
    assert_diag(&dl, 0, D_IAM_DYNAMIC_RESOURCE, 7, 7);
    assert_diag(&dl, 1, D_IAM_UNKNOWN_INTEGRATION, 11, 15);
    ydoc_release(&doc);
    diag_release(&dl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iam_ecs_request_response),
        cmocka_unit_test(test_iam_ecs_sync),
        cmocka_unit_test(test_iam_ecs_wait_for_task_token),
        cmocka_unit_test(test_iam_ecs_task_definition_forms),
        cmocka_unit_test(test_iam_ecs_cluster_name_arn_default),
        cmocka_unit_test(test_iam_ecs_tags),
        cmocka_unit_test(test_iam_ecs_override_roles),
        cmocka_unit_test(test_iam_ecs_bad_targets),
        cmocka_unit_test(test_iam_lambda_name_forms),
        cmocka_unit_test(test_iam_lambda_legacy_resource),
        cmocka_unit_test(test_iam_lambda_bad_names),
        cmocka_unit_test(test_iam_sfn_start_execution),
        cmocka_unit_test(test_iam_dynamodb_each_action),
        cmocka_unit_test(test_iam_sns_publish),
        cmocka_unit_test(test_iam_sqs_url_to_arn),
        cmocka_unit_test(test_iam_eventbridge_buses),
        cmocka_unit_test(test_iam_batch),
        cmocka_unit_test(test_iam_glue),
        cmocka_unit_test(test_iam_athena),
        cmocka_unit_test(test_iam_http_invoke),
        cmocka_unit_test(test_iam_aws_sdk_prefixes),
        cmocka_unit_test(test_iam_aws_sdk_sync_is_always_an_error),
        cmocka_unit_test(test_iam_distributed_map_reader_writer),
        cmocka_unit_test(test_iam_tasks_nested_in_parallel_and_map),
        cmocka_unit_test(test_iam_logging_and_xray),
        cmocka_unit_test(test_iam_no_tasks_gives_one_harmless_statement),
        cmocka_unit_test(test_iam_merge_dedupe_and_order),
        cmocka_unit_test(test_iam_star_absorbs_narrower_resources),
        cmocka_unit_test(test_iam_sids_are_unique),
        cmocka_unit_test(test_iam_dynamic_and_unknown_targets_are_errors),
        cmocka_unit_test(test_iam_extra_escape_hatch),
        cmocka_unit_test(test_iam_jsonata_arguments),
        cmocka_unit_test(test_iam_task_credentials),
        cmocka_unit_test(test_iam_policy_size_limit),
        cmocka_unit_test(test_iam_error_locations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
