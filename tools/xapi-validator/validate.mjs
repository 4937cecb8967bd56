// Validates xAPI statements with Learning Locker's @learninglocker/xapi-validation (the rules its LRS
// applies before it stores a statement). Reads one statement or a JSON array of statements on stdin;
// prints one JSON line: [{"index": 0, "id": "...", "warnings": [{"name": "RequiredWarning",
// "path": "statement.verb.id", ...}]}, ...], one entry per statement, in input order.
// Exit code: 0 when no statement has a warning, 1 when some has, 2 on input that is not JSON.
//
// The package's API (dist/index.js): its default export takes one statement and returns rulr `Warning`
// objects (`name` is the warning's class, `path` a list of keys from "statement"; some classes add a field,
// e.g. TypeWarning's `typeName`, IfiCountWarning's `usedIfis`). `data` is the offending value: left out.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const validate = require("@learninglocker/xapi-validation").default;

function plain(warning) {
    const { data: _data, stack: _stack, message: _message, path, warnings, ...fields } = warning;
    const out = { name: warning.name || warning.constructor.name, path: (path || []).join("."), ...fields };
    if (Array.isArray(warnings)) out.warnings = warnings.map(plain); // rulr's `Warnings` nests others
    return out;
}

let input;
try {
    input = JSON.parse(readFileSync(0, "utf8"));
} catch (error) {
    process.stderr.write(`validate.mjs: stdin is not JSON: ${error.message}\n`);
    process.exit(2);
}
const statements = Array.isArray(input) ? input : [input];
const results = statements.map((statement, index) => ({
    index,
    id: statement && typeof statement === "object" ? (statement.id ?? null) : null,
    warnings: validate(statement).map(plain),
}));
process.stdout.write(JSON.stringify(results) + "\n");
process.exit(results.some((result) => result.warnings.length) ? 1 : 0);
