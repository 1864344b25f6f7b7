#!/usr/bin/env node
/*
 * Peer check for ASL files: validates each file with amazon-states-language-service (the
 * engine behind the AWS Toolkit's Step Functions editor) in one process, prints its
 * diagnostics per file, and exits 1 if any file has an error. For tests and benchmarks.
 *
 * usage: node check_asl.js FILE...
 *        node check_asl.js --bench FILE...   print only the elapsed ms of reading and
 *                                            validating all files (module load excluded)
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');
const { performance } = require('perf_hooks');
const asl = require('amazon-states-language-service');
const { TextDocument } = require('vscode-languageserver-textdocument');

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };

function usage() {
    process.stderr.write('usage: node check_asl.js [--bench] FILE...\n');
    process.exit(2);
}

/*
 * Validates one file and returns its diagnostics as plain objects. A file that cannot be
 * read becomes a single error diagnostic so that it counts as a failure.
 */
async function validateFile(service, file) {
    let text;
    try {
        text = fs.readFileSync(file, 'utf8');
    } catch (err) {
        return [
            { line: 0, col: 0, severity: 'error', message: err.message, source: 'io' },
        ];
    }
    // languageId 'asl' is what the service's JSON flavour expects (LANGUAGE_IDS.JSON).
    const uri = pathToFileURL(path.resolve(file)).href;
    const doc = TextDocument.create(uri, 'asl', 1, text);
    const jsonDoc = service.parseJSONDocument(doc);
    const diags = await service.doValidation(doc, jsonDoc);
    return diags.map((d) => ({
        line: d.range.start.line + 1,
        col: d.range.start.character + 1,
        severity: SEVERITY[d.severity] || 'error',
        message: d.message.replace(/\s+/g, ' ').trim(),
        source: d.source || '',
    }));
}

async function main(argv) {
    let bench = false;
    const files = [];
    for (const arg of argv) {
        if (arg === '--bench') bench = true;
        else if (arg === '-h' || arg === '--help') usage();
        else files.push(arg);
    }
    if (files.length === 0) usage();

    const service = asl.getLanguageService({});
    const t0 = performance.now();
    let failed = 0;
    for (const file of files) {
        const diags = await validateFile(service, file);
        const errors = diags.filter((d) => d.severity === 'error').length;
        if (errors > 0) failed++;
        if (bench) continue;
        for (const d of diags) {
            process.stdout.write(
                `${file}:${d.line}:${d.col}: ${d.severity}: ${d.message}` +
                    `${d.source ? ` [${d.source}]` : ''}\n`
            );
        }
        const warnings = diags.length - errors;
        process.stdout.write(
            `${errors ? 'FAIL' : 'ok'} ${file}` +
                ` (${errors} errors, ${warnings} other diagnostics)\n`
        );
    }
    const ms = performance.now() - t0;
    if (bench) process.stdout.write(`${ms.toFixed(1)}\n`);
    else if (files.length > 1) {
        process.stdout.write(
            `asl: ${files.length - failed} files ok, ${failed} with errors\n`
        );
    }
    return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (err) => {
        process.stderr.write(`check_asl: ${err.stack || err}\n`);
        process.exitCode = 2;
    }
);
