import { describeDocExamples } from './doc-examples.js';

// the sh blocks of every page under docs/ (README.md's are in examples.test.ts)
describeDocExamples((file) => file !== 'README.md');
