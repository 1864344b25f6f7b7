#!/usr/bin/env node
// Differential test of wfgen's JSONata engine against the jsonata npm package at 2.0.6,
// the version Step Functions names. Every case of tests/jsonata/differential.json (an
// expression and the name of an input document) runs through both: the package in this
// process, wfgen as `wfgen eval --jsonata EXPR --input FILE` (plain mode, the input as
// the context item). Results must be equal as JSON (object keys in any order, numbers
// within 1e-12 relative), or both must fail with the same error code, or both be
// undefined. A case marked "known" is a recorded engine difference: it is reported but
// not counted as a failure, and reported again when it starts to agree.
//
//   node diff_jsonata.js [CASES.json]        WFGEN=path/to/wfgen (default build/release)
//
// Ends with "diff_jsonata: N passed, N failed"; exits 1 when a case failed.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const jsonata = require('jsonata');

const root = path.resolve(__dirname, '..', '..');
const casesFile = process.argv[2] || path.join(root, 'tests', 'jsonata', 'differential.json');
const wfgen = process.env.WFGEN || path.join(root, 'build', 'release', 'wfgen');

function same(a, b) {
    if (typeof a === 'number' && typeof b === 'number') {
        if (a === b) return true;
        return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
    }
    if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object')
        return a === b;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (Array.isArray(a))
        return a.length === b.length && a.every((v, i) => same(v, b[i]));
    const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
    return same(ka, kb) && ka.every((k) => same(a[k], b[k]));
}

// The package's answer: {value} (undefined allowed), {error: code} or {fn: true}.
async function reference(expr, input) {
    try {
        const v = await jsonata(expr).evaluate(input);
        if (typeof v === 'function') return { fn: true };
        // JSON round trip: drops the package's internal array marks, as JSON output does
        return { value: v === undefined ? undefined : JSON.parse(JSON.stringify(v)) };
    } catch (e) {
        return { error: e.code || String(e.message || e) };
    }
}

function ours(expr, file) {
    const r = spawnSync(wfgen, ['eval', '--jsonata', expr, '--input', file], {
        encoding: 'utf8',
        env: Object.assign({}, process.env, { LC_ALL: 'C', TZ: 'UTC' }),
    });
    if (r.error) return { error: 'spawn: ' + r.error.message };
    if (r.status !== 0) {
        const m = /error ([A-Z][0-9]{4})/.exec(r.stderr);
        return { error: m ? m[1] : 'exit ' + r.status + ': ' + r.stderr.trim() };
    }
    const out = r.stdout.trim();
    return { value: out === '' ? undefined : JSON.parse(out) };
}

function show(r) {
    if (r.error !== undefined) return 'error ' + r.error;
    if (r.fn) return 'a function';
    return r.value === undefined ? 'undefined' : JSON.stringify(r.value);
}

function agree(a, b) {
    if (a.error !== undefined || b.error !== undefined) return a.error === b.error;
    if (a.fn || b.fn) return !!a.fn === !!b.fn;
    if (a.value === undefined || b.value === undefined) return a.value === b.value;
    return same(a.value, b.value);
}

async function main() {
    const spec = JSON.parse(fs.readFileSync(casesFile, 'utf8'));
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wfgen-diff-'));
    const files = {};
    for (const [name, doc] of Object.entries(spec.inputs)) {
        files[name] = path.join(tmp, name + '.json');
        fs.writeFileSync(files[name], JSON.stringify(doc));
    }
    let passed = 0, failed = 0, known = 0;
    for (const c of spec.cases) {
        const input = spec.inputs[c.input];
        if (input === undefined) {
            console.log('FAIL ' + c.expr + ': no input named ' + c.input);
            failed++;
            continue;
        }
        const want = await reference(c.expr, input);
        const got = ours(c.expr, files[c.input]);
        const ok = agree(want, got);
        if (c.known) {
            known++;
            passed++;
            console.log((ok ? 'now agrees (drop "known"): ' : 'known difference: ') +
                        c.expr + ' -- ' + c.known);
            if (!ok) console.log('    jsonata ' + show(want) + ', wfgen ' + show(got));
        } else if (ok) {
            passed++;
        } else {
            failed++;
            console.log('FAIL ' + c.expr + ' [' + c.input + ']');
            console.log('    jsonata ' + show(want) + ', wfgen ' + show(got));
        }
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    console.log(`diff_jsonata: ${spec.cases.length} cases, ${known} known differences`);
    console.log(`diff_jsonata: ${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
}

main().catch((e) => {
    console.log('FAIL diff_jsonata: ' + (e.stack || e));
    console.log('diff_jsonata: 0 passed, 1 failed');
    process.exit(1);
});
