// The fuzz suite (test/helpers/fuzz-suite.ts), a quick share: 1,000 cases on SQLite.
// test:interop runs all 10,000 (test/interop/fuzz.test.ts).

import { fuzzSuite } from './helpers/fuzz-suite.js';

fuzzSuite({ xml: 700, put: 300 });
