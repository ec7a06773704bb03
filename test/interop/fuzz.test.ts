// The fuzz suite (test/helpers/fuzz-suite.ts) in full: 10,000 cases on SQLite, 2,000 on
// PostgreSQL. `npm test` runs a quick share of them (test/fuzz.test.ts).

import { fuzzSuite } from '../helpers/fuzz-suite.js';

fuzzSuite({ xml: 7_000, put: 3_000 });
