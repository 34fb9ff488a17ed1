import { describeDocExamples } from './doc-examples.js';

// README.md's sh blocks (docs/'s are in examples-docs.test.ts, so the two sessions run side by side)
describeDocExamples((file) => file === 'README.md');
