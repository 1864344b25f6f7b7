#!/usr/bin/env node
/*
 * Peer check for the generated Terraform: parses every *.tf in a folder with
 * @cdktf/hcl2json (HashiCorp's HCL parser compiled to WebAssembly) and asserts the
 * structure SPEC section 4 promises. Test use only; there is no terraform binary here.
 *
 * usage: node check_tf.js DIR
 * Prints one summary line per file and "DIR/FILE: error: ..." for each problem; exits 1
 * if there is any.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const hcl = require('@cdktf/hcl2json');

/*
 * What main.tf must declare. perWorkflow: every instance iterates over local.workflows.
 * attrs are attributes and blocks that every instance must set; sub lists the attributes
 * each instance of a nested block must set (the provider's required ones).
 */
const RESOURCE_RULES = [
    {
        type: 'aws_sfn_state_machine',
        perWorkflow: true,
        attrs: ['definition', 'role_arn', 'logging_configuration'],
        sub: { logging_configuration: ['log_destination', 'level'] },
    },
    { type: 'aws_iam_role', attrs: ['assume_role_policy'] },
    { type: 'aws_iam_role_policy', attrs: ['role', 'policy'] },
    { type: 'aws_cloudwatch_log_group', attrs: ['name'] },
    { type: 'aws_scheduler_schedule_group', attrs: ['name'] },
    {
        type: 'aws_scheduler_schedule',
        perWorkflow: true,
        attrs: [
            'schedule_expression',
            'schedule_expression_timezone',
            'flexible_time_window',
            'target',
        ],
        sub: { flexible_time_window: ['mode'], target: ['arn', 'role_arn'] },
    },
];

/* Resources that manage a role's policies exclusively; SPEC section 4 forbids them. */
const FORBIDDEN_TYPES = ['aws_iam_policy_attachment', 'aws_iam_role_policies_exclusive'];
/* aws_iam_role attributes that also take exclusive ownership of the role's policies. */
const FORBIDDEN_ROLE_ATTRS = ['inline_policy', 'managed_policy_arns'];

/* Per-key output folders that sit beside terraform/ and must match the workflows map. */
const SIBLINGS = [
    { dir: 'state_machines', suffix: '.asl.json' },
    { dir: 'iam', suffix: '.policy.json' },
];

class Checker {
    constructor(dir) {
        this.dir = dir;
        this.files = {}; // basename -> parsed JSON from hcl2json
        this.problems = {}; // basename -> [message]
    }

    fail(file, msg) {
        (this.problems[file] = this.problems[file] || []).push(msg);
    }

    /* Parses every *.tf in sorted order; a parse error is a problem of that file. */
    async parseAll() {
        let names;
        try {
            names = fs
                .readdirSync(this.dir)
                .filter((n) => n.endsWith('.tf'))
                .sort();
        } catch (err) {
            this.fail('.', `cannot read folder: ${err.message}`);
            return;
        }
        if (names.length === 0) this.fail('.', 'no *.tf files');
        for (const name of names) {
            const text = fs.readFileSync(path.join(this.dir, name), 'utf8');
            try {
                this.files[name] = await hcl.parse(name, text);
            } catch (err) {
                this.files[name] = null;
                this.fail(name, `HCL parse error: ${String(err.message || err).trim()}`);
            }
        }
    }

    /* Returns the parsed file or records that a required file is missing. */
    need(name) {
        if (!(name in this.files)) {
            this.fail(name, 'required file is missing');
            return null;
        }
        return this.files[name];
    }

    checkVersions() {
        const doc = this.need('versions.tf');
        if (!doc) return;
        const providers = blocks(doc.terraform).flatMap((t) =>
            blocks(t.required_providers)
        );
        const aws = providers.map((p) => p.aws).find((a) => a !== undefined);
        if (!aws) {
            this.fail('versions.tf', 'terraform.required_providers has no "aws" entry');
        } else if (aws.source !== 'hashicorp/aws') {
            this.fail(
                'versions.tf',
                `required_providers.aws.source is ${JSON.stringify(
                    aws.source
                )}, expected "hashicorp/aws"`
            );
        }
    }

