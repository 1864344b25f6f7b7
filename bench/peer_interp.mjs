// Runs one workload of bench/run_interp.sh on aws-local-stepfunctions, the Node peer
// installed by tests/node/setup.sh, with real waits and retry pauses overridden to 0 ms
// and the Task states answered by local handlers that mirror wfgen's mock files.
// usage: node bench/peer_interp.mjs chain|map|map-inline|retry|typical DIR [RUNS] [ITEMS]
// Prints the result of the last run (JSON) on stdout, and on stderr "inproc SECONDS": the
// time spent inside run(), after module load and definition parsing.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'tests/node/package.json'));
// aws-local-stepfunctions 3 calls Promise.withResolvers (Node 22); Debian 12 has Node 20.
if (!Promise.withResolvers) {
    Promise.withResolvers = function withResolvers() {
        let resolve, reject;
        const promise = new this((ok, ko) => { resolve = ok; reject = ko; });
        return { promise, resolve, reject };
    };
}
const { StateMachine } = require('aws-local-stepfunctions');

const [workload, dir, runsArg, itemsArg] = process.argv.slice(2);
const runs = Number(runsArg || 1);
const read = (f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
const items = () => read(`items-${itemsArg || 10000}.json`);

// Per workload: definition file, input, and run options (overrides).
function flaky() {
    let calls = 0;
    return () => {
        if (calls++ < 100) {
            const e = new Error('try again');
            e.name = 'Flaky.Error';
            throw e;
        }
        return { StatusCode: 200, Payload: 'ok' };
    };
}
const workloads = {
    chain: () => ({ file: 'chain.asl.json', input: {}, options: {} }),
    map: () => ({ file: 'map.asl.json', input: items(), options: {} }),
    'map-inline': () => ({ file: 'map-inline.asl.json', input: items(), options: {} }),
    retry: () => ({
        file: 'retry.asl.json', input: {},
        options: { overrides: { taskResourceLocalHandlers: { Call: flaky() },
                                retryIntervalOverrides: { Call: 0 } } },
    }),
    typical: () => ({
        file: 'typical.asl.json', input: read('typical.input.json'),
        options: { overrides: {
            taskResourceLocalHandlers: {
                Extract: () => ({ StatusCode: 200, Payload: { count: 4 } }),
                Load: () => ({ StatusCode: 200, Payload: { loaded: 4 } }),
            },
            waitTimeOverrides: { Settle: 0 },
            retryIntervalOverrides: { Extract: 0 },
        } },
    }),
};
if (!workloads[workload]) {
    console.error(`peer_interp: unknown workload ${workload}`);
    process.exit(2);
}

const first = workloads[workload]();
const machine = new StateMachine(read(first.file), {
    validationOptions: { checkArn: false },
});
const t0 = process.hrtime.bigint();
let result;
for (let i = 0; i < runs; i++) {
    const w = i === 0 ? first : workloads[workload](); // fresh handler state per run
    result = await machine.run(w.input, w.options).result;
}
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify(result));
console.error(`inproc ${secs.toFixed(3)}`);
