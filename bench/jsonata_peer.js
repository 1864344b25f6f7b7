// Peer side of bench/run_jsonata.sh, and the source of its workload.
//   node jsonata_peer.js gen DIR   writes DIR/cases.tsv (name, input, evaluations,
//                                  expression) and one DIR/<input>.json per document
//   node jsonata_peer.js run DIR   evaluates each case with the jsonata npm package
//                                  (tests/node/node_modules, pinned to 2.0.6): compiled
//                                  once, evaluated N times, best of 3; prints
//                                  "name<TAB>nanoseconds per evaluation"
// The workload is generated, never random: the same documents on every machine.
'use strict';

const fs = require('fs');
const path = require('path');

function inputs() {
    const items = [];
    for (let i = 0; i < 10000; i++)
        items.push({
            id: i,
            name: 'item-' + String(i).padStart(5, '0'),
            value: (i * 7919) % 1000,
            tags: ['t' + (i % 5)],
            ts: 1709220600000 + i * 60000,
        });
    const order = [];
    for (let o = 0; o < 20; o++) {
        const product = [];
        for (let p = 0; p < 5; p++)
            product.push({
                Name: `Product ${o}-${p}`,
                SKU: String(o * 10 + p).padStart(8, '0'),
                Price: 10.5 + p * 3.25,
                Quantity: p + 1,
            });
        order.push({ OrderID: 'order' + o, Product: product });
    }
    return {
        shop: { Account: { Name: 'Firefly', Order: order } },
        items: { items },
        items1k: { items: items.slice(0, 1000) },
        sched: { t: '2024-02-29T15:30:00Z' },
    };
}

// name, input, evaluations per measurement, expression
const cases = [
    ['path lookup', 'shop', 100000, 'Account.Order[3].Product[2].SKU'],
    ['predicate filter', 'shop', 20000, 'Account.Order.Product[Price > 20].SKU'],
    ['$sum over a path', 'shop', 20000, '$sum(Account.Order.Product.(Price * Quantity))'],
    ['$map 10k items', 'items', 30, '$map(items, function($v) { $v.value * 2 })'],
    ['$filter 10k items', 'items', 30, '$filter(items, function($v) { $v.value % 3 = 0 }).id'],
    ['$reduce 10k items', 'items', 30, '$reduce(items.value, function($a, $b) { $a + $b }, 0)'],
    ['string building 1k', 'items1k', 100,
     "$join(items.($uppercase(name) & '#' & $string(value)), ',')"],
    ['objects 1k', 'items1k', 100, "items.{'key': name, 'double': value * 2}"],
    ['date formatting 1k', 'items1k', 100,
     "items.$fromMillis(ts, '[Y0001]-[M01]-[D01] [H01]:[m01]', '+0900')"],
    ['yesterday in Tokyo', 'sched', 50000,
     "$fromMillis($toMillis(t) - 86400000, '[Y0001]-[M01]-[D01]', '+0900')"],
];

function gen(dir) {
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, doc] of Object.entries(inputs()))
        fs.writeFileSync(path.join(dir, name + '.json'), JSON.stringify(doc));
    fs.writeFileSync(path.join(dir, 'cases.tsv'),
                     cases.map((c) => c.join('\t')).join('\n') + '\n');
}

async function run(dir) {
    const jsonata = require(path.join(__dirname, '..', 'tests', 'node', 'node_modules',
                                      'jsonata'));
    for (const [name, input, n, expr] of cases) {
        const doc = JSON.parse(fs.readFileSync(path.join(dir, input + '.json'), 'utf8'));
        const compiled = jsonata(expr);
        for (let i = 0; i < Math.min(n, 20); i++) await compiled.evaluate(doc);
        let best = Infinity;
        for (let round = 0; round < 3; round++) {
            const t0 = process.hrtime.bigint();
            for (let i = 0; i < n; i++) await compiled.evaluate(doc);
            const ns = Number(process.hrtime.bigint() - t0) / n;
            best = Math.min(best, ns);
        }
        console.log(`${name}\t${best.toFixed(0)}`);
    }
}

const [mode, dir] = process.argv.slice(2);
if (mode === 'gen' && dir) gen(dir);
else if (mode === 'run' && dir) run(dir).catch((e) => { console.error(e); process.exit(1); });
else {
    console.error('usage: node jsonata_peer.js (gen|run) DIR');
    process.exit(2);
}