    /* Checks the workflows map and returns its keys (null when it is unusable). */
    checkWorkflows() {
        const doc = this.need('workflows.tf');
        if (!doc) return null;
        const owner = blocks(doc.locals).find((l) => 'workflows' in l);
        if (!owner) {
            this.fail('workflows.tf', 'no locals block defines "workflows"');
            return null;
        }
        const map = owner.workflows;
        if (!isObject(map)) {
            this.fail(
                'workflows.tf',
                `local.workflows is not a map literal: ${JSON.stringify(map)}`
            );
            return null;
        }
        for (const [key, entry] of Object.entries(map)) {
            if (!isObject(entry)) {
                this.fail('workflows.tf', `workflows.${key} is not an object`);
            } else if (
                typeof entry.state_machine_name !== 'string' ||
                entry.state_machine_name === ''
            ) {
                this.fail('workflows.tf', `workflows.${key} has no state_machine_name`);
            }
        }
        return Object.keys(map);
    }

    checkMain() {
        const doc = this.need('main.tf');
        if (!doc) return;
        const res = doc.resource || {};
        for (const rule of RESOURCE_RULES) {
            const insts = instances(res, rule.type);
            if (insts.length === 0) {
                this.fail('main.tf', `no resource "${rule.type}"`);
                continue;
            }
            for (const [name, body] of insts) this.checkInstance(rule, name, body);
        }
        this.checkRoles(res);
    }

    checkInstance(rule, name, body) {
        const id = `${rule.type}.${name}`;
        if (rule.perWorkflow && !iteratesWorkflows(body) && !catalogLevel(body)) {
            this.fail('main.tf', `${id} has no for_each over local.workflows`);
        }
        for (const attr of rule.attrs) {
            if (!has(body, attr)) this.fail('main.tf', `${id} is missing "${attr}"`);
        }
        for (const [blk, attrs] of Object.entries(rule.sub || {})) {
            for (const b of nested(body, blk)) {
                for (const a of attrs) {
                    if (!(a in b)) this.fail('main.tf', `${id}.${blk} is missing "${a}"`);
                }
            }
        }
        if (
            rule.type === 'aws_sfn_state_machine' &&
            typeof body.definition === 'string' &&
            (!/\bfile\(/.test(body.definition) || /templatefile\(/.test(body.definition))
        ) {
            this.fail(
                'main.tf',
                `${id}.definition must be read with file(), not ${body.definition}`
            );
        }
    }

    /*
     * The execution role (named by the state machine's role_arn) and the scheduler role
     * (named by the schedule target's role_arn) must be two distinct aws_iam_role
     * resources; the execution role, its aws_iam_role_policy and the log group the state
     * machine logs to are per workflow.
     */
    checkRoles(res) {
        const roles = new Map(instances(res, 'aws_iam_role'));
        const sms = instances(res, 'aws_sfn_state_machine');
        const sm = sms.find(([, b]) => !catalogLevel(b)) || sms[0];
        const sched = instances(res, 'aws_scheduler_schedule')[0];
        if (!sm || !sched) return;
        const exec = refName(sm[1].role_arn, 'aws_iam_role');
        const target = nested(sched[1], 'target')[0] || {};
        const schedRole = refName(target.role_arn, 'aws_iam_role');
        if (!exec || !roles.has(exec)) {
            this.fail(
                'main.tf',
                'aws_sfn_state_machine role_arn does not reference an ' +
                    'aws_iam_role declared in main.tf'
            );
        } else if (!iteratesWorkflows(roles.get(exec))) {
            this.fail(
                'main.tf',
                `execution role aws_iam_role.${exec} has no for_each ` +
                    'over local.workflows'
            );
        }
        if (!schedRole || !roles.has(schedRole)) {
            this.fail(
                'main.tf',
                'aws_scheduler_schedule target.role_arn does not reference ' +
                    'an aws_iam_role declared in main.tf'
            );
        } else if (schedRole === exec) {
            this.fail('main.tf', `scheduler and execution share aws_iam_role.${exec}`);
        }
        const execPolicy = instances(res, 'aws_iam_role_policy').find(
            ([, b]) => exec && refName(b.role, 'aws_iam_role') === exec
        );
        if (exec && !execPolicy) {
            this.fail(
                'main.tf',
                `no aws_iam_role_policy attaches to aws_iam_role.${exec}`
            );
        } else if (execPolicy && !iteratesWorkflows(execPolicy[1])) {
            this.fail(
                'main.tf',
                `aws_iam_role_policy.${execPolicy[0]} has no for_each ` +
                    'over local.workflows'
            );
        }
        const logCfg = nested(sm[1], 'logging_configuration')[0] || {};
        const group = refName(logCfg.log_destination, 'aws_cloudwatch_log_group');
        const groups = new Map(instances(res, 'aws_cloudwatch_log_group'));
        if (!group || !groups.has(group)) {
            this.fail(
                'main.tf',
                'logging_configuration.log_destination does not reference ' +
                    'an aws_cloudwatch_log_group declared in main.tf'
            );
        } else if (!iteratesWorkflows(groups.get(group))) {
            this.fail(
                'main.tf',
                `aws_cloudwatch_log_group.${group} has no for_each ` +
                    'over local.workflows'
            );
        }
    }

    /* Forbidden resources and attributes, and references to undeclared names. */
    checkAll() {
        const declared = {
            resource: new Set(),
            data: new Set(),
            local: new Set(),
            var: new Set(),
        };
        for (const doc of Object.values(this.files)) {
            if (!doc) continue;
            for (const [kind, key] of [
                ['resource', 'resource'],
                ['data', 'data'],
            ]) {
                for (const [type, byName] of Object.entries(doc[key] || {})) {
                    for (const name of Object.keys(byName))
                        declared[kind].add(`${type}.${name}`);
                }
            }
            for (const l of blocks(doc.locals))
                Object.keys(l).forEach((k) => declared.local.add(k));
            Object.keys(doc.variable || {}).forEach((k) => declared.var.add(k));
        }
        for (const [file, doc] of Object.entries(this.files)) {
            if (!doc) continue;
            const res = doc.resource || {};
            for (const type of FORBIDDEN_TYPES) {
                if (res[type]) this.fail(file, `forbidden exclusive resource "${type}"`);
            }
            for (const [name, body] of instances(res, 'aws_iam_role')) {
                for (const attr of FORBIDDEN_ROLE_ATTRS) {
                    if (has(body, attr)) {
                        this.fail(file, `aws_iam_role.${name} sets exclusive "${attr}"`);
                    }
                }
            }
            for (const ref of new Set(references(doc))) {
                const [kind, rest] = ref.split(' ');
                if (!declared[kind].has(rest)) {
                    this.fail(file, `reference to undeclared ${kind} ${rest}`);
                }
            }
        }
    }

    /* When state_machines/ or iam/ sit beside DIR, their per-key files match the map. */
    checkSiblings(keys) {
        const want = [...keys].sort();
        for (const { dir, suffix } of SIBLINGS) {
            const sib = path.join(this.dir, '..', dir);
            if (!fs.existsSync(sib)) continue;
            const have = fs
                .readdirSync(sib)
                // '_'-prefixed files are catalog-wide (keys never start with '_'), and
                // KEY.<extra>.policy.json (e.g. .callback) are per-key extras (no '.' in keys)
                .filter((n) => n.endsWith(suffix) && !n.startsWith('_'))
                .filter((n) => !n.slice(0, -suffix.length).includes('.'))
                .map((n) => n.slice(0, -suffix.length))
                .sort();
            const missing = want.filter((k) => !have.includes(k));
            const extra = have.filter((k) => !want.includes(k));
            if (missing.length) {
                this.fail(
                    'workflows.tf',
                    `no ../${dir}/KEY${suffix} for: ${missing.join(', ')}`
                );
            }
            if (extra.length) {
                this.fail(
                    'workflows.tf',
                    `../${dir} has files for keys not in workflows: ${extra.join(', ')}`
                );
            }
        }
    }

    summary(name, doc, keys) {
        if (!doc) return 'not parsed';
        const parts = [];
        if (doc.terraform) parts.push('terraform');
        if (name === 'workflows.tf' && keys) {
            parts.push(
                `${keys.length} workflows${keys.length ? ': ' + keys.join(', ') : ''}`
            );
        } else if (doc.locals) {
            parts.push('locals');
        }
        const res = doc.resource || {};
        const n = Object.keys(res).reduce(
            (acc, t) => acc + Object.keys(res[t]).length,
            0
        );
        if (n) {
            const fe = Object.keys(res).reduce(
                (acc, t) =>
                    acc + instances(res, t).filter(([, b]) => 'for_each' in b).length,
                0
            );
            parts.push(
                `${n} resources of ${Object.keys(res).length} types, ${fe} with for_each`
            );
        }
        for (const k of ['data', 'output', 'variable', 'module', 'provider']) {
            if (doc[k]) parts.push(`${Object.keys(doc[k]).length} ${k} blocks`);
        }
        return parts.join('; ') || 'empty';
    }

    report(keys) {
        let bad = 0;
        const names = [
            ...new Set([...Object.keys(this.files), ...Object.keys(this.problems)]),
        ];
        for (const name of names.sort()) {
            const where = path.join(this.dir, name);
            const probs = this.problems[name] || [];
            for (const p of probs) process.stdout.write(`${where}: error: ${p}\n`);
            if (probs.length) bad++;
            process.stdout.write(
                `${probs.length ? 'FAIL' : 'ok'} ${where}: ${this.summary(
                    name,
                    this.files[name],
                    keys
                )}\n`
            );
        }
        return bad;
    }
}

/* hcl2json gives blocks as arrays of bodies; tolerate a single body or nothing. */
function blocks(v) {
    if (Array.isArray(v)) return v.filter(isObject);
    return isObject(v) ? [v] : [];
}

function isObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/* [name, body] for every resource of a type; a repeated label yields one per body. */
function instances(res, type) {
    return Object.entries(res[type] || {}).flatMap(([n, bodies]) =>
        blocks(bodies).map((b) => [n, b])
    );
}

/* An attribute or block is present directly or as a dynamic block of that label. */
function has(body, attr) {
    return attr in body || blocks(body.dynamic).some((d) => attr in d);
}

/* Bodies of a nested block, written directly or as the content of a dynamic block. */
function nested(body, name) {
    const dyn = blocks(body.dynamic)
        .flatMap((d) => blocks(d[name]))
        .flatMap((d) => blocks(d.content));
    return blocks(body[name]).concat(dyn);
}

/* Catalog-wide resources (SPEC section 7) iterate over a local.catalog_* map instead. */
function catalogLevel(body) {
    return typeof body.for_each === 'string' && /\blocal\.catalog_\w+\b/.test(body.for_each);
}

function iteratesWorkflows(body) {
    return (
        typeof body.for_each === 'string' && /\blocal\.workflows\b/.test(body.for_each)
    );
}

/* Name of the first TYPE.NAME reference in an expression string, or null. */
function refName(expr, type) {
    if (typeof expr !== 'string') return null;
    const m = new RegExp(`(?<![\\w.])${type}\\.([A-Za-z_][\\w-]*)`).exec(expr);
    return m ? m[1] : null;
}

/* TYPE.NAME or data.TYPE.NAME (groups 1-3), or local.NAME / var.NAME (groups 4-5). */
const REF_RE = new RegExp(
    /(?<![\w.])(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z_][\w-]*)/.source +
        '|' +
        /(?<![\w.])(local|var)\.([A-Za-z_]\w*)/.source
);

/*
 * Yields "kind type.name" / "kind name" for every resource, data, local and var reference
 * inside ${...} interpolations anywhere in a parsed file.
 */
function* references(node) {
    if (typeof node === 'string') {
        if (!node.includes('${')) return;
        const re = new RegExp(REF_RE.source, 'g');
        for (let m; (m = re.exec(node)) !== null; ) {
            if (m[2]) yield `${m[1] ? 'data' : 'resource'} ${m[2]}.${m[3]}`;
            else yield `${m[4]} ${m[5]}`;
        }
    } else if (Array.isArray(node)) {
        for (const v of node) yield* references(v);
    } else if (isObject(node)) {
        for (const v of Object.values(node)) yield* references(v);
    }
}

async function main(argv) {
    if (argv.length !== 1 || argv[0].startsWith('-')) {
        process.stderr.write('usage: node check_tf.js DIR\n');
        return 2;
    }
    const c = new Checker(argv[0]);
    await c.parseAll();
    let keys = null;
    if (!c.problems['.']) {
        c.checkVersions();
        keys = c.checkWorkflows();
        c.checkMain();
        c.checkAll();
        if (keys) c.checkSiblings(keys);
    }
    return c.report(keys) ? 1 : 0;
}

main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (err) => {
        process.stderr.write(`check_tf: ${err.stack || err}\n`);
        process.exitCode = 2;
    }
);
